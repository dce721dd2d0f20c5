package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/importstore"
)

type env struct {
	svc      *Service
	dir      string // imported JSONL
	log      *audit.Log
	reindex  int
	clockNow time.Time
}

func newEnv(t *testing.T, sources ...config.Source) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{dir: filepath.Join(t.TempDir(), "imported"), clockNow: time.Date(2024, 3, 6, 2, 0, 0, 0, time.UTC)}
	clk := clock.Func(func() time.Time { return e.clockNow })
	st, err := importstore.New(db, e.dir, clk)
	if err != nil {
		t.Fatal(err)
	}
	if e.log, err = audit.New(db, clk); err != nil {
		t.Fatal(err)
	}
	e.svc = &Service{Store: st, Audit: e.log, Clock: clk, Sources: sources,
		Reindex: func(context.Context) (string, error) { e.reindex++; return "indexed", nil }}
	return e
}

func (e *env) jsonl(t *testing.T, source string) []content.Disclosure {
	t.Helper()
	f, err := os.Open(filepath.Join(e.dir, source+".jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []content.Disclosure
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d content.Disclosure
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const pageA = `<html><head><meta name="PubDate" content="2024-03-01"><link rel="canonical" href="https://gk.example.gov.cn/a.html"></head>
<body><h1>社区助餐点开放时间</h1><p>每日11:00至13:00供应午餐。</p></body></html>`

func TestImportFilesUpdatesNotDuplicates(t *testing.T) {
	src := config.Source{Name: "yp", Department: "盈浦街道社区服务办", Category: "elderly", Audience: []string{"老年人"}}
	e := newEnv(t, src)
	dir := t.TempDir()
	writeFile(t, dir, "a.html", pageA)
	writeFile(t, dir, "b.csv", "姓名,电话\n张*,13812345678\n")
	writeFile(t, dir, "c.doc", "old")
	ctx := context.Background()

	rep, err := e.svc.ImportFiles(ctx, []string{dir}, Options{Source: "yp"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.Write(&out)
	if len(rep.Result.New) != 1 || len(rep.Failures) != 2 || rep.Drafts != 1 || e.reindex != 1 {
		t.Fatalf("first import:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "c.doc") || !strings.Contains(out.String(), "b.csv: no address") {
		t.Errorf("report lacks the failures' reasons:\n%s", out.String())
	}
	ds := e.jsonl(t, "yp")
	if len(ds) != 1 || ds[0].Department != "盈浦街道社区服务办" || ds[0].Category != "elderly" ||
		ds[0].Review.Status != "draft" || ds[0].URL != "https://gk.example.gov.cn/a.html" || ds[0].Audience[0] != "老年人" {
		t.Fatalf("jsonl: %+v", ds)
	}
	id := ds[0].ID

	// Same files again: nothing new; approved by a named reviewer.
	rep, err = e.svc.ImportFiles(ctx, []string{dir}, Options{Source: "yp", ApproveAs: "张敏"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.New) != 0 || len(rep.Result.Approved) != 1 || rep.Result.Unchanged != 0 {
		t.Errorf("re-import with approval: %s", rep.Summary())
	}
	ds = e.jsonl(t, "yp")
	if len(ds) != 1 || ds[0].ID != id || ds[0].Review != (content.Review{Status: "approved", Reviewer: "张敏", Date: mustDate(t, "2024-03-06")}) {
		t.Fatalf("after approval: %+v", ds)
	}
	if ds[0].ReviewProblem() != "" {
		t.Errorf("approved disclosure has a review problem: %s", ds[0].ReviewProblem())
	}

	// A changed page: updated in place, back to draft (changed text needs review).
	writeFile(t, dir, "a.html", strings.Replace(pageA, "11:00", "10:30", 1))
	rep, _ = e.svc.ImportFiles(ctx, []string{dir}, Options{Source: "yp"})
	ds = e.jsonl(t, "yp")
	if len(rep.Result.Changed) != 1 || len(ds) != 1 || ds[0].ID != id || !strings.Contains(ds[0].Body, "10:30") || ds[0].Review.Status != "draft" {
		t.Errorf("changed: %s %+v", rep.Summary(), ds)
	}

	// Unchanged re-import keeps the review given before.
	e.svc.ImportFiles(ctx, []string{dir}, Options{Source: "yp", ApproveAs: "李华"})
	rep, _ = e.svc.ImportFiles(ctx, []string{dir}, Options{Source: "yp"})
	if ds = e.jsonl(t, "yp"); ds[0].Review.Reviewer != "李华" || rep.Result.Unchanged != 1 {
		t.Errorf("unchanged re-import lost the review: %+v (%s)", ds[0].Review, rep.Summary())
	}

	recs, err := e.log.List(audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || recs[0].Action != "import.files" {
		t.Fatalf("audit: %+v", recs)
	}
	found := false
	for _, r := range recs {
		found = found || strings.Contains(r.Message, "approved as 张敏")
	}
	if !found {
		t.Errorf("the approval is not in the audit log: %+v", recs)
	}
}

func TestImportDryRunChangesNothing(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	writeFile(t, dir, "a.html", pageA)
	rep, err := e.svc.ImportFiles(context.Background(), []string{dir}, Options{Source: "files", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.New) != 1 || !strings.Contains(rep.Summary(), "dry run") {
		t.Errorf("dry run: %s", rep.Summary())
	}
	if ds := e.jsonl(t, "files"); len(ds) != 0 || e.reindex != 0 {
		t.Errorf("dry run wrote %d disclosures, reindexed %d times", len(ds), e.reindex)
	}
	if recs, _ := e.log.List(audit.Filter{}); len(recs) != 0 {
		t.Errorf("dry run audited: %+v", recs)
	}
	if rep, _ := e.svc.ImportFiles(context.Background(), []string{dir}, Options{Source: "files"}); len(rep.Result.New) != 1 {
		t.Errorf("after a dry run the page is still new: %s", rep.Summary())
	}
}

func TestImportPrivacyBlockedReported(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	writeFile(t, dir, "a.html", strings.Replace(pageA, "每日", "联系人手机13812345678，每日", 1))
	rep, _ := e.svc.ImportFiles(context.Background(), []string{dir}, Options{Source: "files", ApproveAs: "张敏"})
	if len(rep.Blocked) != 1 || !strings.Contains(rep.Blocked[0], "138****5678") {
		t.Errorf("blocked: %q", rep.Blocked)
	}
	res, err := content.Load(e.dir, content.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Publishable) != 0 || len(res.Blocked) != 1 {
		t.Errorf("the index would publish personal data: %s", res.Summary())
	}
}

func mustDate(t *testing.T, s string) content.Date {
	d, err := content.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
