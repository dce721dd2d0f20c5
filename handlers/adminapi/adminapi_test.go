package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/yingpu/govbot/handlers/clientip"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
	bolt "go.etcd.io/bbolt"
)

type fakeOutbox struct {
	mu   sync.Mutex
	jobs []outbox.Job
}

func (o *fakeOutbox) Enqueue(tx *bolt.Tx, job outbox.Job) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.jobs = append(o.jobs, job)
	return nil
}

func (o *fakeOutbox) Report(id string) (outbox.Report, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, j := range o.jobs {
		if j.NoticeID == id {
			return outbox.Report{
				Total: len(j.Targets), Sent: 1, Failed: 1, Pending: len(j.Targets) - 2,
				ByChannel: map[string]outbox.ChannelReport{"robot": {Total: 2, Sent: 1, Failed: 1}},
				Failures:  []outbox.Failure{{Channel: "robot", Kind: "robot", ID: "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa", Code: 93000, Reason: "invalid webhook url"}},
			}, nil
		}
	}
	return outbox.Report{}, outbox.ErrUnknownNotice
}

type subs map[string][]string

func (s subs) Subscribers(topic string) ([]string, error) { return s[topic], nil }

const (
	tokStaff    = "staff-token-0123456789"
	tokStaff2   = "staff2-token-0123456789"
	tokReviewer = "reviewer-token-0123456789"
	tokAdmin    = "admin-token-0123456789"
	tokBoth     = "both-token-0123456789"
)

var t0 = time.Date(2024, 6, 1, 9, 0, 0, 0, clock.Shanghai)

type env struct {
	t     testing.TB
	srv   *httptest.Server
	h     http.Handler
	db    *bolt.DB
	audit *audit.Log
	out   *fakeOutbox
}

func users() []config.User {
	return []config.User{
		{Name: "wang", Roles: []string{"staff"}, Token: tokStaff, Department: "盈浦街道办事处"},
		{Name: "zhao", Roles: []string{"staff"}, Token: tokStaff2},
		{Name: "chen", Roles: []string{"reviewer"}, Token: tokReviewer},
		{Name: "root", Roles: []string{"admin"}, Token: tokAdmin},
		{Name: "liu", Roles: []string{"staff", "reviewer"}, Token: tokBoth},
	}
}

func newEnv(t testing.TB, proxies ...string) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "api.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := clock.NewFake(t0)
	log, err := audit.New(db, c)
	if err != nil {
		t.Fatal(err)
	}
	out := &fakeOutbox{}
	svc, err := notice.New(notice.Options{
		DB: db, Outbox: out, Audit: log, Clock: c,
		Audiences: []config.Audience{
			{Name: "防汛", Followers: true, WorkRobots: []string{"r1", "r2"}},
			{Name: "楼组长", WorkUsers: []string{"u1", "u2"}, WorkDepts: []string{"5"}},
		},
		Subscribers: subs{"防汛": {"o1", "o2", "o3"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := New(Options{Notices: svc, Audit: log, Users: users(), TrustedProxies: proxies, MaxBodyBytes: 16384})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, h: h, db: db, audit: log, out: out}
}

// do sends a request and decodes the JSON answer.
func (e *env) do(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, m
}

func (e *env) create(token string, body map[string]any) string {
	e.t.Helper()
	st, m := e.do("POST", "/api/notices", token, body)
	if st != 201 {
		e.t.Fatalf("create: %d %v", st, m)
	}
	return m["id"].(string)
}

func flood() map[string]any {
	return map[string]any{"title": "防汛预警", "body": "今晚有暴雨，请注意防范。", "audiences": []string{"防汛"}}
}

func (e *env) lastAudit() audit.Record {
	e.t.Helper()
	recs, err := e.audit.List(audit.Filter{Limit: 1})
	if err != nil || len(recs) == 0 {
		e.t.Fatalf("audit: %v %v", recs, err)
	}
	return recs[0]
}

func (e *env) snapshot() string {
	e.t.Helper()
	var b strings.Builder
	e.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			if strings.HasPrefix(string(name), "audit/") {
				return nil
			}
			fmt.Fprintf(&b, "%s:%d;", name, bk.Sequence())
			return bk.ForEach(func(k, v []byte) error {
				fmt.Fprintf(&b, "%x=%s;", k, v)
				return nil
			})
		})
	})
	return b.String()
}

