package noticecli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/notice"
	"github.com/yingpu/govbot/outbox"
	bolt "go.etcd.io/bbolt"
)

type cliOutbox struct {
	mu   sync.Mutex
	jobs []outbox.Job
}

func (o *cliOutbox) Enqueue(tx *bolt.Tx, job outbox.Job) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.jobs = append(o.jobs, job)
	return nil
}

func (o *cliOutbox) Report(id string) (outbox.Report, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, j := range o.jobs {
		if j.NoticeID == id {
			return outbox.Report{
				Total: len(j.Targets), Sent: len(j.Targets) - 1, Failed: 1,
				ByChannel: map[string]outbox.ChannelReport{"robot": {Total: len(j.Targets), Sent: len(j.Targets) - 1, Failed: 1}},
				Failures:  []outbox.Failure{{Channel: "robot", Kind: "robot", ID: "key-aaaa-bbbb-cccc", Code: 93000, Reason: "invalid webhook url"}},
			}, nil
		}
	}
	return outbox.Report{}, outbox.ErrUnknownNotice
}

const (
	cliStaff    = "cli-staff-token-0123456789"
	cliReviewer = "cli-reviewer-token-0123456789"
	cliAdmin    = "cli-admin-token-0123456789"
)

func newNoticeServer(t *testing.T) (*httptest.Server, *cliOutbox) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "cli.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := clock.Func(func() time.Time { return time.Date(2024, 6, 1, 9, 0, 0, 0, clock.Shanghai) })
	log, err := audit.New(db, c)
	if err != nil {
		t.Fatal(err)
	}
	out := &cliOutbox{}
	svc, err := notice.New(notice.Options{
		DB: db, Outbox: out, Audit: log, Clock: c,
		Audiences: []config.Audience{
			{Name: "防汛", WorkRobots: []string{"key-1", "key-2"}},
			{Name: "楼组长", WorkUsers: []string{"u1"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(adminapi.New(adminapi.Options{
		Notices: svc, Audit: log,
		Users: []config.User{
			{Name: "wang", Roles: []string{"staff"}, Token: cliStaff},
			{Name: "chen", Roles: []string{"reviewer"}, Token: cliReviewer},
			{Name: "root", Roles: []string{"admin"}, Token: cliAdmin},
		},
	}))
	t.Cleanup(srv.Close)
	return srv, out
}

// runNotice runs `govbot notice ARGS` against srv and returns the exit code,
// standard output and standard error.
func runNotice(t *testing.T, srv *httptest.Server, token, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	all := append([]string{"notice", "--server", srv.URL, "--token", token}, args...)
	code := run(all, stdin, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// run runs `govbot ARGS` with only the notice command and returns the exit
// code.
func run(args []string, stdin string, stdout, stderr *bytes.Buffer) int {
	root := &cobra.Command{Use: "govbot"}
	root.AddCommand(Command())
	return cli.Execute(context.Background(), root, args, cli.IO{In: strings.NewReader(stdin), Out: stdout, Err: stderr})
}

func TestNoticeCLIFlow(t *testing.T) {
	srv, out := newNoticeServer(t)
	code, so, se := runNotice(t, srv, cliStaff, "", "create", "--title", "防汛预警", "--body", "今晚有暴雨。",
		"--audience", "防汛", "--audience", "楼组长", "--urgent")
	if code != 0 || !strings.Contains(so, "已创建通知 1") || !strings.Contains(so, "草稿（draft）") {
		t.Fatalf("create: %d %q %q", code, so, se)
	}
	if code, so, se = runNotice(t, srv, cliStaff, "", "submit", "1"); code != 0 || !strings.Contains(so, "待审核（submitted）") {
		t.Fatalf("submit: %d %q %q", code, so, se)
	}
	// Flags after the ID are parsed too.
	if code, so, se = runNotice(t, srv, cliReviewer, "", "approve", "1", "--note", "同意"); code != 0 || !strings.Contains(so, "发送中（sending）") {
		t.Fatalf("approve: %d %q %q", code, so, se)
	}
	if len(out.jobs) != 1 || len(out.jobs[0].Targets) != 3 || !out.jobs[0].Urgent {
		t.Fatalf("jobs %+v", out.jobs)
	}
	code, so, se = runNotice(t, srv, cliStaff, "", "get", "1")
	if code != 0 {
		t.Fatalf("get: %d %q", code, se)
	}
	for _, want := range []string{"通知 1：防汛预警", "受众：防汛、楼组长", "紧急：是", "审核：chen",
		"送达情况：共 3，已送达 2，失败 1", "群机器人：共 3", "robot/robot/key-…cccc  93000  invalid webhook url",
		"批准（approve）  chen  同意", "今晚有暴雨。"} {
		if !strings.Contains(so, want) {
			t.Errorf("get output lacks %q:\n%s", want, so)
		}
	}
	if strings.Contains(so, "key-aaaa-bbbb-cccc") {
		t.Error("robot key shown in full")
	}
	code, so, _ = runNotice(t, srv, cliStaff, "", "get", "1", "--json")
	var n map[string]any
	if code != 0 || json.Unmarshal([]byte(so), &n) != nil || n["status"] != "sending" {
		t.Fatalf("get --json: %d %s", code, so)
	}
	code, so, _ = runNotice(t, srv, cliStaff, "", "list", "--status", "sending")
	if code != 0 || !strings.Contains(so, "防汛预警") || !strings.Contains(so, "sending") {
		t.Errorf("list: %d %s", code, so)
	}
	code, so, _ = runNotice(t, srv, cliStaff, "", "list", "--status", "draft")
	if code != 0 || !strings.Contains(so, "没有通知") {
		t.Errorf("list drafts: %d %s", code, so)
	}
	code, so, _ = runNotice(t, srv, cliStaff, "", "audiences")
	if code != 0 || !strings.Contains(so, "防汛：群机器人 2") || !strings.Contains(so, "楼组长：企业微信成员 1") {
		t.Errorf("audiences: %d %s", code, so)
	}
	code, so, se = runNotice(t, srv, cliAdmin, "", "audit", "--limit", "50")
	if code != 0 {
		t.Fatalf("audit: %d %q", code, se)
	}
	for _, want := range []string{"notice.create", "notice.approve", "chen", "notice.send", "system", "127.0.0.1"} {
		if !strings.Contains(so, want) {
			t.Errorf("audit output lacks %q:\n%s", want, so)
		}
	}
	code, so, _ = runNotice(t, srv, cliReviewer, "", "whoami")
	if code != 0 || !strings.Contains(so, "chen（reviewer）") {
		t.Errorf("whoami: %d %s", code, so)
	}
}

func TestNoticeCLIBodyFileRejectEdit(t *testing.T) {
	srv, _ := newNoticeServer(t)
	code, _, se := runNotice(t, srv, cliStaff, "今晚 20 时起停水。\n", "create", "--title", "停水通知",
		"--body-file", "-", "--audience", "楼组长", "--submit")
	if code != 0 {
		t.Fatalf("create --submit: %d %s", code, se)
	}
	code, so, se := runNotice(t, srv, cliReviewer, "", "reject", "1", "--reason", "请写明恢复时间")
	if code != 0 || !strings.Contains(so, "已退回（rejected）") {
		t.Fatalf("reject: %d %s %s", code, so, se)
	}
	path := filepath.Join(t.TempDir(), "body.txt")
	os.WriteFile(path, []byte("今晚 20 时至 23 时停水。"), 0o600)
	code, so, se = runNotice(t, srv, cliStaff, "", "edit", "1", "--body-file", path)
	if code != 0 || !strings.Contains(so, "草稿（draft）") {
		t.Fatalf("edit: %d %s %s", code, so, se)
	}
	_, so, _ = runNotice(t, srv, cliStaff, "", "get", "1", "--json")
	var n map[string]any
	json.Unmarshal([]byte(so), &n)
	if n["body"] != "今晚 20 时至 23 时停水。" || n["title"] != "停水通知" {
		t.Errorf("after edit: %v", n)
	}
	if code, so, _ = runNotice(t, srv, cliStaff, "", "cancel", "1"); code != 0 || !strings.Contains(so, "已撤销") {
		t.Errorf("cancel: %d %s", code, so)
	}
}

func TestNoticeCLIErrors(t *testing.T) {
	srv, _ := newNoticeServer(t)
	runNotice(t, srv, cliStaff, "", "create", "--title", "a", "--body", "b", "--audience", "防汛")
	cases := []struct {
		name  string
		token string
		args  []string
		code  int
		wants string
	}{
		{"unknown audience", cliStaff, []string{"create", "--title", "a", "--body", "b", "--audience", "天气"}, 1, "未知的受众“天气”，可选：防汛、楼组长（错误码 40003，HTTP 400）"},
		{"self approve by staff", cliStaff, []string{"approve", "1"}, 1, "40301"},
		{"approve a draft", cliReviewer, []string{"approve", "1"}, 1, "40006"},
		{"reject without reason", cliReviewer, []string{"reject", "1"}, 1, "40007"},
		{"bad token", "wrong-token-0123456789", []string{"list"}, 1, "40101"},
		{"staff audit", cliStaff, []string{"audit"}, 1, "40301"},
		{"missing notice", cliStaff, []string{"get", "42"}, 1, "40401"},
		{"no id", cliStaff, []string{"get"}, 2, "needs one notice ID"},
		{"create without audience", cliStaff, []string{"create", "--title", "a", "--body", "b"}, 2, "--audience"},
		{"unknown command", cliStaff, []string{"delete", "1"}, 2, `unknown command "delete" for "govbot notice"`},
		{"both bodies", cliStaff, []string{"create", "--title", "a", "--body", "b", "--body-file", "x", "--audience", "防汛"}, 2, "not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, so, se := runNotice(t, srv, tc.token, "", tc.args...)
			if code != tc.code || !strings.Contains(se, tc.wants) {
				t.Fatalf("got %d\nstdout %s\nstderr %s\nwant %d with %q", code, so, se, tc.code, tc.wants)
			}
		})
	}
}

func TestNoticeCLINoTokenNoServer(t *testing.T) {
	t.Setenv("GOVBOT_TOKEN", "")
	var so, se bytes.Buffer
	if code := run([]string{"notice", "list"}, "", &so, &se); code != 2 || !strings.Contains(se.String(), "GOVBOT_TOKEN") {
		t.Errorf("no token: %d %s", code, se.String())
	}
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	t.Setenv("GOVBOT_SERVER", url)
	t.Setenv("GOVBOT_TOKEN", cliStaff)
	so.Reset()
	se.Reset()
	if code := run([]string{"notice", "list"}, "", &so, &se); code != 1 || !strings.Contains(se.String(), "无法连接服务器") {
		t.Errorf("server down: %d %s", code, se.String())
	}
}

// TestNoticeCLIHelpAndGlobals: help for the group and a subcommand, the
// group alone is a usage error, and --json is taken before or after the
// subcommand.
func TestNoticeCLIHelpAndGlobals(t *testing.T) {
	srv, _ := newNoticeServer(t)
	var so, se bytes.Buffer
	if code := run([]string{"notice"}, "", &so, &se); code != 2 || so.Len() != 0 || !strings.Contains(se.String(), "Available Commands") {
		t.Errorf("notice alone: %d stdout %q stderr %q", code, so.String(), se.String())
	}
	so.Reset()
	se.Reset()
	if code := run([]string{"notice", "help", "create"}, "", &so, &se); code != 0 || !strings.Contains(so.String(), "--body-file") || !strings.Contains(so.String(), "--token") {
		t.Errorf("notice help create: %d %q", code, so.String())
	}
	for _, args := range [][]string{{"--json", "whoami"}, {"whoami", "--json"}} {
		code, out, errOut := runNotice(t, srv, cliReviewer, "", args...)
		var me map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &me) != nil || me["name"] != "chen" {
			t.Errorf("%v: %d %q %q", args, code, out, errOut)
		}
	}
	// The token is never shown as a default in --help.
	t.Setenv("GOVBOT_TOKEN", "secret-token-0123456789")
	so.Reset()
	if code := run([]string{"notice", "list", "--help"}, "", &so, &se); code != 0 || strings.Contains(so.String(), "secret-token") {
		t.Errorf("help shows the token: %d\n%s", code, so.String())
	}
}
