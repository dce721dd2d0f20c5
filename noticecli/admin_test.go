package noticecli

import (
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
	"github.com/yingpu/govbot/indexjobs"
	"github.com/yingpu/govbot/querylog"
)

// cliJobs is a job runner whose job reports progress on each look and
// finishes on the third.
type cliJobs struct {
	mu     sync.Mutex
	starts int
	looks  int
}

func (r *cliJobs) Start(actor string) (indexjobs.Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts++
	return indexjobs.Job{ID: 7, Kind: indexjobs.KindReindex, Actor: actor, State: indexjobs.StateRunning, Total: 127}, nil
}

func (r *cliJobs) Get(id uint64) (indexjobs.Job, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id != 7 {
		return indexjobs.Job{}, false, nil
	}
	r.looks++
	j := indexjobs.Job{ID: 7, Kind: indexjobs.KindReindex, Actor: "root", State: indexjobs.StateRunning, Done: 40 * r.looks, Total: 127}
	if r.looks >= 3 {
		j = indexjobs.Job{ID: 7, Kind: indexjobs.KindReindex, Actor: "root", State: indexjobs.StateDone, Done: 127, Total: 127,
			Indexed: 127, Drafts: 4, Blocked: 2, Generation: "gen-x",
			Problems: []string{"保密审查未通过 part1.jsonl:44 ben-020 id_card in body line 5"}}
	}
	return j, true, nil
}

func (r *cliJobs) History(limit int) ([]indexjobs.Job, error) { return nil, nil }

// TestNoticeCLIUnansweredAndReindex runs the admin commands against the real
// admin API over a real query log.
func TestNoticeCLIUnansweredAndReindex(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "cli.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Now()
	c := clock.Func(func() time.Time { return now })
	log, err := audit.New(db, c)
	if err != nil {
		t.Fatal(err)
	}
	ql, err := querylog.New(db)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range []string{"护照怎么办", "护照怎么办", "低保标准"} {
		if err := ql.Append(querylog.Record{At: now.Add(-time.Duration(i+1) * time.Hour), SenderHash: "h", Q: q, Answered: q == "低保标准"}); err != nil {
			t.Fatal(err)
		}
	}
	ri := &cliJobs{}
	srv := httptest.NewServer(adminapi.New(adminapi.Options{
		Audit: log, Queries: ql, Jobs: ri,
		Users: []config.User{{Name: "root", Roles: []string{"admin"}, Token: cliAdmin}, {Name: "wang", Roles: []string{"staff"}, Token: cliStaff}},
	}))
	t.Cleanup(srv.Close)

	code, out, errOut := runNotice(t, srv, cliAdmin, "", "unanswered")
	if code != 0 || !strings.Contains(out, "护照怎么办") || strings.Contains(out, "低保标准") {
		t.Fatalf("unanswered: %d %q %q", code, out, errOut)
	}
	if !strings.Contains(out, "2\t") && !strings.Contains(out, "2 ") {
		t.Fatalf("unanswered should count the question twice: %q", out)
	}
	// The reindex runs as a job on the server; the command follows it.
	code, out, errOut = runNotice(t, srv, cliAdmin, "", "reindex", "--interval", "1ms")
	if code != 0 || ri.starts != 1 || ri.looks != 3 || !strings.Contains(out, "gen-x") || !strings.Contains(out, "ben-020") ||
		!strings.Contains(errOut, "已处理 80 / 127 条") {
		t.Fatalf("reindex: %d %q %q (looks %d)", code, out, errOut, ri.looks)
	}
	if code, _, errOut = runNotice(t, srv, cliStaff, "", "reindex"); code == 0 || ri.starts != 1 || !strings.Contains(errOut, "管理员") {
		t.Fatalf("staff reindex: %d %q (starts %d)", code, errOut, ri.starts)
	}
	// --no-wait returns the job at once.
	code, out, _ = runNotice(t, srv, cliAdmin, "", "reindex", "--no-wait")
	if code != 0 || !strings.Contains(out, "重建索引任务 7 已开始") {
		t.Fatalf("reindex --no-wait: %d %q", code, out)
	}
}
