package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yingpu/govbot/auth"
	"github.com/yingpu/govbot/config"
)

// The console driven in a real browser (headless Chromium): a staff member
// composes a notice to an audience and submits it; a reviewer approves it
// and watches the delivery report reach 已完成 against the fake WeChat
// API; an admin reads the audit trail. Every page is screenshot at desktop
// and phone width into $GOVBOT_SCREENSHOTS (default: a temporary
// directory, named in the log).

const browserPassword = "浏览器测试密码 2026"

// chromiumPath finds the browser: $GOVBOT_CHROMIUM, or chromium (Debian),
// chromium-browser or google-chrome on PATH.
func chromiumPath() string {
	if p := os.Getenv("GOVBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium returns the browser's path, or skips the test when
// there is none.
func requireChromium(t *testing.T) string {
	t.Helper()
	p := chromiumPath()
	if p == "" {
		t.Skip("no chromium binary (apt-get install chromium fonts-wqy-zenhei; .ci/run installs it)")
	}
	return p
}

// startBrowserE2E serves govbot as startE2E does, with every user's
// password browserPassword and cookies for plain http.
func startBrowserE2E(t *testing.T) *e2e {
	t.Helper()
	hash, err := auth.HashPassword(browserPassword)
	if err != nil {
		t.Fatal(err)
	}
	return startE2EOn(t, "", func(cfg *config.Config) {
		cfg.PublicBaseURL = "http://127.0.0.1"
		for i := range cfg.Users {
			cfg.Users[i].PasswordHash = hash
		}
	})
}

// newShooter starts headless Chromium (a fresh profile, nothing reached
// but base) for at most timeout, with screenshots going to
// $GOVBOT_SCREENSHOTS (default: a temporary directory, named in the log).
func newShooter(t *testing.T, chromium, base string, timeout time.Duration) *shooter {
	t.Helper()
	dir := os.Getenv("GOVBOT_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(func() { cancel(); cancelBrowser(); cancelAlloc() })
	// The first run starts the browser, on ctx itself: a run on a context
	// derived from it and cancelled would close the browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return &shooter{t: t, ctx: ctx, base: base, dir: dir}
}

// shooter drives one tab and saves screenshots.
type shooter struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func (s *shooter) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

func (s *shooter) text(sel string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// page returns the visible text of the page.
func (s *shooter) page() string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil {
		s.t.Fatalf("page text: %v", err)
	}
	return v
}

func (s *shooter) wantText(where string, wants ...string) {
	s.t.Helper()
	txt := s.page()
	for _, w := range wants {
		if !strings.Contains(txt, w) {
			s.t.Errorf("%s: the page does not show %q; it shows:\n%s", where, w, txt)
		}
	}
}

func (s *shooter) open(path string) {
	s.t.Helper()
	s.do("open "+path, chromedp.Navigate(s.base+path), chromedp.WaitReady(chromedp.CSS("footer")))
}

// shot saves the page at desktop (1280 wide) and phone (390 wide) widths.
func (s *shooter) shot(name string) {
	s.t.Helper()
	for _, vp := range []struct {
		suffix string
		w, h   int64
		mobile bool
	}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		opts := []chromedp.EmulateViewportOption{}
		if vp.mobile {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		s.do("viewport", chromedp.EmulateViewport(vp.w, vp.h, opts...), chromedp.Sleep(150*time.Millisecond))
		png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			s.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(s.dir, name+"-"+vp.suffix+".png"), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
	s.do("viewport", chromedp.EmulateViewport(1280, 900))
}

func (s *shooter) signIn(name string) {
	s.t.Helper()
	s.open("/admin/signin")
	s.do("sign in as "+name,
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), browserPassword),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#signout")))
}

func (s *shooter) signOut() {
	s.t.Helper()
	s.do("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#signin-form")))
}

func TestConsoleInBrowser(t *testing.T) {
	chromium := requireChromium(t)
	e := startBrowserE2E(t)
	// Two residents subscribe to 防汛 on the Official Account.
	for _, openid := range []string{"o-resident-1", "o-resident-2"} {
		if reply := e.oaSay(openid, "订阅 防汛"); !strings.Contains(reply, "防汛") {
			t.Fatalf("subscribe: %q", reply)
		}
	}

	s := newShooter(t, chromium, e.srv.URL, 3*time.Minute)
	ctx := s.ctx

	// No session: the sign-in page, in Chinese.
	s.open("/admin/notices")
	s.wantText("without a session", "登录管理台", "用户名", "密码")
	s.shot("01-signin")

	// A wrong password is refused, with the reason shown.
	s.open("/admin/signin")
	s.do("wrong password",
		chromedp.SendKeys(chromedp.CSS("#name"), "staff"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#signin-message")))
	s.wantText("wrong password", "用户名或密码不正确")

	// Staff composes a notice to 防汛.
	s.signIn("staff")
	s.wantText("notice list", "通知", "撰写通知", "没有符合条件的通知")
	s.shot("02-notices-empty")
	s.do("compose", chromedp.Click(chromedp.CSS("#compose")), chromedp.WaitVisible(chromedp.CSS("#compose-form")))
	s.wantText("compose", "撰写通知", "防汛", "现可送达 4 个对象", "订阅的公众号粉丝 2 人", "企业微信群机器人 1 个", "企业微信标签 1 个")
	s.do("fill in",
		chromedp.SendKeys(chromedp.CSS("#title"), "暴雨蓝色预警"),
		chromedp.SendKeys(chromedp.CSS("#body"), "今夜到明天有暴雨，请居民关好门窗，低洼地区注意防范积水。联系电话 13812345678"),
		chromedp.Click(chromedp.CSS(`input[name=audience][value="防汛"]`)),
		chromedp.Click(chromedp.CSS("#urgent")),
	)
	// The privacy check shows the mobile number, masked, before submitting.
	waitFor(t, s, "#check-privacy", "138****5678")
	s.wantText("compose preview", "已选 防汛，现可送达 4 个对象", "暴雨蓝色预警", "公众号消息", "企业微信")
	s.shot("03-compose-privacy")
	// Remove the number: the checks pass.
	s.do("fix body", chromedp.SetValue(chromedp.CSS("#body"), "今夜到明天有暴雨，请居民关好门窗，低洼地区注意防范积水。"),
		chromedp.SendKeys(chromedp.CSS("#body"), "咨询请拨打 12345。"))
	waitFor(t, s, "#check-problem", "检查通过")
	lengths := s.text("#check-lengths")
	for _, want := range []string{"企业微信群机器人", "企业微信应用消息", "公众号", "字节"} {
		if !strings.Contains(lengths, want) {
			t.Errorf("length checks %q lack %q", lengths, want)
		}
	}
	s.shot("04-compose-ok")
	s.do("submit", chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#notice-status")))
	if st := s.text("#notice-status"); st != "待审核" {
		t.Errorf("after submit the status is %q, want 待审核", st)
	}
	s.wantText("submitted notice", "已提交审核，等待审核人批准", "尚未审核", "紧急", "staff")
	s.shot("05-notice-submitted")
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	noticePath := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], e.srv.URL)
	s.signOut()

	// The reviewer approves it from the queue.
	s.signIn("reviewer")
	s.open("/admin/review")
	s.wantText("review queue", "待我审核", "暴雨蓝色预警", "staff")
	s.shot("06-review-queue")
	s.open(noticePath)
	s.wantText("review", "批准发送", "退回理由")
	s.shot("07-review-notice")
	s.do("approve", chromedp.SendKeys(chromedp.CSS("#approve-note"), "同意发布"), chromedp.Click(chromedp.CSS("#do-approve")),
		chromedp.WaitVisible(chromedp.CSS("#report")))
	// The report updates itself until every delivery is done.
	waitFor(t, s, "#notice-status", "已完成")
	s.wantText("delivered", "送达报告", "共 4 个对象", "已送达 4", "企业微信群机器人", "企业微信应用消息", "公众号", "reviewer", "同意发布")
	s.shot("08-report-done")
	s.signOut()

	// The admin reads the audit trail, the users and the audiences.
	s.signIn("admin")
	s.open("/admin/notices")
	s.wantText("list", "暴雨蓝色预警", "已完成", "4/4 已送达")
	s.shot("09-notices")
	s.open("/admin/audit")
	s.wantText("audit", "记录链校验通过", "console.signin", "notice.approve", "reviewer")
	s.shot("10-audit")
	s.open("/admin/users")
	s.wantText("users", "已设置密码", "****")
	s.shot("11-users")
	s.open("/admin/audiences")
	s.wantText("audiences", "防汛", "现有 2 人", "****")
	s.shot("12-audiences")
	s.open("/admin/me")
	s.wantText("me", "我的账号", "管理员", "查看和导出操作记录")
	s.shot("13-me")
	s.open("/admin/nowhere")
	s.wantText("404", "找不到页面")
	s.shot("14-not-found")
	s.signOut()
	s.open("/admin/audit")
	s.wantText("signed out", "请先登录")

	e.api.AssertRobotCalls(e2eRobotKey, 1)
}

// waitFor waits until the element's text contains want (the page may
// reload itself meanwhile).
func waitFor(t *testing.T, s *shooter, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil {
			last = v
			if strings.Contains(v, want) {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s never showed %q (last: %q)\n%s", sel, want, last, fmt.Sprint(s.page()))
}
