package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The question page (/console/) in a real browser: the questions typed in
// one tab are one conversation, as a follower's messages are. Screenshots
// at desktop and phone width go to $GOVBOT_SCREENSHOTS (default: a
// temporary directory, named in the log).
func TestConsoleConversationInBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("no chromium binary (apt-get install chromium fonts-wqy-zenhei; .ci/run installs it)")
	}
	e := startE2E(t)
	dir := os.Getenv("GOVBOT_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900))
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	s := &shooter{t: t, ctx: ctx, base: e.srv.URL, dir: dir}
	s.do("open /console/", chromedp.Navigate(s.base+"/console/"), chromedp.WaitVisible(chromedp.CSS("#f")))
	ask := func(q string, n int) {
		s.do("ask "+q,
			chromedp.SendKeys(chromedp.CSS("input[name=q]"), q),
			chromedp.Click(chromedp.CSS("#f button:not(#reset)")),
			chromedp.Poll[chromedp.Void](fmt.Sprintf("document.querySelectorAll('.reply').length >= %d", n)))
	}
	ask("低保怎么申请", 1)
	ask("那要带什么材料", 2)
	ask("谢谢", 3)
	s.wantText("a conversation", "问：低保怎么申请", "问：那要带什么材料", "户口簿", "追问", "不客气")
	s.shot("console-conversation")
	// 新对话: the next number picks nothing.
	s.do("new conversation", chromedp.Click(chromedp.CSS("#reset")))
	ask("2", 1)
	if txt := s.page(); strings.Contains(txt, "【") || !strings.Contains(txt, "请直接输入") {
		t.Errorf("2 in a new conversation:\n%s", txt)
	}
}
