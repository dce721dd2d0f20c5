package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/webhook/wechattest"
	"github.com/yingpu/govbot/push/pushtest"
)

// End-to-end tests of `govbot serve`: the real handler of openServe over
// the sample data, behind an httptest server, with WeChat played by
// wechattest and the WeChat and WeCom APIs played by pushtest.

// runningClock runs at the speed of the wall clock from a fixed start, so
// that dates are deterministic while timers and backoffs still elapse;
// Advance steps it forward.
type runningClock struct {
	mu     sync.Mutex
	base   time.Time
	start  time.Time
	offset time.Duration
}

func newRunningClock(base time.Time) *runningClock {
	return &runningClock{base: base, start: time.Now()}
}

func (c *runningClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.start) + c.offset)
}

func (c *runningClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Admin API users of the end-to-end configuration.
const (
	e2eStaffToken    = "staff-token-0123456789abcdef"
	e2eReviewerToken = "reviewer-token-0123456789abcd"
	e2eAdminToken    = "admin-token-0123456789abcdefg"
	e2eRobotKey      = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
	e2eWorkTag       = "3"
	e2eBaseURL       = "https://yingpu.example"
)

// e2e is one running `govbot serve` with its fakes.
type e2e struct {
	t    *testing.T
	cfg  config.Config
	d    *serveDeps
	srv  *httptest.Server
	api  *pushtest.Server
	clk  *runningClock
	oa   *wechattest.OA
	work *wechattest.Work
	logs *syncBuffer
	// stop closes the server and its state; it is idempotent and runs at
	// the test's end.
	stop func()
}

// startE2E configures govbot as a subdistrict would (Official Account in
// safe mode, a WeCom app with its callback, audiences, users, fast
// delivery retries) against a fake WeChat API, and serves it.
func startE2E(t *testing.T) *e2e {
	t.Helper()
	return startE2EOn(t, "")
}

// startE2EOn is startE2E on the state directory state ("" for a new one);
// edit, if any, changes the configuration before it is validated.
func startE2EOn(t *testing.T, state string, edit ...func(*config.Config)) *e2e {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the index of the sample data (slow under -race)")
	}
	api := pushtest.NewServer(t)
	cfg := config.Default()
	cfg.DataDir = "data"
	cfg.StateDir = state
	if state == "" {
		cfg.StateDir = t.TempDir()
	}
	cfg.PublicBaseURL = e2eBaseURL
	cfg.APIBaseURL = api.URL
	cfg.OfficialAccount = config.OfficialAccount{
		AppID: "wx0123456789abcdef", AppSecret: "oa-app-secret-0123456789",
		Token: "oatoken123", EncodingAESKey: aesKey(t), Path: "/wechat/oa",
	}
	cfg.Work = config.Work{
		CorpID: "ww0123456789abcdef", AgentID: "1000002", Secret: "work-secret-0123456789",
		Token: "worktoken", EncodingAESKey: aesKey(t), Path: "/wechat/work",
	}
	// Topics are left empty: residents subscribe to the audiences with
	// followers.
	cfg.Audiences = []config.Audience{
		{Name: "防汛", Followers: true, WorkRobots: []string{e2eRobotKey}, WorkTags: []string{e2eWorkTag}},
		{Name: "就业", Followers: true},
	}
	cfg.Users = []config.User{
		{Name: "staff", Roles: []string{config.RoleStaff}, Token: e2eStaffToken, Department: "盈浦街道社区管理办"},
		{Name: "reviewer", Roles: []string{config.RoleReviewer}, Token: e2eReviewerToken},
		{Name: "admin", Roles: []string{config.RoleAdmin}, Token: e2eAdminToken},
	}
	cfg.Delivery.BaseBackoff = 20 * time.Millisecond
	cfg.Delivery.MaxBackoff = 200 * time.Millisecond
	cfg.Delivery.MaxAttempts = 3
	cfg.Delivery.Workers = 2
	cfg.Delivery.SendTimeout = 5 * time.Second
	for _, f := range edit {
		f(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	clk := newRunningClock(serveNow)
	logs := &syncBuffer{}
	// Debug level: TestE2ELogsNameNoOne reads every line.
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	d, h, err := openServe(ctx, cfg, clk, logger)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			cancel()
			if err := d.close(); err != nil {
				t.Errorf("close: %v", err)
			}
			if t.Failed() {
				t.Logf("server logs:\n%s", logs.String())
			}
		})
	}
	t.Cleanup(stop)

	e := &e2e{t: t, cfg: cfg, d: d, srv: srv, api: api, clk: clk, logs: logs, stop: stop}
	e.oa = wechattest.NewOA(cfg.OfficialAccount.Token, cfg.OfficialAccount.EncodingAESKey, cfg.OfficialAccount.AppID)
	e.oa.BaseURL, e.oa.Path = srv.URL, cfg.OfficialAccount.Path
	e.work = wechattest.NewWork(cfg.Work.Token, cfg.Work.EncodingAESKey, cfg.Work.CorpID)
	e.work.BaseURL, e.work.Path = srv.URL, cfg.Work.Path
	return e
}

