package noticecli

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/querylog"
)

type cliReindexer struct{ calls int }

func (r *cliReindexer) Reindex(ctx context.Context) (adminapi.ReindexResult, error) {
	r.calls++
	return adminapi.ReindexResult{Generation: "gen-x", Indexed: 127, Drafts: 4, Blocked: 2,
		Problems: []string{"blocked: part1.jsonl:44 ben-020 blocked: id_card in body line 5"}}, nil
}

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
	ri := &cliReindexer{}
	srv := httptest.NewServer(adminapi.New(adminapi.Options{
		Audit: log, Queries: ql, Reindexer: ri,
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
	code, out, errOut = runNotice(t, srv, cliAdmin, "", "reindex")
	if code != 0 || ri.calls != 1 || !strings.Contains(out, "gen-x") || !strings.Contains(out, "ben-020") {
		t.Fatalf("reindex: %d %q %q", code, out, errOut)
	}
	if code, _, errOut = runNotice(t, srv, cliStaff, "", "reindex"); code == 0 || ri.calls != 1 || !strings.Contains(errOut, "管理员") {
		t.Fatalf("staff reindex: %d %q (calls %d)", code, errOut, ri.calls)
	}
}
