package main

import (
	"fmt"
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
	chromium := requireChromium(t)
	e := startE2E(t)
	s := newShooter(t, chromium, e.srv.URL, 2*time.Minute)
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