// with returns e reporting to t (a subtest).
func (e *e2e) with(t *testing.T) *e2e {
	c := *e
	c.t = t
	return &c
}

// do sends r and returns the response, whose body the test's end closes.
func (e *e2e) do(r *http.Request) *http.Response {
	e.t.Helper()
	return post(e.t, r)
}

// oaSay sends text from the follower and returns the decoded reply.
func (e *e2e) oaSay(openid, text string) string {
	e.t.Helper()
	reply, err := e.oa.DecodeReply(e.do(e.oa.SignedTextRequest(openid, text, e.clk.Now())))
	if err != nil {
		e.t.Fatalf("OA %q: %v", text, err)
	}
	return reply
}

// oaFollow sends the follow (subscribe) event and returns the reply.
func (e *e2e) oaFollow(openid string) string {
	e.t.Helper()
	reply, err := e.oa.DecodeReply(e.do(e.oa.MessageRequest(openid, "event", e.clk.Now(), "Event", "subscribe")))
	if err != nil {
		e.t.Fatalf("OA follow: %v", err)
	}
	return reply
}

// workSay sends text from the WeCom member and returns the decoded reply.
func (e *e2e) workSay(userid, text string) string {
	e.t.Helper()
	reply, err := e.work.DecodeReply(e.do(e.work.SignedTextRequest(userid, text, e.clk.Now())))
	if err != nil {
		e.t.Fatalf("WeCom %q: %v", text, err)
	}
	return reply
}

// e2eNotice is a notice as the admin API answers it.
type e2eNotice struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	Author     string `json:"author"`
	Reviewer   string `json:"reviewer"`
	Public     bool   `json:"public"`
	Published  bool   `json:"published"`
	Recipients int    `json:"recipients"`
	LastError  string `json:"last_error"`
	History    []struct {
		Action string `json:"action"`
		By     string `json:"by"`
	} `json:"history"`
	Report struct {
		Total       int  `json:"total"`
		Sent        int  `json:"sent"`
		Failed      int  `json:"failed"`
		Pending     int  `json:"pending"`
		Unreachable int  `json:"unreachable"`
		Done        bool `json:"done"`
		ByChannel   map[string]struct {
			Total int `json:"total"`
			Sent  int `json:"sent"`
		} `json:"by_channel"`
	} `json:"report"`
}

// e2eAPIError is an error answer of the admin API.
type e2eAPIError struct {
	Code  int    `json:"code"`
	HTTP  int    `json:"http"`
	Error string `json:"error"`
}