func TestFlow(t *testing.T) {
	e := newEnv(t)
	st, m := e.do("POST", "/api/notices", tokStaff, map[string]any{
		"title": "防汛预警", "body": "今晚有暴雨。", "audiences": []string{"防汛", "楼组长"}, "urgent": true,
	})
	if st != 201 || m["id"] != "1" || m["status"] != "draft" || m["author"] != "wang" || m["urgent"] != true {
		t.Fatalf("create: %d %v", st, m)
	}
	rep := m["report"].(map[string]any)
	if rep["total"] != 0.0 || rep["sent"] != 0.0 || rep["by_channel"] == nil || rep["failures"] == nil {
		t.Fatalf("report before sending: %v", rep)
	}
	if r := e.lastAudit(); r.Actor != "wang" || r.Action != "notice.create" || r.NoticeID != "1" || r.Result != "ok" || r.Status != 201 || r.Remote != "127.0.0.1" {
		t.Errorf("audit %+v", r)
	}
	if st, m = e.do("POST", "/api/notices/1/submit", tokStaff, nil); st != 200 || m["status"] != "submitted" {
		t.Fatalf("submit: %d %v", st, m)
	}
	if st, m = e.do("POST", "/api/notices/1/approve", tokReviewer, map[string]any{"note": "同意发布"}); st != 200 || m["status"] != "sending" || m["reviewer"] != "chen" {
		t.Fatalf("approve: %d %v", st, m)
	}
	if r := e.lastAudit(); r.Action != "notice.approve" || r.Actor != "chen" || r.Message != "同意发布" {
		t.Errorf("audit %+v", r)
	}
	st, m = e.do("GET", "/api/notices/1", tokStaff2, nil)
	rep = m["report"].(map[string]any)
	if st != 200 || rep["total"] != 8.0 || rep["failed"] != 1.0 || rep["by_channel"].(map[string]any)["robot"] == nil {
		t.Fatalf("get: %d %v", st, m)
	}
	if f := rep["failures"].([]any)[0].(map[string]any); f["id"] != "693a…5aaa" || f["code"] != 93000.0 {
		t.Errorf("failure %v", f)
	}
	hist := m["history"].([]any)
	if len(hist) != 4 || hist[3].(map[string]any)["action"] != "send" {
		t.Errorf("history %v", hist)
	}
	if len(e.out.jobs) != 1 || !e.out.jobs[0].Urgent || len(e.out.jobs[0].Targets) != 8 {
		t.Errorf("jobs %+v", e.out.jobs)
	}
	st, m = e.do("GET", "/api/notices?status=sending", tokStaff, nil)
	if st != 200 || len(m["notices"].([]any)) != 1 {
		t.Fatalf("list: %d %v", st, m)
	}
	st, m = e.do("GET", "/api/notices?status=draft", tokStaff, nil)
	if st != 200 || len(m["notices"].([]any)) != 0 {
		t.Fatalf("list drafts: %d %v", st, m)
	}
	if n, err := e.audit.Verify(); err != nil || n < 6 {
		t.Fatalf("audit verify: %d %v", n, err)
	}
}

