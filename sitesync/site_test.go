package sitesync_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/importer/fixture"
	"github.com/yingpu/govbot/importstore"
	"github.com/yingpu/govbot/ingest"
	"github.com/yingpu/govbot/sitesync"
)

// site is a small 政务公开 website: pages by path, each served with an
// ETag, answering conditional requests with 304.
type site struct {
	mu       sync.Mutex
	pages    map[string]page
	hits     map[string]int
	notMod   int
	failOnce map[string]bool
}

type page struct {
	body        []byte
	contentType string
	status      int
}

func newSite() *site {
	return &site{pages: map[string]page{}, hits: map[string]int{}, failOnce: map[string]bool{}}
}

func (s *site) set(path string, body []byte, contentType string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = page{body: body, contentType: contentType}
}

func (s *site) remove(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pages, path)
}

func (s *site) setStatus(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pages[path]
	p.status = status
	s.pages[path] = p
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	if s.failOnce[r.URL.Path] {
		delete(s.failOnce, r.URL.Path)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	p, ok := s.pages[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if p.status != 0 {
		http.Error(w, "error", p.status)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(p.body))
	if r.Header.Get("If-None-Match") == etag {
		s.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", p.contentType)
	w.Write(p.body)
}

const gbkHTML = "text/html; charset=GBK"

func listPage(items ...string) []byte {
	var b strings.Builder
	b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>政务公开</title></head><body><ul class="list">`)
	for _, it := range items {
		b.WriteString(it)
	}
	b.WriteString(`</ul><a class="next" href="list_2.html">下一页</a></body></html>`)
	return fixture.GBK(b.String())
}

func item(href, title, date string) string {
	return fmt.Sprintf(`<li><a href="%s">%s</a><span class="date">%s</span></li>`, href, title, date)
}

func article(title, dept, body string) string {
	return `<html><head><meta charset="gbk"><meta name="ArticleTitle" content="` + title + `"></head><body>
<div class="nav">首页</div><h1>` + title + `</h1><div class="info">发布机构：` + dept + `</div>
<div class="article">` + body + `</div></body></html>`
}

type fixtureEnv struct {
	site  *site
	srv   *httptest.Server
	svc   *ingest.Service
	store *importstore.Store
	log   *audit.Log
	dir   string
	src   config.Source
	sleep time.Duration
}

func newFixture(t *testing.T) *fixtureEnv {
	t.Helper()
	e := &fixtureEnv{site: newSite(), dir: filepath.Join(t.TempDir(), "imported")}
	e.srv = httptest.NewServer(e.site)
	t.Cleanup(e.srv.Close)
	s := e.site
	s.set("/zwgk/list.html", listPage(
		item("/zwgk/ylfw/canteen.html", "长者食堂", "2024-03-01"),
		item("/zwgk/gs/dibao.html", "低保公示", "2024-03-02"),
		item("/zwgk/hours.html", "办事大厅时间", "2024-03-03"),
		item("/zwgk/old.html", "旧通知", "2024-01-01"),
		item("/zwgk/broken.html", "坏页面", "2024-03-04"),
		item("/zwgk/down.html", "出错页面", "2024-03-04"),
		item("/zwgk/busy.html", "偶尔繁忙", "2024-03-04"),
		item("/zwgk/huge.html", "超大页面", "2024-03-04"),
		item("https://other.example.cn/x.html", "外站", "2024-03-04"),
	), gbkHTML)
	s.set("/zwgk/list_2.html", fixture.GBK(`<html><head><meta charset="gbk"></head><body><ul class="list">`+
		item("jiuye.html", "就业见习", "2024-02-20")+`</ul></body></html>`), gbkHTML)
	s.set("/zwgk/ylfw/canteen.html", fixture.GBK(article("盈浦街道长者食堂开放时间", "盈浦街道社区服务办",
		`<p>长者食堂每日11:00至13:00供应午餐。</p><p>附件：<a href="/files/menu.docx">菜单.docx</a> <a href="/files/rules.pdf">就餐须知.pdf</a> <a href="/files/old.doc">旧表</a> <a href="http://127.0.0.1:1/internal.pdf">内网</a></p>`)), gbkHTML)
	s.set("/files/menu.docx", fixture.Docx("", []fixture.Para{{Text: "周一：红烧肉、青菜"}}, nil), "application/octet-stream")
	s.set("/files/rules.pdf", fixture.PDF("就餐须知", "凭老年卡就餐"), "application/pdf")
	s.set("/files/old.doc", []byte("binary"), "application/msword")
	s.set("/zwgk/gs/dibao.html", fixture.GBK(article("2024年3月低保对象公示", "盈浦街道社区事务受理中心",
		`<p>现将名单公示如下：</p><p><a href="/files/dibao.xlsx">低保名单.xlsx</a></p>`)), gbkHTML)
	s.set("/files/dibao.xlsx", fixture.XLSX("", []string{"Sheet1"}, map[string][][]string{"Sheet1": {{"姓名", "居委", "保障人数"}, {"赵*", "城中", "2"}}}), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	s.set("/zwgk/hours.html", fixture.GBK(article("街道办事大厅办公时间", "盈浦街道办", `<p>周一至周五 9:00-17:00。</p>`)), gbkHTML)
	s.set("/zwgk/old.html", fixture.GBK(article("旧通知", "盈浦街道办", `<p>已过期。</p>`)), gbkHTML)
	s.set("/zwgk/broken.html", []byte("<html><body><div class=\"article\"></div><p>没有标题<"), "text/html")
	s.set("/zwgk/down.html", []byte("x"), "text/html")
	s.setStatus("/zwgk/down.html", http.StatusInternalServerError)
	s.set("/zwgk/busy.html", []byte(article("偶尔繁忙的页面", "盈浦街道办", "<p>重试后读到。</p>")), "text/html; charset=utf-8")
	s.failOnce["/zwgk/busy.html"] = true
	s.set("/zwgk/huge.html", []byte(article("超大", "x", "<p>"+strings.Repeat("字", 40000)+"</p>")), "text/html; charset=utf-8")
	s.set("/zwgk/jiuye.html", fixture.GBK(article("就业见习报名", "盈浦街道社区服务办", `<p>报名时间：3月。</p>`)), gbkHTML)

	retries := 1
	e.src = config.Source{
		Name:      "yp",
		ListPages: []string{e.srv.URL + "/zwgk/list.html"},
		Selectors: config.SourceSelectors{Item: "ul.list li", ItemDate: "span.date", NextPage: "a.next", Body: "div.article"},
		Categories: []config.CategoryRule{
			{URL: "/zwgk/ylfw/", Category: "elderly"},
			{URL: "/zwgk/gs/", Category: "assistance"},
		},
		Category:     "general",
		Audience:     []string{"全体居民"},
		Rate:         10 * time.Millisecond,
		Timeout:      5 * time.Second,
		Retries:      &retries,
		MaxPageBytes: 64 << 10,
	}
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.Fixed(time.Date(2024, 3, 6, 2, 0, 0, 0, time.UTC))
	if e.store, err = importstore.New(db, e.dir, clk); err != nil {
		t.Fatal(err)
	}
	if e.log, err = audit.New(db, clk); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	e.svc = &ingest.Service{
		Store: e.store, Audit: e.log, Clock: clk, Sources: []config.Source{e.src},
		Crawler: sitesync.New(sitesync.Options{Client: e.srv.Client(), Clock: clock.System{},
			Sleep: func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				e.sleep += d
				mu.Unlock()
				return nil
			}}),
		Reindex: func(context.Context) (string, error) { return "reindexed", nil },
	}
	return e
}

func (e *fixtureEnv) jsonl(t *testing.T) map[string]content.Disclosure {
	t.Helper()
	out := map[string]content.Disclosure{}
	f, err := os.Open(filepath.Join(e.dir, "yp.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d content.Disclosure
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		out[d.URL] = d
	}
	return out
}

func titles(cs []importstore.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Title)
	}
	return out
}

func TestSyncSite(t *testing.T) {
	e := newFixture(t)
	ctx := context.Background()
	u := e.srv.URL

	// A dry run first: it reports and changes nothing.
	rep, err := e.svc.Sync(ctx, ingest.Options{Source: "yp", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.New) != 6 {
		t.Fatalf("dry run new = %q", titles(rep.Result.New))
	}
	if _, err := os.Stat(filepath.Join(e.dir, "yp.jsonl")); !os.IsNotExist(err) {
		t.Fatalf("dry run wrote the JSONL file (%v)", err)
	}
	e.site.failOnce["/zwgk/busy.html"] = true

	rep, err = e.svc.Sync(ctx, ingest.Options{Source: "yp"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.Write(&out)
	report := out.String()
	if len(rep.Result.New) != 6 || len(rep.Result.Withdrawn) != 0 || rep.Reindexed != "reindexed" {
		t.Fatalf("first sync:\n%s", report)
	}
	for _, want := range []string{
		"failed    " + u + "/zwgk/broken.html: no title found; no body text found",
		"failed    " + u + "/zwgk/down.html: HTTP 500",
		"failed    " + u + "/zwgk/huge.html: larger than the size limit",
		"旧表: unsupported format",
		"内网: 127.0.0.1:1 is not the site's host",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "other.example.cn") {
		t.Errorf("followed a link off the site:\n%s", report)
	}
	ds := e.jsonl(t)
	canteen := ds[u+"/zwgk/ylfw/canteen.html"]
	if canteen.Title != "盈浦街道长者食堂开放时间" || canteen.Department != "盈浦街道社区服务办" || canteen.Category != "elderly" ||
		canteen.Published.String() != "2024-03-01" || canteen.Review.Status != "draft" || canteen.Audience[0] != "全体居民" {
		t.Errorf("canteen: %+v", canteen)
	}
	for _, want := range []string{"长者食堂每日11:00至13:00供应午餐。", "附件：菜单.docx\n周一：红烧肉、青菜", "附件：就餐须知.pdf\n就餐须知\n凭老年卡就餐"} {
		if !strings.Contains(canteen.Body, want) {
			t.Errorf("canteen body lacks %q:\n%s", want, canteen.Body)
		}
	}
	dibao := ds[u+"/zwgk/gs/dibao.html"]
	if dibao.Category != "assistance" || !strings.Contains(dibao.Body, "附件：低保名单.xlsx\n姓名：赵*；居委：城中；保障人数：2") {
		t.Errorf("公示: %+v", dibao)
	}
	if ds[u+"/zwgk/busy.html"].Title != "偶尔繁忙的页面" {
		t.Errorf("a page answering 503 once was not retried: %v", ds[u+"/zwgk/busy.html"])
	}
	if ds[u+"/zwgk/jiuye.html"].Title != "就业见习报名" {
		t.Error("the list's next page was not followed")
	}
	if e.sleep < 10*time.Millisecond {
		t.Errorf("no pause between requests (slept %v)", e.sleep)
	}
	hoursID := ds[u+"/zwgk/hours.html"].ID

	// Between syncs: one page changes, one disappears, the rest stay.
	e.site.set("/zwgk/hours.html", fixture.GBK(article("街道办事大厅办公时间", "盈浦街道办", `<p>周一至周六 9:00-17:00。</p>`)), gbkHTML)
	e.site.set("/zwgk/list.html", listPage(
		item("/zwgk/ylfw/canteen.html", "长者食堂", "2024-03-01"),
		item("/zwgk/gs/dibao.html", "低保公示", "2024-03-02"),
		item("/zwgk/hours.html", "办事大厅时间", "2024-03-03"),
		item("/zwgk/broken.html", "坏页面", "2024-03-04"),
		item("/zwgk/busy.html", "偶尔繁忙", "2024-03-04"),
	), gbkHTML)
	e.site.remove("/zwgk/old.html")
	notMod := e.site.notMod
	rep, err = e.svc.Sync(ctx, ingest.Options{Source: "yp", ApproveAs: "张敏"})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	rep.Write(&out)
	if got := titles(rep.Result.Changed); len(got) != 1 || got[0] != "街道办事大厅办公时间" {
		t.Errorf("changed = %q\n%s", got, out.String())
	}
	if got := titles(rep.Result.Withdrawn); len(got) != 1 || got[0] != "旧通知" {
		t.Errorf("withdrawn = %q\n%s", got, out.String())
	}
	if got := titles(rep.Result.Approved); len(got) != 4 {
		t.Errorf("approved (unchanged drafts) = %q", got)
	}
	if len(rep.Result.New) != 0 || e.site.notMod-notMod < 3 {
		t.Errorf("second sync: new %q, %d answered 304", titles(rep.Result.New), e.site.notMod-notMod)
	}
	ds = e.jsonl(t)
	if _, ok := ds[u+"/zwgk/old.html"]; ok {
		t.Error("the withdrawn page is still in the JSONL file (would be answered)")
	}
	if _, ok := ds[u+"/zwgk/jiuye.html"]; !ok {
		t.Error("a page on the list's next page was withdrawn")
	}
	h := ds[u+"/zwgk/hours.html"]
	if h.ID != hoursID || !strings.Contains(h.Body, "周一至周六") || h.Review.Reviewer != "张敏" {
		t.Errorf("changed page: id %s (was %s), %+v", h.ID, hoursID, h)
	}
	old, ok, err := e.store.Page("yp", u+"/zwgk/old.html")
	if err != nil || !ok || old.Status != importstore.StatusWithdrawn || old.Disclosure.Title != "旧通知" ||
		old.History[len(old.History)-1].Event != importstore.EventWithdrawn {
		t.Errorf("withdrawn page not kept in history: %+v %v", old, err)
	}
	recs, _ := e.log.List(audit.Filter{Action: "import.sync"})
	if len(recs) != 2 || !strings.Contains(recs[0].Message, "1 changed, 1 withdrawn") || !strings.Contains(recs[0].Message, "approved as 张敏") {
		t.Errorf("audit: %+v", recs)
	}

	// The site is down: nothing is withdrawn.
	e.site.setStatus("/zwgk/list.html", http.StatusBadGateway)
	rep, err = e.svc.Sync(ctx, ingest.Options{Source: "yp"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.Withdrawn) != 0 || len(rep.Failures) == 0 || !strings.Contains(rep.Failures[0].Reason, "nothing is withdrawn") {
		t.Errorf("site down: withdrawn %q, failures %v", titles(rep.Result.Withdrawn), rep.Failures)
	}
	if n := len(e.jsonl(t)); n != 5 {
		t.Errorf("after the site went down %d disclosures remain, want 5", n)
	}

	// The page comes back: restored.
	e.site.set("/zwgk/list.html", listPage(item("/zwgk/old.html", "旧通知", "2024-01-01"), item("/zwgk/hours.html", "x", "")), gbkHTML)
	e.site.set("/zwgk/old.html", fixture.GBK(article("旧通知", "盈浦街道办", `<p>已过期。</p>`)), gbkHTML)
	rep, _ = e.svc.Sync(ctx, ingest.Options{Source: "yp"})
	if got := titles(rep.Result.Restored); len(got) != 1 || got[0] != "旧通知" {
		t.Errorf("restored = %q", got)
	}
}

// TestSyncSitemapAndCatalogue reads a sitemap index, and a catalogue table
// whose 类别 cell picks the category.
func TestSyncSitemapAndCatalogue(t *testing.T) {
	s := newSite()
	srv := httptest.NewServer(s)
	defer srv.Close()
	u := srv.URL
	s.set("/sitemap.xml", []byte(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>`+u+`/sm1.xml</loc></sitemap></sitemapindex>`), "application/xml")
	s.set("/sm1.xml", []byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>`+u+`/a.html</loc></url><url><loc>https://elsewhere.example.cn/b.html</loc></url></urlset>`), "application/xml")
	s.set("/a.html", []byte(`<html><head><meta name="ColumnName" content="为老服务"></head><body><h1>助餐</h1><article>午餐11点。</article></body></html>`), "text/html; charset=utf-8")
	s.set("/catalog.html", fixture.GB18030(`<html><head><meta charset="gb18030"></head><body><table class="ml">
<tr><th>名称</th><th>类别</th><th>日期</th></tr>
<tr><td><a href="/c.html">就业见习</a></td><td>就业创业</td><td>2024年2月1日</td></tr></table></body></html>`), "text/html")
	s.set("/c.html", []byte(`<html><body><h1>就业见习报名</h1><article>报名时间3月。</article></body></html>`), "text/html; charset=utf-8")

	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := importstore.New(db, t.TempDir(), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	retries := 0
	rules := []config.CategoryRule{{Column: "为老服务", Category: "elderly"}, {Column: "就业创业", Category: "employment"}}
	sources := []config.Source{
		{Name: "sm", Sitemap: u + "/sitemap.xml", Categories: rules, Rate: time.Millisecond, Retries: &retries},
		{Name: "ml", ListPages: []string{u + "/catalog.html"}, Categories: rules, Rate: time.Millisecond, Retries: &retries,
			Selectors: config.SourceSelectors{Item: "table.ml tr", ItemCategory: "td:nth-child(2)", ItemDate: "td:nth-child(3)"}},
	}
	svc := &ingest.Service{Store: st, Sources: sources, Crawler: sitesync.New(sitesync.Options{Client: srv.Client()})}
	rep, err := svc.Sync(context.Background(), ingest.Options{Source: "sm"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.New) != 1 || rep.Result.New[0].Title != "助餐" {
		t.Fatalf("sitemap: %s %+v", rep.Summary(), rep.Result.New)
	}
	p, _, _ := st.Page("sm", u+"/a.html")
	if p.Disclosure.Category != "elderly" {
		t.Errorf("ColumnName rule: %q", p.Disclosure.Category)
	}
	rep, err = svc.Sync(context.Background(), ingest.Options{Source: "ml"})
	if err != nil {
		t.Fatal(err)
	}
	p, _, _ = st.Page("ml", u+"/c.html")
	if len(rep.Result.New) != 1 || p.Disclosure.Category != "employment" || p.Disclosure.Published.String() != "2024-02-01" {
		t.Errorf("catalogue: %s %+v", rep.Summary(), p.Disclosure)
	}
	if strings.Join(p.Missing, ",") != "department" {
		t.Errorf("missing = %v, want department", p.Missing)
	}
}

// TestSyncTemplateChangeWithdrawsNothing: when the list's markup changes
// so that selectors.item matches nothing, or the list is longer than
// max_pages, no page is withdrawn.
func TestSyncTemplateChangeWithdrawsNothing(t *testing.T) {
	e := newFixture(t)
	ctx := context.Background()
	if _, err := e.svc.Sync(ctx, ingest.Options{Source: "yp"}); err != nil {
		t.Fatal(err)
	}
	e.site.set("/zwgk/list.html", fixture.GBK(`<html><head><meta charset="gbk"></head><body><ol class="new"><li><a href="/zwgk/hours.html">x</a></li></ol></body></html>`), gbkHTML)
	rep, err := e.svc.Sync(ctx, ingest.Options{Source: "yp"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Result.Withdrawn) != 0 || len(rep.Failures) == 0 || !strings.Contains(rep.Failures[0].Reason, "matched no article") {
		t.Errorf("template change: withdrawn %q, failures %v", titles(rep.Result.Withdrawn), rep.Failures)
	}
	e.site.set("/zwgk/list.html", listPage(item("/zwgk/hours.html", "a", ""), item("/zwgk/jiuye.html", "b", "")), gbkHTML)
	e.svc.Sources[0].MaxPages = 1
	rep, _ = e.svc.Sync(ctx, ingest.Options{Source: "yp"})
	if len(rep.Result.Withdrawn) != 0 || !strings.Contains(fmt.Sprint(rep.Failures), "max_pages") {
		t.Errorf("over max_pages: withdrawn %q, failures %v", titles(rep.Result.Withdrawn), rep.Failures)
	}
}