// call makes an admin API request (token "" sends none) and returns the
// status and the body.
func (e *e2e) call(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	r, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp := e.do(r)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// notice makes an admin API request that must answer want with a notice.
func (e *e2e) notice(want int, method, path, token string, body any) e2eNotice {
	e.t.Helper()
	status, b := e.call(method, path, token, body)
	if status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	var n e2eNotice
	if err := json.Unmarshal(b, &n); err != nil || n.ID == "" {
		e.t.Fatalf("%s %s: not a notice: %s (%v)", method, path, b, err)
	}
	return n
}

// refused makes an admin API request that must be refused with status and
// code, and returns the error.
func (e *e2e) refused(status, code int, method, path, token string, body any) e2eAPIError {
	e.t.Helper()
	got, b := e.call(method, path, token, body)
	var ae e2eAPIError
	if err := json.Unmarshal(b, &ae); err != nil {
		e.t.Fatalf("%s %s: error answer is not JSON: %s", method, path, b)
	}
	if got != status || ae.Code != code || ae.HTTP != status || ae.Error == "" {
		e.t.Errorf("%s %s: %d %+v, want %d code %d", method, path, got, ae, status, code)
	}
	return ae
}

// sendNotice writes, submits and approves a notice (staff, then reviewer)
// and returns it as answered by the approval.
func (e *e2e) sendNotice(body map[string]any) e2eNotice {
	e.t.Helper()
	n := e.notice(http.StatusCreated, "POST", "/api/notices", e2eStaffToken, body)
	if n.Status != "draft" || n.Author != "staff" {
		e.t.Fatalf("created notice %+v", n)
	}
	n = e.notice(http.StatusOK, "POST", "/api/notices/"+n.ID+"/submit", e2eStaffToken, nil)
	if n.Status != "submitted" {
		e.t.Fatalf("submitted notice status %q", n.Status)
	}
	n = e.notice(http.StatusOK, "POST", "/api/notices/"+n.ID+"/approve", e2eReviewerToken, map[string]string{"note": "同意"})
	if n.Reviewer != "reviewer" || (n.Status != "sending" && n.Status != "done") {
		e.t.Fatalf("approved notice %+v", n)
	}
	return n
}

// waitNotice polls the notice until ok holds, for at most 15 seconds.
func (e *e2e) waitNotice(id string, what string, ok func(e2eNotice) bool) e2eNotice {
	e.t.Helper()
	var n e2eNotice
	if within(15*time.Second, func() bool {
		n = e.notice(http.StatusOK, "GET", "/api/notices/"+id, e2eStaffToken, nil)
		return ok(n)
	}) {
		return n
	}
	e.t.Fatalf("notice %s is not %s after 15 s: %+v", id, what, n)
	return n
}

// sampleDisclosure returns the title and URL of a disclosure of the sample
// data.
func sampleDisclosure(t *testing.T, id string) (title, url string) {
	t.Helper()
	for _, file := range []string{"data/disclosures/part1.jsonl", "data/disclosures/part2.jsonl"} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var d struct{ ID, Title, URL string }
			if json.Unmarshal(sc.Bytes(), &d) == nil && d.ID == id {
				f.Close()
				return d.Title, d.URL
			}
		}
		f.Close()
	}
	t.Fatalf("no disclosure %s in the sample data", id)
	return "", ""
}