func TestRejectAndCancel(t *testing.T) {
	e := newEnv(t)
	id := e.create(tokStaff, flood())
	e.do("POST", "/api/notices/"+id+"/submit", tokStaff, nil)
	st, m := e.do("POST", "/api/notices/"+id+"/reject", tokReviewer, map[string]any{"reason": "请写明时间"})
	if st != 200 || m["status"] != "rejected" {
		t.Fatalf("reject: %d %v", st, m)
	}
	st, m = e.do("PATCH", "/api/notices/"+id, tokStaff, map[string]any{"body": "今晚 20 时起有暴雨。"})
	if st != 200 || m["status"] != "draft" || m["body"] != "今晚 20 时起有暴雨。" || m["title"] != "防汛预警" {
		t.Fatalf("patch: %d %v", st, m)
	}
	st, m = e.do("POST", "/api/notices/"+id+"/cancel", tokStaff, map[string]any{"note": "不再需要"})
	if st != 200 || m["status"] != "cancelled" {
		t.Fatalf("cancel: %d %v", st, m)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	draftID := e.create(tokStaff, flood())
	subID := e.create(tokStaff, flood())
	e.do("POST", "/api/notices/"+subID+"/submit", tokStaff, nil)
	ownID := e.create(tokBoth, flood())
	e.do("POST", "/api/notices/"+ownID+"/submit", tokBoth, nil)
	big := strings.Repeat("水", 2000)
	cases := []struct {
		name         string
		method, path string
		token        string
		body         any
		status, code int
		wants        string
	}{
		{"no token", "GET", "/api/notices", "", nil, 401, 40101, ""},
		{"wrong token", "GET", "/api/notices", "nope-nope-nope-nope-nope", nil, 401, 40101, ""},
		{"unknown route without token", "GET", "/api/nothing", "", nil, 401, 40101, ""},
		{"staff approves", "POST", "/api/notices/" + subID + "/approve", tokStaff2, nil, 403, 40301, "审核"},
		{"self approval", "POST", "/api/notices/" + ownID + "/approve", tokBoth, nil, 403, 40303, "自己"},
		{"self rejection", "POST", "/api/notices/" + ownID + "/reject", tokBoth, map[string]any{"reason": "x"}, 403, 40303, "自己"},
		{"staff reads audit", "GET", "/api/audit", tokStaff, nil, 403, 40301, "管理员"},
		{"reviewer reads users", "GET", "/api/users", tokReviewer, nil, 403, 40301, ""},
		{"other staff cancels", "POST", "/api/notices/" + draftID + "/cancel", tokStaff2, nil, 403, 40301, ""},
		{"other staff edits", "PATCH", "/api/notices/" + draftID, tokStaff2, map[string]any{"title": "x"}, 403, 40302, ""},
		{"bad json", "POST", "/api/notices", tokStaff, `{"title":`, 400, 40001, ""},
		{"unknown field", "POST", "/api/notices", tokStaff, `{"title":"a","body":"b","audiences":["防汛"],"colour":"red"}`, 400, 40001, "colour"},
		{"differently cased key", "POST", "/api/notices", tokStaff, `{"title":"a","Title":"b","body":"b","audiences":["防汛"]}`, 400, 40001, `"Title"（字段名区分大小写，应为 "title"）`},
		{"cased key alone", "POST", "/api/notices", tokStaff, `{"TITLE":"a","body":"b","audiences":["防汛"]}`, 400, 40001, `应为 "title"`},
		{"key twice", "POST", "/api/notices", tokStaff, `{"title":"a","title":"b","body":"b","audiences":["防汛"]}`, 400, 40001, "出现了两次"},
		{"cased note key", "POST", "/api/notices/1/reject", tokReviewer, `{"Reason":"x"}`, 400, 40001, `应为 "reason"`},
		{"wrong type", "POST", "/api/notices", tokStaff, `{"title":1}`, 400, 40001, "title"},
		{"trailing data", "POST", "/api/notices", tokStaff, `{"title":"a"} {}`, 400, 40001, "多余"},
		{"empty body", "POST", "/api/notices", tokStaff, ``, 400, 40001, ""},
		{"unknown audience", "POST", "/api/notices", tokStaff, map[string]any{"title": "a", "body": "b", "audiences": []string{"天气"}}, 400, 40003, "天气"},
		{"empty title", "POST", "/api/notices", tokStaff, map[string]any{"body": "b", "audiences": []string{"防汛"}}, 400, 40002, "标题"},
		{"too long for robot", "POST", "/api/notices", tokStaff, map[string]any{"title": "a", "body": big, "audiences": []string{"防汛"}}, 400, 40004, "2048"},
		{"privacy", "POST", "/api/notices", tokStaff, map[string]any{"title": "a", "body": "联系 13812345678", "audiences": []string{"防汛"}}, 400, 40005, "138****5678"},
		{"send_at past", "POST", "/api/notices", tokStaff, map[string]any{"title": "a", "body": "b", "audiences": []string{"防汛"}, "send_at": "2024-05-31T08:00:00+08:00"}, 400, 40002, "已过"},
		{"public without expires", "POST", "/api/notices", tokStaff, map[string]any{"title": "a", "body": "b", "audiences": []string{"防汛"}, "public": true}, 400, 40002, "expires"},
		{"approve a draft", "POST", "/api/notices/" + draftID + "/approve", tokReviewer, nil, 400, 40006, "draft"},
		{"reject without reason", "POST", "/api/notices/" + subID + "/reject", tokReviewer, nil, 400, 40007, ""},
		{"patch submitted", "PATCH", "/api/notices/" + subID, tokStaff, map[string]any{"title": "x"}, 400, 40006, ""},
		{"bad limit", "GET", "/api/notices?limit=0", tokStaff, nil, 400, 40008, "limit"},
		{"bad status", "GET", "/api/notices?status=old", tokStaff, nil, 400, 40002, "old"},
		{"bad audit date", "GET", "/api/audit?from=yesterday", tokAdmin, nil, 400, 40008, "from"},
		{"unknown notice", "GET", "/api/notices/99", tokStaff, nil, 404, 40401, "99"},
		{"unknown route", "GET", "/api/nothing", tokStaff, nil, 404, 40401, "/api/nothing"},
		{"method", "DELETE", "/api/notices/" + draftID, tokAdmin, nil, 405, 40501, ""},
		{"too large", "POST", "/api/notices", tokStaff, `{"title":"` + strings.Repeat("a", 20000) + `"}`, 413, 41301, "16384"},
	}
	refusedBefore := false
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot()
			seqBefore := e.lastAudit().Seq
			st, m := e.do(tc.method, tc.path, tc.token, tc.body)
			if st != tc.status || m["code"] != float64(tc.code) || m["http"] != float64(tc.status) {
				t.Fatalf("got %d %v, want %d code %d", st, m, tc.status, tc.code)
			}
			msg, _ := m["error"].(string)
			if msg == "" || !strings.Contains(msg, tc.wants) {
				t.Errorf("message %q, want it to contain %q", msg, tc.wants)
			}
			if e.snapshot() != before {
				t.Error("refused request changed the store")
			}
			r := e.lastAudit()
			if tc.code == 40101 {
				// Refusals for the token: the first of an address is
				// recorded, the next ones in the minute are aggregated.
				wrote := r.Seq != seqBefore
				if wrote == refusedBefore {
					t.Errorf("refusal recorded at once: %v, want %v (aggregated after the first)", wrote, !refusedBefore)
				}
				refusedBefore = true
				if !wrote {
					return
				}
			}
			if r.Result != audit.ResultError || r.Code != tc.code || r.Status != tc.status || r.Request != tc.method+" "+strings.Split(tc.path, "?")[0] {
				t.Errorf("audit record %+v", r)
			}
		})
	}
}

