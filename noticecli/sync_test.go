package noticecli

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/adminapi"
)

// cliSyncer says "running" on the first status call after a start, then
// done.
type cliSyncer struct {
	mu      sync.Mutex
	dry     bool
	polls   int
	started bool
}

func (s *cliSyncer) Start(source, actor string, dry bool) (adminapi.SyncStatus, error) {
	if source != "yp" {
		return adminapi.SyncStatus{}, fmt.Errorf("%w %q", adminapi.ErrUnknownSource, source)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dry, s.started, s.polls = dry, true, 0
	now := time.Now()
	return adminapi.SyncStatus{Source: source, State: adminapi.SyncRunning, DryRun: dry, Started: &now}, nil
}

func (s *cliSyncer) Status(source string) (adminapi.SyncStatus, error) {
	if source != "yp" {
		return adminapi.SyncStatus{}, fmt.Errorf("%w %q", adminapi.ErrUnknownSource, source)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	now := time.Now()
	if !s.started {
		return adminapi.SyncStatus{Source: source, State: adminapi.SyncIdle}, nil
	}
	if s.polls == 1 {
		return adminapi.SyncStatus{Source: source, State: adminapi.SyncRunning, Started: &now}, nil
	}
	return adminapi.SyncStatus{Source: source, State: adminapi.SyncDone, Started: &now, Finished: &now, Report: &adminapi.SyncReport{
		Source: source, DryRun: s.dry,
		New:       []adminapi.SyncChange{{ID: "yp-1", Title: "助餐点开放时间", URL: "https://a.example.cn/1.html"}},
		Withdrawn: []adminapi.SyncChange{{ID: "yp-2", Title: "旧通知", URL: "https://a.example.cn/2.html"}},
		Failed:    []adminapi.SyncFailure{{URL: "https://a.example.cn/3.html", Reason: "HTTP 500"}},
		Summary:   "sync yp: 1 new, 0 changed, 1 withdrawn"}}, nil
}

func TestNoticeCLISync(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "cli.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log, err := audit.New(db, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	s := &cliSyncer{}
	srv := httptest.NewServer(adminapi.New(adminapi.Options{Audit: log, Syncer: s,
		Users: []config.User{{Name: "root", Roles: []string{"admin"}, Token: cliAdmin}, {Name: "wang", Roles: []string{"staff"}, Token: cliStaff}}}))
	t.Cleanup(srv.Close)

	code, out, errOut := runNotice(t, srv, cliAdmin, "", "sync", "yp", "--status")
	if code != 0 || !strings.Contains(out, "未同步") {
		t.Fatalf("status before any sync: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runNotice(t, srv, cliAdmin, "", "sync", "yp", "--dry-run")
	if code != 0 || !s.dry || s.polls != 2 || !strings.Contains(out, "将新增  yp-1  助餐点开放时间") || !strings.Contains(out, "将撤下  yp-2") ||
		!strings.Contains(out, "失败  https://a.example.cn/3.html  HTTP 500") || !strings.Contains(out, "sync yp: 1 new") {
		t.Fatalf("sync --dry-run (polls %d): %d %q %q", s.polls, code, out, errOut)
	}
	code, out, _ = runNotice(t, srv, cliAdmin, "", "sync", "yp", "--no-wait")
	if code != 0 || s.polls != 0 || !strings.Contains(out, "正在同步") {
		t.Errorf("--no-wait: %d %q (polls %d)", code, out, s.polls)
	}
	if code, _, errOut := runNotice(t, srv, cliAdmin, "", "sync", "nope"); code != 1 || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown source: %d %q", code, errOut)
	}
	if code, _, errOut := runNotice(t, srv, cliStaff, "", "sync", "yp"); code != 1 || !strings.Contains(errOut, "管理员") {
		t.Errorf("staff: %d %q", code, errOut)
	}
	if code, _, _ := runNotice(t, srv, cliAdmin, "", "sync"); code != 2 {
		t.Errorf("no source: %d, want 2", code)
	}
}
