package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/hittest"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/indexjobs"
	"github.com/yingpu/govbot/lexicon"
	"github.com/yingpu/govbot/querylog"
)

// fakeIndex builds at once and rolls back between two generations.
type fakeIndex struct {
	mu        sync.Mutex
	gen, prev string
	builds    int
}

func (f *fakeIndex) RebuildWatched(ctx context.Context, progress index.Progress, loaded func(*content.LoadResult)) (*index.BuildReport, error) {
	loaded(&content.LoadResult{Drafts: []content.Skipped{{ID: "d-1", File: "x.jsonl", Line: 3, Reason: "no review status"}}})
	progress(1, 2)
	progress(2, 2)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds++
	f.prev, f.gen = f.gen, "gen-"+string(rune('a'+f.builds))
	return &index.BuildReport{Generation: f.gen, Indexed: 2}, nil
}

func (f *fakeIndex) Rollback() (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.prev == "" {
		return "", "", index.ErrNoPrevious
	}
	f.gen, f.prev = f.prev, f.gen
	return f.prev, f.gen, nil
}

func (f *fakeIndex) Generation() string { f.mu.Lock(); defer f.mu.Unlock(); return f.gen }

// fakeAnswerer answers 低保 questions with an explanation.
type fakeAnswerer struct{}

func (fakeAnswerer) Full(ctx context.Context, id string, now time.Time) (index.Hit, error) {
	return index.Hit{}, index.ErrNoDisclosure
}

func (fakeAnswerer) Analyze(text string) index.Analysis { return index.Analysis{} }

func (fakeAnswerer) Ask(ctx context.Context, q index.Query) (index.Answer, error) {
	if strings.Contains(q.Text, "低保") {
		return index.Answer{Answered: true, Confidence: 0.86, Hits: []index.Hit{{
			ID: "ben-001", Score: 0.86, Title: "2025年低保标准调整", Status: index.Current, Coverage: 0.86,
			Passage: &index.Passage{Text: "城乡低保标准为每人每月1510元。", Whole: true},
			Matched: []index.Match{{Term: "低保", Where: index.InTitle}, {Term: "标准", Where: index.InBody}},
			Factors: map[string]float64{"coverage": 0.86, "time": 1}}},
			Skipped: []index.Skipped{{ID: "ben-old", Title: "2022年低保标准", Reason: "superseded"}}}, nil
	}
	return index.Answer{Decline: index.DeclineNotCovered, Hits: []index.Hit{}}, nil
}

type contentEnv struct {
	*env
	cat  *catalog.Catalog
	jobs *indexjobs.Runner
	ql   *querylog.Log
	fx   *fakeIndex
}

func newContentEnv(t *testing.T) *contentEnv {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "content.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ce := &contentEnv{fx: &fakeIndex{gen: "gen-a"}}
	dir := t.TempDir()
	ce.cat, err = catalog.New(catalog.Options{DB: db, ExportDir: filepath.Join(dir, "console"), AsksFile: filepath.Join(dir, "asks.json"),
		SourceDirs: []string{"../../data"}})
	if err != nil {
		t.Fatal(err)
	}
	lx, err := lexicon.New(lexicon.Options{DB: db, DataDir: "../../data", Dir: filepath.Join(dir, "lexicon")})
	if err != nil {
		t.Fatal(err)
	}
	ce.jobs, err = indexjobs.New(indexjobs.Options{DB: db, Index: ce.fx, Before: lx.Materialize})
	if err != nil {
		t.Fatal(err)
	}
	ce.ql, err = querylog.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ce.env = newEnv(t, func(o *Options) {
		o.Content = ContentOptions{Catalog: ce.cat, Jobs: ce.jobs, JobsContext: context.Background(), IndexDir: filepath.Join(dir, "index"),
			Lexicon: lx, HitTest: hittest.New(hittest.Options{Answerer: fakeAnswerer{}}), Queries: ce.ql, MinScore: 0.25}
	})
	ce.clock.t = time.Now()
	return ce
}