func TestAuthSchemes(t *testing.T) {
	e := newEnv(t)
	for _, h := range []string{"Bearer " + tokAdmin, "bearer " + tokAdmin, "Bearer  " + tokAdmin + " "} {
		req := httptest.NewRequest("GET", "/api/me", nil)
		req.Header.Set("Authorization", h)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"root"`) {
			t.Errorf("%q: %d %s", h, rec.Code, rec.Body)
		}
	}
	for _, h := range []string{"Basic " + tokAdmin, tokAdmin, "Bearer", "Bearer " + tokAdmin[:len(tokAdmin)-1]} {
		req := httptest.NewRequest("GET", "/api/me", nil)
		req.Header.Set("Authorization", h)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%q: %d", h, rec.Code)
		}
	}
}

func TestAudiencesAndUsers(t *testing.T) {
	e := newEnv(t)
	st, m := e.do("GET", "/api/audiences", tokStaff, nil)
	if st != 200 {
		t.Fatal(st, m)
	}
	got, _ := json.Marshal(m["audiences"])
	want := `[{"channels":["robot","oa"],"counts":{"followers":3,"work_robots":2},"name":"防汛"},{"channels":["work_app"],"counts":{"work_depts":1,"work_users":2},"name":"楼组长"}]`
	if string(got) != want {
		t.Errorf("audiences\n got %s\nwant %s", got, want)
	}
	st, m = e.do("GET", "/api/users", tokAdmin, nil)
	data, _ := json.Marshal(m)
	if st != 200 || strings.Contains(string(data), "token") || !strings.Contains(string(data), "盈浦街道办事处") {
		t.Errorf("users %d %s", st, data)
	}
}

func TestAuditEndpoint(t *testing.T) {
	e := newEnv(t)
	e.create(tokStaff, flood())
	e.do("GET", "/api/notices", "bad-bad-bad-bad-bad", nil)
	e.do("POST", "/api/notices/1/approve", tokReviewer, nil) // refused: draft
	st, m := e.do("GET", "/api/audit?actor=chen", tokAdmin, nil)
	if st != 200 {
		t.Fatal(st, m)
	}
	recs := m["records"].([]any)
	if len(recs) != 1 || recs[0].(map[string]any)["result"] != "error" || recs[0].(map[string]any)["code"] != 40006.0 {
		t.Fatalf("records %v", recs)
	}
	st, m = e.do("GET", "/api/audit?limit=2&from=2024-06-01&to=2024-06-01", tokAdmin, nil)
	recs = m["records"].([]any)
	if st != 200 || len(recs) != 2 {
		t.Fatalf("limited: %d %v", st, m)
	}
	// The previous audit read is itself recorded; the unauthenticated
	// request is recorded without an actor.
	first := recs[0].(map[string]any)
	if first["action"] != "audit.list" || first["actor"] != "root" {
		t.Errorf("newest record %v", first)
	}
	anon, _ := e.audit.List(audit.Filter{Actor: ""})
	found := false
	for _, r := range anon {
		if r.Actor == "" && r.Status == 401 {
			found = true
		}
	}
	if !found {
		t.Error("401 not audited")
	}
	st, m = e.do("GET", "/api/audit?to=2024-05-31", tokAdmin, nil)
	if st != 200 || len(m["records"].([]any)) != 0 {
		t.Errorf("before: %d %v", st, m)
	}
}

func TestClientIP(t *testing.T) {
	cases := []struct {
		proxies []string
		remote  string
		xff     string
		want    string
	}{
		{nil, "203.0.113.7:5555", "198.51.100.1", "203.0.113.7"},
		{[]string{"127.0.0.1"}, "127.0.0.1:5555", "198.51.100.1", "198.51.100.1"},
		{[]string{"127.0.0.1"}, "203.0.113.7:5555", "198.51.100.1", "203.0.113.7"},
		{[]string{"127.0.0.1", "10.0.0.0/8"}, "127.0.0.1:1", "6.6.6.6, 198.51.100.1, 10.1.2.3", "198.51.100.1"},
		{[]string{"127.0.0.1"}, "127.0.0.1:1", "", "127.0.0.1"},
		{[]string{"127.0.0.1"}, "127.0.0.1:1", "garbage", "127.0.0.1"},
		{[]string{"::1"}, "[::1]:1", "2001:db8::5", "2001:db8::5"},
	}
	for _, tc := range cases {
		api := &api{}
		api.ips, _ = clientip.New(tc.proxies)
		req := httptest.NewRequest("GET", "/api/me", nil)
		req.RemoteAddr = tc.remote
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := api.clientIP(req); got != tc.want {
			t.Errorf("%v %s %q: got %s, want %s", tc.proxies, tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestClientIPRecorded(t *testing.T) {
	e := newEnv(t, "127.0.0.1")
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+tokStaff)
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := e.lastAudit(); r.Remote != "198.51.100.9" {
		t.Errorf("remote %q", r.Remote)
	}
}

type failingNotices struct{ Notices }

func (failingNotices) List(notice.ListFilter) ([]notice.Notice, error) {
	return nil, errors.New("bolt: database not open")
}

func TestInternalErrorHidesCause(t *testing.T) {
	e := newEnv(t)
	h := New(Options{Notices: failingNotices{}, Audit: e.audit, Users: users()})
	req := httptest.NewRequest("GET", "/api/notices", nil)
	req.Header.Set("Authorization", "Bearer "+tokStaff)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "bolt") || !strings.Contains(rec.Body.String(), "50001") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	if r := e.lastAudit(); r.Code != 50001 || !strings.Contains(r.Message, "bolt") {
		t.Errorf("audit %+v", r)
	}
}

// BenchmarkGet measures an authenticated GET of a notice through the
// handler, its audit record included.
func BenchmarkGet(b *testing.B) {
	e := newEnv(b)
	id := e.create(tokStaff, flood())
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/notices/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+tokReviewer)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
