package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
)

var (
	staff    = Actor{Name: "wangfang", Roles: []string{RoleStaff}}
	staff2   = Actor{Name: "zhaolei", Roles: []string{RoleStaff}}
	reviewer = Actor{Name: "lihua", Roles: []string{RoleReviewer}}
	admin    = Actor{Name: "admin", Roles: []string{RoleAdmin}}
	now      = time.Date(2026, 12, 1, 10, 0, 0, 0, clock.Shanghai)
)

type fixture struct {
	c      *Catalog
	export string
	asks   string
	db     *bolt.DB
}

func newFixture(t *testing.T, sources ...string) fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "test.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := fixture{export: filepath.Join(dir, "console"), asks: filepath.Join(dir, "asks.json"), db: db}
	f.c, err = New(Options{DB: db, ExportDir: f.export, AsksFile: f.asks, SourceDirs: sources, Clock: clock.Fixed(now)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func disclosure(id, body string) content.Disclosure {
	d, _ := content.ParseDate("2026-11-30")
	return content.Disclosure{ID: id, Title: "社区冬季送温暖活动通知", Category: "welfare", Department: "社区服务办",
		Published: d, Effective: d, URL: "https://gk.yingpu.example/zwgk/2026/" + id + ".html", Body: body,
		// A review in what is written is never taken as given.
		Review: content.Review{Status: "approved", Reviewer: "wangfang", Date: d}}
}

func code(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func exported(t *testing.T, f fixture) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.export, ExportFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReviewWorkflow(t *testing.T) {
	f := newFixture(t)
	c := f.c
	e, err := c.Save(staff, disclosure("win-001", "12月5日在社区中心发放棉被。"), "form", true)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != StatusPending || e.Disclosure.Review.Status != "draft" || e.Live != nil {
		t.Fatalf("saved: status %s review %+v live %v; want pending, draft review, nothing live", e.Status, e.Disclosure.Review, e.Live)
	}
	if strings.Contains(exported(t, f), "win-001") {
		t.Error("a disclosure awaiting review is exported for the index")
	}
	// Refusals: the author, staff, a rejection without reason.
	if _, err := c.Approve(Actor{Name: "wangfang", Roles: []string{RoleStaff, RoleReviewer}}, "win-001", ""); code(err) != CodeSelfReview {
		t.Errorf("author approving: %v, want self_review", err)
	}
	if _, err := c.Approve(staff2, "win-001", ""); code(err) != CodeForbidden {
		t.Errorf("staff approving: %v, want forbidden", err)
	}
	if _, err := c.Reject(reviewer, "win-001", "  "); code(err) != CodeReasonRequired {
		t.Errorf("reject without reason: %v, want reason_required", err)
	}
	if _, err := c.Approve(reviewer, "nope", ""); code(err) != CodeNotFound {
		t.Errorf("approve unknown: %v, want not_found", err)
	}
	// Rejected, fixed by another staff member, approved.
	e, err = c.Reject(reviewer, "win-001", "请写明发放地点")
	if err != nil || e.Status != StatusRejected || e.Reason != "请写明发放地点" {
		t.Fatalf("reject: %+v, %v", e, err)
	}
	if _, err := c.Approve(reviewer, "win-001", ""); code(err) != CodeStatus {
		t.Errorf("approving a rejected one: %v, want status", err)
	}
	if _, err := c.Save(staff2, disclosure("win-001", "12月5日在盈浦社区中心（公园路368号）发放棉被。"), "form", true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Approve(Actor{Name: "zhaolei", Roles: []string{RoleAdmin}}, "win-001", ""); code(err) != CodeSelfReview {
		t.Errorf("an editor approving: %v, want self_review", err)
	}
	e, err = c.Approve(reviewer, "win-001", "同意公开")
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != StatusPublished || e.Live == nil {
		t.Fatalf("approved: %+v", e)
	}
	if r := e.Live.Review; r.Status != "approved" || r.Reviewer != "lihua" || r.Date.String() != "2026-12-01" {
		t.Errorf("review record %+v, want approved by lihua on 2026-12-01", r)
	}
	if e.Live.ReviewProblem() != "" {
		t.Errorf("live version not publishable: %s", e.Live.ReviewProblem())
	}
	if out := exported(t, f); !strings.Contains(out, `"id":"win-001"`) || !strings.Contains(out, `"reviewer":"lihua"`) {
		t.Errorf("export after approval: %s", out)
	}
	var actions []string
	for _, h := range e.History {
		actions = append(actions, h.Actor+":"+h.Action)
	}
	if got := strings.Join(actions, " "); got != "wangfang:create lihua:reject zhaolei:edit lihua:approve" {
		t.Errorf("history %s", got)
	}

	// An edit of a published one keeps the approved version live.
	e, err = c.Save(staff, disclosure("win-001", "改期至12月6日。"), "form", true)
	if err != nil || e.Status != StatusPending || e.Live == nil || !strings.Contains(e.Live.Body, "12月5日") {
		t.Errorf("edit after publishing: %+v, %v", e, err)
	}
	if !strings.Contains(exported(t, f), "12月5日") {
		t.Error("the live version left the export while its edit awaits review")
	}

	// Ending.
	if _, err := c.End(staff, "win-001", ""); code(err) != CodeForbidden {
		t.Errorf("staff ending: %v", err)
	}
	e, err = c.End(reviewer, "win-001", "活动结束")
	if err != nil || e.Status != StatusEnded || e.Live.Expires.String() != "2026-11-30" {
		t.Errorf("end: %+v, %v", e, err)
	}
	if e.Live.StatusOn(now) != content.Expired {
		t.Error("an ended disclosure is still in force")
	}
}

func TestPrivacyBlocks(t *testing.T) {
	c := newFixture(t).c
	e, err := c.Save(staff, disclosure("pv-1", "联系人张三，身份证 11010519491231002X，电话 13912345678。"), "form", true)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != StatusBlocked || len(e.Findings) != 2 {
		t.Fatalf("status %s, findings %+v; want blocked with 2", e.Status, e.Findings)
	}
	for _, f := range e.Findings {
		if strings.Contains(f.Masked, "19491231") || strings.Contains(f.Masked, "1234567") || f.Field != "body" || f.Line != 1 {
			t.Errorf("finding %+v: must be masked, in body line 1", f)
		}
	}
	if got := FindingsText(e.Findings); !strings.Contains(got, "正文第 1 行") || !strings.Contains(got, "身份证号 1101**********002X") {
		t.Errorf("FindingsText = %s", got)
	}
	_, err = c.Approve(reviewer, "pv-1", "")
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != CodePrivacy || len(ce.Findings) != 2 {
		t.Fatalf("approving a blocked one: %v", err)
	}
	if _, err := c.Submit(staff, "pv-1"); code(err) != CodePrivacy {
		t.Errorf("submitting a blocked one: %v", err)
	}
	// Fixed: the check passes and it awaits review again.
	e, err = c.Save(staff, disclosure("pv-1", "联系电话 021-59731234（社区服务办）。"), "form", true)
	if err != nil || e.Status != StatusPending || len(e.Findings) != 0 {
		t.Errorf("after fixing: %+v, %v", e, err)
	}
}

func TestSaveRefusals(t *testing.T) {
	c := newFixture(t).c
	bad := disclosure("bad id", "")
	bad.URL = "gk.example"
	_, err := c.Save(staff, bad, "form", true)
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != CodeInvalid || len(ce.Problems) != 3 {
		t.Fatalf("invalid: %v (%+v)", err, ce)
	}
	for _, want := range []string{"编号不能含空格", "缺少正文", "链接须为"} {
		if !strings.Contains(ce.Msg, want) {
			t.Errorf("message %q lacks %q", ce.Msg, want)
		}
	}
	if _, err := c.Save(reviewer, disclosure("x", "正文"), "form", true); code(err) != CodeForbidden {
		t.Errorf("reviewer writing: %v, want forbidden", err)
	}
	// An id is made when none is given; a draft is not pending.
	d := disclosure("", "正文")
	e, err := c.Save(staff, d, "form", false)
	if err != nil || e.ID != "console-20261201-1" || e.Status != StatusDraft {
		t.Errorf("no id: %+v, %v", e, err)
	}
	if _, err := c.Approve(reviewer, e.ID, ""); code(err) != CodeStatus {
		t.Errorf("approving a draft: %v", err)
	}
	if e, err := c.Submit(staff, e.ID); err != nil || e.Status != StatusPending {
		t.Errorf("submit: %+v, %v", e, err)
	}
}

func TestUpload(t *testing.T) {
	c := newFixture(t).c
	good := `{"id":"up-1","title":"社区图书室开放时间","department":"社区文化中心","published":"2026-11-28","url":"https://gk.yingpu.example/up-1.html","review":{"status":"approved","reviewer":"wangfang","date":"2026-11-28"},"body":"每周二至周日开放。"}`
	blocked := `{"id":"up-2","title":"联系人","url":"https://gk.yingpu.example/up-2.html","body":"手机 13912345678"}`
	file := good + "\n" + blocked + "\n{not json}\n" + `{"id":"up-3","title":"无正文","url":"https://x.example/"}` + "\n"
	res, err := c.Upload(staff, "batch.jsonl", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Saved) != 2 || len(res.Errors) != 2 {
		t.Fatalf("saved %d, errors %+v", len(res.Saved), res.Errors)
	}
	if res.Saved[0].Status != StatusPending || res.Saved[0].Disclosure.Review.Status != "draft" || res.Saved[0].History[0].Action != "upload" {
		t.Errorf("uploaded %+v: want pending, its review in the file ignored", res.Saved[0])
	}
	if res.Saved[1].Status != StatusBlocked {
		t.Errorf("up-2 status %s, want blocked", res.Saved[1].Status)
	}
	if res.Errors[0].Line != 3 || res.Errors[1].Line != 4 {
		t.Errorf("errors %+v, want lines 3 and 4", res.Errors)
	}
	md := "---\ntitle: 社区健身苑点位\nurl: https://gk.yingpu.example/md.html\npublished: 2026-11-20\n---\n健身苑位于公园路。\n"
	res, err = c.Upload(staff, "jianshen.md", []byte(md))
	if err != nil || len(res.Saved) != 1 || res.Saved[0].ID != "jianshen" {
		t.Errorf("markdown upload: %+v, %v", res, err)
	}
	if _, err := c.Upload(staff, "x.docx", []byte("x")); code(err) != CodeInvalid {
		t.Errorf("docx: %v", err)
	}
	if _, err := c.Upload(staff, "empty.jsonl", []byte("\n")); code(err) != CodeInvalid {
		t.Errorf("empty: %v", err)
	}
	if _, err := c.Upload(reviewer, "batch.jsonl", []byte(good)); code(err) != CodeForbidden {
		t.Errorf("reviewer uploading: %v", err)
	}
}

func TestAsksOverlay(t *testing.T) {
	f := newFixture(t)
	c := f.c
	// Any disclosure id, shipped or not.
	asks, err := c.AddAsk(admin, "eld-001", "老人吃饭的地方")
	if err != nil || len(asks) != 1 || asks[0].By != "admin" {
		t.Fatalf("AddAsk: %+v, %v", asks, err)
	}
	if _, err := c.AddAsk(admin, "eld-001", " 老人吃饭的地方？"); code(err) != CodeDuplicate {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := c.AddAsk(staff, "eld-001", "助餐"); code(err) != CodeForbidden {
		t.Errorf("staff adding: %v", err)
	}
	if _, err := c.AddAsk(admin, "eld-001", "我的手机13912345678"); code(err) != CodePrivacy {
		t.Errorf("personal data: %v", err)
	}
	if _, err := c.AddAsk(admin, "eld-001", ""); code(err) != CodeInvalid {
		t.Errorf("empty: %v", err)
	}
	m, err := ReadAsksFile(f.asks)
	if err != nil || len(m["eld-001"]) != 1 || m["eld-001"][0] != "老人吃饭的地方" {
		t.Errorf("asks file %v, %v", m, err)
	}
	// Kept apart from entries: re-saving (a re-import) keeps them.
	d := disclosure("eld-001", "长者食堂")
	d.Asks = []string{"from the file"}
	if _, err := c.Save(staff, d, "data", true); err != nil {
		t.Fatal(err)
	}
	if a, _ := c.Asks("eld-001"); len(a) != 1 {
		t.Errorf("asks after a re-save: %+v", a)
	}
	if a, err := c.RemoveAsk(admin, "eld-001", "老人吃饭的地方"); err != nil || len(a) != 0 {
		t.Errorf("remove: %+v, %v", a, err)
	}
	if m, _ := ReadAsksFile(f.asks); len(m) != 0 {
		t.Errorf("asks file after removal: %v", m)
	}
	if m, err := ReadAsksFile(filepath.Join(t.TempDir(), "none.json")); err != nil || len(m) != 0 {
		t.Errorf("missing asks file: %v, %v", m, err)
	}
}

func TestListMergesShipped(t *testing.T) {
	f := newFixture(t, "../data")
	c := f.c
	all, err := c.List(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	counts := Counts(all)
	if counts[StatusPublished] == 0 || counts[StatusDraft] == 0 || counts[StatusBlocked] == 0 {
		t.Errorf("counts of the shipped data %v: want published, drafts and blocked", counts)
	}
	s, err := c.Lookup("eld-001")
	if err != nil || s.Status != StatusPublished {
		t.Fatalf("Lookup: %+v, %v", s, err)
	}
	// Edited in the console: one row, the console's.
	d := s.Disclosure
	d.Body += "\n新增：周日休息。"
	if _, err := c.Save(staff, d, "data", true); err != nil {
		t.Fatal(err)
	}
	rows, err := c.List(Filter{Q: "eld-001"})
	if err != nil || len(rows) != 1 || !rows[0].Entry || rows[0].Status != StatusPending {
		t.Errorf("rows for eld-001 after an edit: %+v, %v", rows, err)
	}
	rows, _ = c.List(Filter{Status: StatusPending})
	if len(rows) != 1 {
		t.Errorf("pending rows %d, want 1", len(rows))
	}
	if _, err := c.Lookup("nope"); code(err) != CodeNotFound {
		t.Errorf("Lookup unknown: %v", err)
	}
	b, err := c.ExportJSONL(false)
	if err != nil || !strings.Contains(string(b), "周日休息") {
		t.Errorf("export of working versions: %s, %v", b, err)
	}
	docs, errs := content.Parse("export.jsonl", b)
	if len(docs) != 1 || len(errs) != 0 {
		t.Errorf("the export does not read back: %d docs, %v", len(docs), errs)
	}
}

func TestShippedFollowsTheFiles(t *testing.T) {
	dir := t.TempDir()
	line := func(id, title string) string {
		return `{"id":"` + id + `","title":"` + title + `","url":"https://gk.yingpu.example/` + id + `.html","published":"2026-11-01","review":{"status":"approved","reviewer":"李伟","date":"2026-11-01"},"body":"正文"}` + "\n"
	}
	path := filepath.Join(dir, "a.jsonl")
	os.WriteFile(path, []byte(line("s-1", "第一版")), 0o644)
	c := newFixture(t, dir).c
	if s, err := c.Lookup("s-1"); err != nil || s.Disclosure.Title != "第一版" {
		t.Fatalf("Lookup: %+v, %v", s, err)
	}
	os.WriteFile(path, []byte(line("s-1", "第二版")+line("s-2", "新增")), 0o644)
	if s, err := c.Lookup("s-1"); err != nil || s.Disclosure.Title != "第二版" {
		t.Errorf("after the file changed: %+v, %v", s, err)
	}
	if rows, _ := c.List(Filter{}); len(rows) != 2 {
		t.Errorf("rows %d, want 2", len(rows))
	}
}