func (ce *contentEnv) waitJobs() {
	for i := 0; i < 200; i++ {
		if _, running := ce.jobs.Running(); !running {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	ce.t.Fatal("reindex job never finished")
}

func contentRoutes() []route {
	readers := []string{config.RoleStaff, config.RoleReviewer, config.RoleAdmin}
	staff := []string{config.RoleStaff, config.RoleAdmin}
	reviewers := []string{config.RoleReviewer, config.RoleAdmin}
	admins := []string{config.RoleAdmin}
	d := "/admin/disclosures/eld-001"
	return []route{
		{"GET", "/admin/disclosures", readers},
		{"GET", "/admin/disclosures/new", staff},
		{"POST", "/admin/disclosures", staff},
		{"GET", "/admin/disclosures/upload", staff},
		{"POST", "/admin/disclosures/upload", staff},
		{"GET", "/admin/disclosures/export.jsonl", readers},
		{"GET", d, readers},
		{"GET", d + "/edit", staff},
		{"POST", d + "/submit", staff},
		{"POST", d + "/approve", reviewers},
		{"POST", d + "/reject", reviewers},
		{"POST", d + "/end", reviewers},
		{"POST", d + "/asks", admins},
		{"POST", d + "/asks/remove", admins},
		{"GET", "/admin/hittest", readers},
		{"GET", "/admin/reindex", admins},
		{"POST", "/admin/reindex", admins},
		{"POST", "/admin/reindex/rollback", admins},
		{"GET", "/admin/reindex/jobs/1", readers},
		{"GET", "/admin/demand", admins},
		{"GET", "/admin/demand.csv", admins},
		{"POST", "/admin/demand/ask", admins},
		{"POST", "/admin/demand/synonym", admins},
		{"GET", "/admin/lexicon", admins},
		{"POST", "/admin/lexicon", admins},
		{"POST", "/admin/lexicon/revert", admins},
	}
}

// TestContentRoutesCheckSessionRoleAndCSRF: 401 without a session, 403 for
// a role without the route, 403 without the CSRF token.
func TestContentRoutesCheckSessionRoleAndCSRF(t *testing.T) {
	e := newContentEnv(t)
	browsers := map[string]*browser{}
	for _, name := range []string{"staff", "reviewer", "admin"} {
		b := e.browser()
		b.signIn(name)
		browsers[name] = b
	}
	for _, rt := range contentRoutes() {
		name := rt.method + " " + rt.path
		anon := e.browser()
		var r resp
		if rt.method == "POST" {
			r = anon.do("POST", rt.path, url.Values{"csrf": {"whatever"}})
		} else {
			r = anon.get(rt.path)
		}
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d, want 401", name, r.status)
		}
		for _, u := range []string{"staff", "reviewer"} {
			if contains(rt.roles, u) {
				continue
			}
			b := browsers[u]
			if rt.method == "POST" {
				r = b.post(rt.path, nil)
			} else {
				r = b.get(rt.path)
			}
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "没有权限") {
				t.Errorf("%s as %s: %d, want 403 没有权限", name, u, r.status)
			}
		}
		if rt.method == "POST" {
			r = browsers["admin"].do("POST", rt.path, url.Values{"q": {"x"}})
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "页面已过期") {
				t.Errorf("%s without the CSRF token: %d, want 403 页面已过期", name, r.status)
			}
		}
	}
}