func TestE2EResidentJourney(t *testing.T) {
	e := startE2E(t)
	const (
		follower   = "oE2EFollowerFlood00000000001"
		jobsOnly   = "oE2EFollowerJobs000000000002"
		lurker     = "oE2EFollowerNoTopic000000003"
		impostor   = "oE2EImpostor0000000000000004"
		question   = "低保标准"
		noticeText = "今晚20时起有暴雨，请低洼地区居民注意防范，及时转移车辆和物品。"
	)

	// Health: the sample data is indexed.
	resp := e.do(mustRequest(t, "GET", e.srv.URL+"/healthz"))
	var health struct {
		Status    string `json:"status"`
		Documents int    `json:"documents"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil || resp.StatusCode != 200 || health.Status != "ok" || health.Documents <= 100 {
		t.Errorf("healthz: %d %+v %v", resp.StatusCode, health, err)
	}

	// Following: the welcome says how to subscribe and lists the topics,
	// which are the audiences with followers.
	welcome := e.oaFollow(follower)
	for _, want := range []string{"欢迎关注", "订阅 防汛", "防汛、就业"} {
		if !strings.Contains(welcome, want) {
			t.Errorf("welcome lacks %q:\n%s", want, welcome)
		}
	}
	if reply := e.oaSay(follower, "订阅 防汛"); !strings.Contains(reply, "订阅成功：防汛") {
		t.Errorf("subscribe reply: %q", reply)
	}
	e.oaFollow(lurker)
	if reply := e.oaSay(jobsOnly, "订阅 就业"); !strings.Contains(reply, "订阅成功：就业") {
		t.Errorf("subscribe reply: %q", reply)
	}

	// A question is answered from the disclosures, naming the source.
	title, url := sampleDisclosure(t, "ben-002")
	ts := e.clk.Now()
	inner := wechattest.MessageXML(e.oa.Account, follower, "text", ts, 7100000000000000001, "Content", question)
	resp = e.do(e.oa.SignedRequest(inner, ts))
	first, err := e.oa.DecodeReplyMessage(resp)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.Content, title) || !strings.Contains(first.Content, url) {
		t.Errorf("answer to %q does not cite %q (%s):\n%s", question, title, url, first.Content)
	}
	if first.ToUserName != follower || first.FromUserName != e.oa.Account || len(first.Content) > 2048 {
		t.Errorf("reply addressing %q → %q, %d bytes", first.FromUserName, first.ToUserName, len(first.Content))
	}
	// WeChat's retry of the same MsgId (new nonce, new encryption) gets
	// the same reply, and the question is logged once.
	retry, err := e.oa.DecodeReply(e.do(e.oa.SignedRequest(inner, ts)))
	if err != nil || retry != first.Content {
		t.Errorf("retry reply differs (%v):\n%s\n---\n%s", err, retry, first.Content)
	}
	// The query log is written in the background: wait for it, then make
	// sure the retry added nothing.
	eventually(func() bool { recs, _ := e.d.queries.List(time.Time{}, time.Time{}, 0); return len(recs) > 0 })
	time.Sleep(100 * time.Millisecond)
	if recs, err := e.d.queries.List(time.Time{}, time.Time{}, 0); err != nil || len(recs) != 1 || recs[0].Q != question {
		t.Errorf("query log after a retry: %+v, %v", recs, err)
	}

	// A forged request (signed without the token) is refused and acted on
	// by no one.
	forger := wechattest.NewOA("forgedtoken", e.cfg.OfficialAccount.EncodingAESKey, e.cfg.OfficialAccount.AppID)
	forger.BaseURL, forger.Path = e.srv.URL, e.cfg.OfficialAccount.Path
	if resp := e.do(forger.SignedTextRequest(impostor, "订阅 防汛", e.clk.Now())); resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged signature: status %d, want 403", resp.StatusCode)
	}
	subs, err := e.d.subscribe.Subscribers("防汛")
	if err != nil || !slices.Equal(subs, []string{follower}) {
		t.Errorf("防汛 subscribers %v, %v", subs, err)
	}

	// Staff write a warning for 防汛; a reviewer approves it; it reaches
	// the follower, the robot and the WeCom tag once each, and no one else.
	n := e.sendNotice(map[string]any{"title": "防汛预警", "body": noticeText, "audiences": []string{"防汛"}, "urgent": true})
	n = e.waitNotice(n.ID, "done", func(n e2eNotice) bool { return n.Status == "done" })
	if n.Recipients != 3 || n.Report.Total != 3 || n.Report.Sent != 3 || n.Report.Failed+n.Report.Pending+n.Report.Unreachable != 0 || !n.Report.Done {
		t.Errorf("done notice: recipients %d, report %+v", n.Recipients, n.Report)
	}
	for _, ch := range []string{"oa", "robot", "work_app"} {
		if c := n.Report.ByChannel[ch]; c.Total != 1 || c.Sent != 1 {
			t.Errorf("report of channel %s: %+v", ch, c)
		}
	}
	e.api.AssertDeliveredOnce(pushtest.PathCustomSend, follower)
	e.api.AssertDeliveredOnce(pushtest.PathRobot, e2eRobotKey)
	e.api.AssertDeliveredOnce(pushtest.PathAppSend, "tag:"+e2eWorkTag)
	for _, c := range e.api.Calls() {
		switch c.Path {
		case pushtest.PathOAToken, pushtest.PathWorkToken:
		case pushtest.PathCustomSend, pushtest.PathRobot, pushtest.PathAppSend:
			if !strings.Contains(c.Content, "防汛预警") || !strings.Contains(c.Content, noticeText) {
				t.Errorf("%s content %q", c.Path, c.Content)
			}
			if c.Path == pushtest.PathAppSend && (len(c.To)+len(c.Depts) != 0 || !slices.Equal(c.Tags, []string{e2eWorkTag}) || c.AgentID != 1000002) {
				t.Errorf("app message to users %v, depts %v, tags %v, agent %d", c.To, c.Depts, c.Tags, c.AgentID)
			}
		default:
			t.Errorf("unexpected API call %s to %v", c.Path, c.To)
		}
	}
	if got := len(e.api.Calls()) - e.api.TokenFetches(); got != 3 {
		t.Errorf("%d messages sent, want 3", got)
	}

	// The audit log has every step, by whom. The done step is audited
	// right after the status changes: wait for it.
	eventually(func() bool {
		_, b := e.call("GET", "/api/audit?notice="+n.ID, e2eAdminToken, nil)
		return strings.Contains(string(b), `"notice.done"`)
	})
	status, b := e.call("GET", "/api/audit?notice="+n.ID, e2eAdminToken, nil)
	var audit struct {
		Records []struct {
			Actor    string `json:"actor"`
			Action   string `json:"action"`
			NoticeID string `json:"notice_id"`
			Result   string `json:"result"`
		} `json:"records"`
	}
	if err := json.Unmarshal(b, &audit); status != 200 || err != nil {
		t.Fatalf("audit: %d %s", status, b)
	}
	var steps []string
	for _, r := range audit.Records {
		if r.NoticeID != n.ID {
			t.Errorf("audit filtered by notice %s lists %+v", n.ID, r)
		}
		if r.Result == "ok" {
			steps = append(steps, r.Actor+" "+r.Action)
		}
	}
	for _, want := range []string{"staff notice.create", "staff notice.submit", "reviewer notice.approve", "system notice.send", "system notice.done"} {
		if !slices.Contains(steps, want) {
			t.Errorf("audit lacks %q: %v", want, steps)
		}
	}
	// Staff may not read the audit log.
	e.refused(http.StatusForbidden, 40301, "GET", "/api/audit", e2eStaffToken, nil)
}

// TestE2ENotices checks the admin API's rules, then public and targeted
// notices, then that both outlive a restart, on one state directory
// (opening a server on fresh state builds the index of the sample data,
// the slow part).
func TestE2ENotices(t *testing.T) {
	e := startE2E(t)
	t.Run("ApprovalRules", func(t *testing.T) { e2eApprovalRules(t, e.with(t)) })
	var public, private string
	t.Run("PublicNotice", func(t *testing.T) { public, private = e2ePublicNotice(t, e.with(t)) })
	if public == "" || private == "" {
		return
	}
	t.Run("Restart", func(t *testing.T) { e2eRestart(t, e, public, private) })
}

// e2eApprovalRules: who may do what over HTTP; refusals change nothing and
// reach no one. It expects a server where nothing was sent yet.
func e2eApprovalRules(t *testing.T, e *e2e) {
	body := map[string]any{"title": "防汛演练通知", "body": "本周六上午9时在盈浦街道开展防汛演练。", "audiences": []string{"防汛"}}

	// No token, or an unknown one: 401, and nothing is created.
	e.refused(http.StatusUnauthorized, 40101, "POST", "/api/notices", "", body)
	e.refused(http.StatusUnauthorized, 40101, "POST", "/api/notices", "not-a-user-token-0123456789", body)

	// An unknown audience: 400 naming it.
	ae := e.refused(http.StatusBadRequest, 40003, "POST", "/api/notices", e2eStaffToken,
		map[string]any{"title": "天气提醒", "body": "明日有雨。", "audiences": []string{"天气"}})
	if !strings.Contains(ae.Error, "天气") || !strings.Contains(ae.Error, "防汛") {
		t.Errorf("unknown audience error does not name it and the choices: %q", ae.Error)
	}

	// A reviewer's own notice.
	own := e.notice(http.StatusCreated, "POST", "/api/notices", e2eReviewerToken, body)
	e.notice(http.StatusOK, "POST", "/api/notices/"+own.ID+"/submit", e2eReviewerToken, nil)
	// Staff cannot approve.
	e.refused(http.StatusForbidden, 40301, "POST", "/api/notices/"+own.ID+"/approve", e2eStaffToken, nil)
	// The author cannot approve their own notice, reviewer or not.
	e.refused(http.StatusForbidden, 40303, "POST", "/api/notices/"+own.ID+"/approve", e2eReviewerToken, nil)
	e.refused(http.StatusForbidden, 40303, "POST", "/api/notices/"+own.ID+"/reject", e2eReviewerToken, map[string]string{"reason": "自己驳回"})
	// No token.
	e.refused(http.StatusUnauthorized, 40101, "POST", "/api/notices/"+own.ID+"/approve", "", nil)

	if n := e.notice(http.StatusOK, "GET", "/api/notices/"+own.ID, e2eStaffToken, nil); n.Status != "submitted" || n.Reviewer != "" {
		t.Errorf("after refused approvals: status %q, reviewer %q", n.Status, n.Reviewer)
	}
	status, b := e.call("GET", "/api/notices", e2eAdminToken, nil)
	var list struct {
		Notices []e2eNotice `json:"notices"`
	}
	if err := json.Unmarshal(b, &list); status != 200 || err != nil || len(list.Notices) != 1 {
		t.Errorf("notices after refused requests: %d %s", status, b)
	}
	if calls := e.api.Calls(); len(calls) != 0 {
		t.Errorf("refused requests reached the WeChat API: %+v", calls)
	}

	// Another reviewer (the admin) may approve it; it is then sent.
	n := e.notice(http.StatusOK, "POST", "/api/notices/"+own.ID+"/approve", e2eAdminToken, nil)
	if n.Reviewer != "admin" || (n.Status != "sending" && n.Status != "done") {
		t.Errorf("approved by admin: %+v", n)
	}
	e.waitNotice(n.ID, "done", func(n e2eNotice) bool { return n.Status == "done" })
	e.api.AssertDeliveredOnce(pushtest.PathRobot, e2eRobotKey)
	e.api.AssertDeliveredOnce(pushtest.PathAppSend, "tag:"+e2eWorkTag)
	e.api.AssertCount(pushtest.PathCustomSend, 0)

	// Every refusal is in the audit log.
	status, b = e.call("GET", "/api/audit?limit=1000", e2eAdminToken, nil)
	var audit struct {
		Records []struct {
			Actor  string `json:"actor"`
			Action string `json:"action"`
			Result string `json:"result"`
			Code   int    `json:"code"`
		} `json:"records"`
	}
	if err := json.Unmarshal(b, &audit); status != 200 || err != nil {
		t.Fatalf("audit: %d %s", status, b)
	}
	refusals := map[int]int{}
	for _, r := range audit.Records {
		if r.Result == "error" {
			refusals[r.Code]++
		}
	}
	// Of the refusals for want of a token, the first of the address is
	// recorded at once and the others of the same minute are aggregated
	// into one api.refused record a minute later (adminapi's
	// TestRefusedRequestsLimitedAndAggregated).
	if refusals[40101] != 1 || refusals[40003] != 1 || refusals[40301] != 1 || refusals[40303] != 2 {
		t.Errorf("refusals in the audit log by code: %v", refusals)
	}
}

// The public and the targeted notice of e2ePublicNotice.
const (
	e2ePublicTitle  = "高温红色预警：暂停户外露天作业"
	e2ePublicBody   = "气象台发布高温红色预警，预计明日最高气温达40℃。请暂停户外露天作业，老人和儿童避免外出，注意防暑降温。"
	e2ePublicAsk    = "高温预警 户外作业"
	e2ePrivateTitle = "盈浦水厂管网检修停水安排"
	e2ePrivateBody  = "因管网检修，复兴路片区6月5日8时至16时暂停供水，请提前储水。"
	e2ePrivateAsk   = "水厂管网检修停水安排"
)

// e2ePublicNotice: a public notice is answered with and has a page; a
// targeted one has neither. It returns their ids.
func e2ePublicNotice(t *testing.T, e *e2e) (publicID, privateID string) {
	public := e.sendNotice(map[string]any{
		"title": e2ePublicTitle, "body": e2ePublicBody, "audiences": []string{"防汛"},
		"urgent": true, "public": true, "expires": "2024-06-10",
	})
	private := e.sendNotice(map[string]any{"title": e2ePrivateTitle, "body": e2ePrivateBody, "audiences": []string{"防汛"}})
	public = e.waitNotice(public.ID, "published and done", func(n e2eNotice) bool { return n.Status == "done" && n.Published })
	e.waitNotice(private.ID, "done", func(n e2eNotice) bool { return n.Status == "done" })
	if public.Report.Sent != 2 {
		t.Errorf("public notice report %+v", public.Report)
	}
	e.checkPublic(public.ID, private.ID)
	return public.ID, private.ID
}

// checkPublic: a resident on WeCom asking about the public notice gets it,
// citing its page, which is served; the targeted notice is neither
// answered with nor served.
func (e *e2e) checkPublic(publicID, privateID string) {
	t := e.t
	t.Helper()
	const member = "zhangsan"
	page := e2eBaseURL + "/notices/" + publicID
	if reply := e.workSay(member, e2ePublicAsk); !strings.Contains(reply, e2ePublicTitle) || !strings.Contains(reply, page) {
		t.Errorf("answer does not cite the public notice %q (%s):\n%s", e2ePublicTitle, page, reply)
	}
	resp := e.do(mustRequest(t, "GET", e.srv.URL+"/notices/"+publicID))
	html, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(html), "<h1>"+e2ePublicTitle+"</h1>") || !strings.Contains(string(html), "盈浦街道社区管理办") {
		t.Errorf("public notice page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), html)
	}

	if reply := e.workSay(member, e2ePrivateAsk); strings.Contains(reply, e2ePrivateTitle) || strings.Contains(reply, "复兴路片区") {
		t.Errorf("answer reveals the targeted notice:\n%s", reply)
	}
	if resp := e.do(mustRequest(t, "GET", e.srv.URL+"/notices/"+privateID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("targeted notice page: status %d, want 404", resp.StatusCode)
	}
	if resp := e.do(mustRequest(t, "GET", e.srv.URL+"/notices/999999")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown notice page: status %d, want 404", resp.StatusCode)
	}
}

// e2eRestart stops the server of e and starts another on its state: the
// public notice is still answered with, the sent
// notices are not sent again, the audit chain verifies, and a resident's
// conversation goes on.
func e2eRestart(t *testing.T, e *e2e, publicID, privateID string) {
	const talker = "oE2ERestartTalker00000000001"
	guide, _ := sampleDisclosure(t, "ben-003")
	if r := e.with(t).oaSay(talker, "低保怎么申请"); !strings.Contains(r, guide) {
		t.Fatalf("before the restart:\n%s", r)
	}
	before := e.d.index.Count()
	e.d.saveConversations() // as serve does once it stopped serving
	e.stop()
	r := startE2EOn(t, e.cfg.StateDir)
	// (A message id of its own: the new server's test client counts its
	// ids from the start again, and the handled-message store, kept across
	// the restart too, would take it for a retry.)
	ts := r.clk.Now()
	inner := wechattest.MessageXML(r.oa.Account, talker, "text", ts, 7100000000000019001, "Content", "那要带什么材料")
	if reply, err := r.oa.DecodeReply(r.do(r.oa.SignedRequest(inner, ts))); err != nil || !strings.Contains(reply, guide) || !strings.Contains(reply, "户口簿") {
		t.Errorf("a follow-up after the restart (%v):\n%s", err, reply)
	}
	if got := r.d.index.Count(); got != before {
		t.Errorf("%d documents after the restart, %d before", got, before)
	}
	r.checkPublic(publicID, privateID)
	for _, id := range []string{publicID, privateID} {
		if n := r.notice(http.StatusOK, "GET", "/api/notices/"+id, e2eStaffToken, nil); n.Status != "done" || n.Report.Sent != 2 {
			t.Errorf("notice %s after the restart: %s, report %+v", id, n.Status, n.Report)
		}
	}
	if calls := r.api.Calls(); len(calls) != 0 {
		t.Errorf("the restarted server called the WeChat API: %+v", calls)
	}
	if n, err := r.d.audit.Verify(); err != nil || n < 20 {
		t.Errorf("audit chain after the restart: %d records, %v", n, err)
	}
}