func TestDisclosureReviewInTheBrowser(t *testing.T) {
	e := newContentEnv(t)
	staff, reviewer, admin := e.browser(), e.browser(), e.browser()
	staff.signIn("staff")
	reviewer.signIn("reviewer")
	admin.signIn("admin")

	form := url.Values{"id": {"win-001"}, "title": {"冬季送温暖棉被发放"}, "department": {"社区服务办"}, "category": {"welfare"},
		"published": {"2026-11-30"}, "url": {"https://gk.yingpu.example/win-001.html"},
		"body": {"12月5日在社区中心发放棉被，联系人手机 13912345678。"}, "do": {"submit"}}
	r := staff.post("/admin/disclosures", form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/disclosures/win-001?flash=saved" {
		t.Fatalf("save: %d %s", r.status, r.header.Get("Location"))
	}
	page := reviewer.get("/admin/disclosures/win-001")
	for _, want := range []string{"保密审查未通过", "139****5678", "正文第 1 行", "驳回"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("blocked page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "13912345678") || strings.Contains(page.body, `id="approve"`) {
		t.Error("the blocked page shows the number or offers approval")
	}
	if r := reviewer.post("/admin/disclosures/win-001/approve", nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "含个人信息") {
		t.Errorf("approving a blocked one: %d %s", r.status, r.body)
	}
	// Fixed, then the author cannot approve it, a reviewer can.
	form.Set("editing", "1")
	form.Set("body", "12月5日在社区中心发放棉被，咨询电话 021-59731234。")
	if r := staff.post("/admin/disclosures", form); r.status != http.StatusSeeOther {
		t.Fatalf("fix: %d %s", r.status, r.body)
	}
	rows, _ := e.cat.List(catalog.Filter{Status: catalog.StatusPending})
	if len(rows) != 1 || rows[0].ID != "win-001" {
		t.Fatalf("pending rows %+v", rows)
	}
	if list := reviewer.get("/admin/disclosures?status=pending"); !strings.Contains(list.body, "冬季送温暖棉被发放") || !strings.Contains(list.body, "待审核") {
		t.Error("the pending list does not show it")
	}
	if r := reviewer.post("/admin/disclosures/win-001/reject", url.Values{"note": {""}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, "驳回须写明理由") {
		t.Errorf("reject without reason: %d", r.status)
	}
	r = reviewer.post("/admin/disclosures/win-001/approve", url.Values{"note": {"同意"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	page = staff.get("/admin/disclosures/win-001")
	if !strings.Contains(page.body, "已公开") || !strings.Contains(page.body, "reviewer 于") || !strings.Contains(page.body, "批准公开") {
		t.Errorf("published page:\n%s", page.body)
	}
	if recs := e.records("disclosure.approve"); len(recs) != 2 || recs[0].Actor != "reviewer" || recs[0].Result != "ok" || recs[1].Result != "error" {
		t.Errorf("audit of the refused and the granted approval %+v", recs)
	}
	// An admin who wrote nothing of it adds a 常见问法.
	if r := admin.post("/admin/disclosures/win-001/asks", url.Values{"text": {"冬天发被子吗"}}); r.status != http.StatusSeeOther {
		t.Errorf("add ask: %d %s", r.status, r.body)
	}
	if r := admin.post("/admin/disclosures/win-001/asks", url.Values{"text": {"冬天发被子吗"}}); r.status != http.StatusConflict {
		t.Errorf("duplicate ask: %d", r.status)
	}
	if !strings.Contains(staff.get("/admin/disclosures/win-001").body, "冬天发被子吗") {
		t.Error("the ask is not shown")
	}
	// The form refuses what is not valid, keeping what was typed.
	bad := url.Values{"title": {"无正文"}, "url": {"gk.example"}, "published": {"2026-13-01"}}
	if r := staff.post("/admin/disclosures", bad); r.status != http.StatusBadRequest || !strings.Contains(r.body, "发布日期须为") || !strings.Contains(r.body, `value="无正文"`) {
		t.Errorf("bad form: %d", r.status)
	}
	// A shipped disclosure opens, and can be edited.
	if p := staff.get("/admin/disclosures/eld-001"); p.status != http.StatusOK || !strings.Contains(p.body, "长者食堂") {
		t.Errorf("shipped disclosure: %d", p.status)
	}
	if p := staff.get("/admin/disclosures/eld-001/edit"); p.status != http.StatusOK || !strings.Contains(p.body, `name="editing" value="1"`) {
		t.Errorf("edit shipped: %d", p.status)
	}
	if p := staff.get("/admin/disclosures/nope"); p.status != http.StatusNotFound {
		t.Errorf("unknown: %d", p.status)
	}
}

func TestUploadPage(t *testing.T) {
	e := newContentEnv(t)
	staff := e.browser()
	staff.signIn("staff")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", staff.csrf)
	fw, _ := mw.CreateFormFile("file", "batch.jsonl")
	fw.Write([]byte(`{"id":"up-1","title":"社区图书室开放时间","url":"https://gk.yingpu.example/up-1.html","published":"2026-11-28","body":"每周二至周日开放。"}` + "\n{bad\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/admin/disclosures/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := staff.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(body.String(), "已保存 1 条") || !strings.Contains(body.String(), "第 2 行") {
		t.Errorf("upload: %d\n%s", res.StatusCode, body.String())
	}
	if en, err := e.cat.Get("up-1"); err != nil || en.Status != catalog.StatusPending {
		t.Errorf("uploaded entry %+v, %v", en, err)
	}
}

func TestReindexPage(t *testing.T) {
	e := newContentEnv(t)
	admin := e.browser()
	admin.signIn("admin")
	r := admin.post("/admin/reindex", nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/reindex?job=1") {
		t.Fatalf("start: %d %s", r.status, r.header.Get("Location"))
	}
	e.waitJobs()
	j := admin.do("GET", "/admin/reindex/jobs/1", nil, "Accept", "application/json")
	var got struct {
		Job       indexjobs.Job `json:"job"`
		StateName string        `json:"state_name"`
	}
	if err := json.Unmarshal([]byte(j.body), &got); err != nil || got.Job.State != indexjobs.StateDone || got.Job.Done != 2 || got.StateName != "完成" {
		t.Errorf("job JSON %s (%v)", j.body, err)
	}
	page := admin.get("/admin/reindex?job=1")
	for _, want := range []string{"完成：已索引 2 条", "未审核 <span id=\"job-drafts\">1</span>", "job-history"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("reindex page lacks %q", want)
		}
	}
	r = admin.post("/admin/reindex/rollback", nil)
	if r.status != http.StatusSeeOther || e.fx.Generation() != "gen-a" {
		t.Errorf("rollback: %d, serving %s", r.status, e.fx.Generation())
	}
	if recs := e.records("index.rollback"); len(recs) != 1 || recs[0].Result != "ok" {
		t.Errorf("rollback audit %+v", recs)
	}
	if p := admin.get("/admin/reindex/jobs/99"); p.status != http.StatusNotFound {
		t.Errorf("unknown job: %d", p.status)
	}
}

func TestHitTestPage(t *testing.T) {
	e := newContentEnv(t)
	staff := e.browser()
	staff.signIn("staff")
	page := staff.get("/admin/hittest?q=" + url.QueryEscape("低保标准是多少"))
	for _, want := range []string{"城乡低保标准为每人每月1510元", "可信度 <b id=\"confidence\">0.86</b>", `<span class="t">低保<small>标题</small></span>`,
		"标准<small>正文</small>", "86%", "现行有效", "2022年低保标准", "已被新版替代", "覆盖度 0.86"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("hit test page lacks %q", want)
		}
	}
	page = staff.get("/admin/hittest?q=" + url.QueryEscape("狗证在哪办"))
	if !strings.Contains(page.body, "未作答：没有公开信息谈到此事") {
		t.Errorf("declined hit test:\n%s", page.body)
	}
	if p := staff.get("/admin/hittest?q=x&lat=31.1"); p.status != http.StatusBadRequest {
		t.Errorf("lat without lon: %d", p.status)
	}
}

func TestDemandPageFixesInOneStep(t *testing.T) {
	e := newContentEnv(t)
	now := time.Now()
	e.ql.AppendAll([]querylog.Record{
		{At: now.Add(-2 * time.Hour), SenderHash: "a", Q: "老人吃饭的地方", Hits: []querylog.Hit{{ID: "eld-001", Score: 0.1}}},
		{At: now.Add(-time.Hour), SenderHash: "b", Q: "老人吃饭的地方？", Hits: []querylog.Hit{{ID: "eld-001", Score: 0.1}}},
		{At: now.Add(-time.Hour), SenderHash: "b", Q: "低保标准", Answered: true, Hits: []querylog.Hit{{ID: "ben-001", Score: 0.3}}},
		{At: now.Add(-time.Minute), SenderHash: "c", Q: "助餐点电话", Turn: "feedback", Feedback: "not_useful", Answer: "eld-001", Confidence: 0.5},
	})
	admin := e.browser()
	admin.signIn("admin")
	page := admin.get("/admin/demand")
	for _, want := range []string{"老人吃饭的地方？", `<b id="asked">3</b>`, "低置信度的回答", "无人问到的公开信息", "助餐点电话", `<span class="tag urgent">没用</span>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("demand page lacks %q", want)
		}
	}
	csv := admin.get("/admin/demand.csv?list=unanswered")
	if csv.status != http.StatusOK || !strings.Contains(csv.body, "老人吃饭的地方？,2,2") {
		t.Errorf("CSV: %d\n%s", csv.status, csv.body)
	}
	if r := admin.get("/admin/demand.csv?list=nope"); r.status != http.StatusBadRequest {
		t.Errorf("unknown list: %d", r.status)
	}
	r := admin.post("/admin/demand/ask", url.Values{"q": {"老人吃饭的地方？"}, "id": {"eld-001"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/hittest?q=") || !strings.Contains(r.header.Get("Location"), "after=1") {
		t.Fatalf("mark as ask: %d %s", r.status, r.header.Get("Location"))
	}
	if asks, _ := e.cat.Asks("eld-001"); len(asks) != 1 || asks[0].Text != "老人吃饭的地方？" {
		t.Errorf("asks %+v", asks)
	}
	e.waitJobs()
	if p := admin.get(r.header.Get("Location")); !strings.Contains(p.body, "索引已重建") {
		t.Errorf("hit test after the fix:\n%s", p.body)
	}
	if r := admin.post("/admin/demand/ask", url.Values{"q": {"x"}, "id": {"nope"}}); r.status != http.StatusBadRequest {
		t.Errorf("unknown disclosure: %d", r.status)
	}
	r = admin.post("/admin/demand/synonym", url.Values{"q": {"饭堂在哪"}, "expr": {"吃饭的地方"}, "member": {"长者食堂"}})
	if r.status != http.StatusSeeOther {
		t.Errorf("synonym: %d %s", r.status, r.body)
	}
}

func TestLexiconPage(t *testing.T) {
	e := newContentEnv(t)
	admin := e.browser()
	admin.signIn("admin")
	page := admin.get("/admin/lexicon?file=synonyms.txt")
	if page.status != http.StatusOK || !strings.Contains(page.body, "失业保险金") || !strings.Contains(page.body, "第 0 版") {
		t.Fatalf("lexicon page %d", page.status)
	}
	cur, _ := e.opts.Content.Lexicon.Current("synonyms.txt")
	r := admin.post("/admin/lexicon", url.Values{"file": {"synonyms.txt"}, "text": {cur.Text + "狗证\n"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "至少要有两个说法") || !strings.Contains(r.body, "狗证") {
		t.Errorf("invalid save: %d", r.status)
	}
	r = admin.post("/admin/lexicon", url.Values{"file": {"synonyms.txt"}, "text": {cur.Text + "狗证，犬类登记证\n"}, "note": {"养犬"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	page = admin.get("/admin/lexicon?file=synonyms.txt&from=0&to=1")
	if !strings.Contains(page.body, `<span class="add">+ 狗证，犬类登记证</span>`) || !strings.Contains(page.body, "admin") {
		t.Errorf("diff page lacks the added line")
	}
	r = admin.post("/admin/lexicon/revert", url.Values{"file": {"synonyms.txt"}, "version": {"0"}, "reindex": {"1"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/reindex?job=") {
		t.Errorf("revert and reindex: %d %s", r.status, r.header.Get("Location"))
	}
	e.waitJobs()
	if p := admin.get("/admin/lexicon?file=nope.txt"); p.status != http.StatusNotFound {
		t.Errorf("unknown file: %d", p.status)
	}
}
