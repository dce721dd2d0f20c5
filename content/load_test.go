package content

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func mustLoad(t *testing.T, dir string) *LoadResult {
	t.Helper()
	res, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	return res
}

func publishableIDs(r *LoadResult) []string {
	var ids []string
	for _, d := range r.Publishable {
		ids = append(ids, d.ID)
	}
	return ids
}

func errorLines(r *LoadResult) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Error())
	}
	return out
}

func TestLoadGood(t *testing.T) {
	res := mustLoad(t, "testdata/good")
	if len(res.Errors)+len(res.Drafts)+len(res.Blocked) != 0 {
		t.Fatalf("unexpected problems:\n%s", strings.Join(errorLines(res), "\n"))
	}
	// Sorted by path: canteen.md, disclosures.jsonl, sub/shelter-notes.md.
	// README.md and the hidden file are not read.
	want := []string{"good-md-001", "good-001", "good-002", "good-003", "shelter-notes"}
	if got := publishableIDs(res); !reflect.DeepEqual(got, want) {
		t.Fatalf("publishable = %v, want %v", got, want)
	}

	md := res.Publishable[0]
	wantMD := Disclosure{
		ID:         "good-md-001",
		Title:      "盈浦街道复兴长者食堂服务公告",
		Category:   "elderly",
		Department: "社区服务办",
		Published:  mustDate(t, "2025-06-05"),
		Effective:  mustDate(t, "2025-06-10"),
		Audience:   []string{"老年人", "独居老人"},
		URL:        "https://gk.yingpu.example/zwgk/2025/good-md-001.html",
		Review:     Review{Status: "approved", Reviewer: "王敏", Date: mustDate(t, "2025-06-04")},
		Keywords:   []string{"长者食堂", "助餐"},
		Location:   &Location{Name: "盈浦街道复兴长者食堂", Address: "青浦区城中东路158号", Lat: 31.1534, Lon: 121.1211},
		// Surrounding blank lines trimmed; inner blank line and the
		// full-width indentation kept.
		Body: "复兴长者食堂6月10日起对外服务。\n\n\u3000\u3000就餐时间：11:00—13:00，17:00—18:30。\n咨询电话：021-59705218。",
	}
	if !reflect.DeepEqual(md, wantMD) {
		t.Errorf("markdown disclosure =\n%+v\nwant\n%+v", md, wantMD)
	}

	j := res.Publishable[1]
	if j.Location == nil || j.Location.Lat != 31.1512 || j.Location.Lon != 121.1183 || j.Location.Name != "盈浦街道南门长者食堂" {
		t.Errorf("good-001 location = %+v", j.Location)
	}
	if j.Body != "南门长者食堂4月1日起开业。\n就餐时间：11:00—13:00。\n咨询电话：021-59705218，或拨打12345市民服务热线。" {
		t.Errorf("good-001 body = %q", j.Body)
	}
	if g := res.Publishable[2]; g.Location != nil || g.Expires.String() != "2025-12-31" {
		t.Errorf("good-002 = %+v", g)
	}
	if g := res.Publishable[3]; g.Location != nil {
		t.Errorf("good-003 without a location field has location %+v", g.Location)
	}
	s := res.Publishable[4]
	if s.ID != "shelter-notes" || s.Review.Reviewer != "沈涛" || s.Review.Date.String() != "2025-05-10" || s.Location != nil {
		t.Errorf("id from file name / inline review: %+v", s)
	}
}

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoadReviewGateAndPrivacy(t *testing.T) {
	res := mustLoad(t, "testdata/gate")
	if len(res.Errors) != 0 {
		t.Fatalf("errors: %v", errorLines(res))
	}
	if got := publishableIDs(res); !reflect.DeepEqual(got, []string{"gate-masked"}) {
		t.Errorf("publishable = %v, want only the masked one", got)
	}
	var drafts []string
	for _, d := range res.Drafts {
		drafts = append(drafts, d.ID+": "+d.Reason)
	}
	wantDrafts := []string{
		`gate-draft: review status is "draft"`,
		`gate-nostatus: no review status`,
		`gate-capital: review status is "Approved"`,
		`gate-noreviewer: approved without a reviewer`,
		`gate-nodate: approved without a review date`,
		`gate-noboth: approved without a reviewer or review date`,
		`gate-noreview: no review status`,
		`gate-draft-mobile: review status is "draft"`,
	}
	if !reflect.DeepEqual(drafts, wantDrafts) {
		t.Errorf("drafts =\n%s\nwant\n%s", strings.Join(drafts, "\n"), strings.Join(wantDrafts, "\n"))
	}
	last := res.Drafts[len(res.Drafts)-1]
	if want := `testdata/gate/gate.jsonl:12 gate-draft-mobile draft: review status is "draft"; also holds mobile in body line 2 (138****5678)`; last.String() != want {
		t.Errorf("draft line = %q\nwant %q", last.String(), want)
	}

	var blocked []string
	for _, b := range res.Blocked {
		blocked = append(blocked, b.String())
	}
	wantBlocked := []string{
		"testdata/gate/gate.jsonl:8 gate-idcard blocked: id_card in body line 3 (1101**********002X)",
		"testdata/gate/gate.jsonl:9 gate-mobile-keyword blocked: mobile in keywords item 2 (139****5678)",
		"testdata/gate/gate.jsonl:10 gate-bankcard-address blocked: bank_card in location.address line 1 (6222********7894)",
	}
	if !reflect.DeepEqual(blocked, wantBlocked) {
		t.Errorf("blocked =\n%s\nwant\n%s", strings.Join(blocked, "\n"), strings.Join(wantBlocked, "\n"))
	}
	if b := res.Blocked[0]; b.Title != "标题" || b.Line != 8 || len(b.Findings) != 1 || b.Findings[0].Offset != 33 {
		t.Errorf("blocked detail = %+v", b)
	}
}

func TestLoadBadRecords(t *testing.T) {
	res := mustLoad(t, "testdata/bad")
	want := []string{
		"testdata/bad/bad.jsonl:1: not valid JSON: invalid character 'o' looking for beginning of value (column 27)",
		"testdata/bad/bad.jsonl:2: missing id",
		"testdata/bad/bad.jsonl:3: missing title",
		"testdata/bad/bad.jsonl:4: missing body",
		"testdata/bad/bad.jsonl:5: missing url",
		`testdata/bad/bad.jsonl:6: published: impossible date "2023-02-30" (want YYYY-MM-DD)`,
		`testdata/bad/bad.jsonl:7: review.date: impossible date "2025-13-01" (want YYYY-MM-DD)`,
		"testdata/bad/bad.jsonl:8: location lat 95.5 out of range -90..90",
		"testdata/bad/bad.jsonl:9: location lon -181 out of range -180..180",
		"testdata/bad/bad.jsonl:10: location lat/lon missing",
		`testdata/bad/bad.jsonl:11: url "ftp://gk.yingpu.example/x.html" is not an absolute http(s) address`,
		`testdata/bad/bad.jsonl:12: url "/zwgk/2025/x.html" is not an absolute http(s) address`,
		"testdata/bad/bad.jsonl:13: expires 2025-03-31 is before effective 2025-04-01",
		"testdata/bad/bad.jsonl:14: not a JSON object (got array)",
		"testdata/bad/bad.jsonl:15: unexpected text after the JSON object at column 394",
		"testdata/bad/bad.jsonl:16: title: want a string, got number",
		"testdata/bad/bad.jsonl:17: effective: want a date YYYY-MM-DD, got 20250401",
		`testdata/bad/bad.jsonl:18: expires: impossible date "2025-02-29" (want YYYY-MM-DD)`,
		"testdata/bad/bad.jsonl:18: missing title",
		`testdata/bad/bad.jsonl:18: url "mailto:x@example.com" is not an absolute http(s) address`,
		"testdata/bad/bad.jsonl:20: not valid JSON: the line ends inside the object",
		`testdata/bad/bad.jsonl:21: duplicate id "ok-after-bad" (first at testdata/bad/bad.jsonl:19)`,
		"testdata/bad/bad.jsonl:22: not a JSON object (got null)",
		"testdata/bad/bad.jsonl:23: not a JSON object (got string)",
		"testdata/bad/body-twice.md:5: body is given both in the front matter and after it",
		`testdata/bad/date.md:5: published: impossible date "2023-02-30" (want YYYY-MM-DD)`,
		"testdata/bad/date.md:7: expires 2023-02-01 is before effective 2023-03-01",
		"testdata/bad/no-body.md:6: missing body",
		`testdata/bad/no-front.md:1: no front matter: the file must start with a "---" line`,
		"testdata/bad/syntax.md:3: front matter: did not find expected ',' or ']'",
		"testdata/bad/types.md:7: front matter: location.lat: cannot unmarshal !!str `北纬3...` into a number",
		`testdata/bad/unclosed.md:1: front matter is not closed by a "---" line`,
	}
	if got := errorLines(res); !reflect.DeepEqual(got, want) {
		t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The valid line among the bad ones is still imported.
	if got := publishableIDs(res); !reflect.DeepEqual(got, []string{"ok-after-bad"}) {
		t.Errorf("publishable = %v", got)
	}
	// Errors carry the id when it could be read.
	ids := map[string]bool{}
	for _, e := range res.Errors {
		ids[e.ID] = true
	}
	for _, id := range []string{"bad-title", "bad-lat", "bad-many", "bad-md-date", "bad-types", "no-front"} {
		if !ids[id] {
			t.Errorf("no error carries id %q", id)
		}
	}
}

func TestLoadDuplicateAcrossFiles(t *testing.T) {
	res := mustLoad(t, "testdata/dup")
	want := []string{
		`testdata/dup/b.jsonl:3: duplicate id "dup-001" (first at testdata/dup/a.jsonl:1)`,
		`testdata/dup/c.md:1: duplicate id "dup-001" (first at testdata/dup/a.jsonl:1)`,
	}
	if got := errorLines(res); !reflect.DeepEqual(got, want) {
		t.Errorf("errors = %v, want %v", got, want)
	}
	if got := publishableIDs(res); !reflect.DeepEqual(got, []string{"dup-001", "uniq-001", "uniq-002"}) {
		t.Errorf("publishable = %v", got)
	}
	if res.Publishable[0].Title != "标题" {
		t.Errorf("the first occurrence must win, got title %q", res.Publishable[0].Title)
	}
}

func TestLoadInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	good := func(id string) []byte {
		return []byte(`{"id":"` + id + `","title":"标题","url":"https://gk.yingpu.example/a.html","review":{"status":"approved","reviewer":"王敏","date":"2025-01-02"},"body":"正文"}`)
	}
	var data bytes.Buffer
	data.Write(good("u-1"))
	data.WriteString("\n")
	bad := good("u-2")
	bad = bytes.Replace(bad, []byte("正文"), []byte("正\xff文"), 1) // a GBK-ish stray byte
	data.Write(bad)
	data.WriteString("\r\n")
	data.Write(good("u-3"))
	data.WriteString("\n\xc3\n") // a truncated sequence alone on line 4
	if err := os.WriteFile(filepath.Join(dir, "mixed.jsonl"), data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	md := "---\ntitle: 标题\nurl: https://gk.yingpu.example/a.html\n---\n第一行\n第\xe4\xb8二行\n"
	if err := os.WriteFile(filepath.Join(dir, "broken.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustLoad(t, dir)
	col := bytes.IndexByte(bad, 0xff) + 1
	want := []string{
		filepath.Join(dir, "broken.md") + ":6: not valid UTF-8 (first bad byte at column 4)",
		filepath.Join(dir, "mixed.jsonl") + ":2: not valid UTF-8 (first bad byte at column " + strconv.Itoa(col) + ")",
		filepath.Join(dir, "mixed.jsonl") + ":4: not valid UTF-8 (first bad byte at column 1)",
	}
	if got := errorLines(res); !reflect.DeepEqual(got, want) {
		t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := publishableIDs(res); !reflect.DeepEqual(got, []string{"u-1", "u-3"}) {
		t.Errorf("publishable = %v, want the valid lines u-1 and u-3", got)
	}
}

func TestLoadDirErrors(t *testing.T) {
	if _, err := Load("testdata/does-not-exist", LoadOptions{}); err == nil {
		t.Error("missing dir: want an error")
	}
	if _, err := Load("testdata/dup/a.jsonl", LoadOptions{}); err == nil {
		t.Error("a file instead of a dir: want an error")
	}
	empty := t.TempDir()
	res := mustLoad(t, empty)
	if res.Summary() != "0 publishable, 0 drafts, 0 blocked, 0 errors" {
		t.Errorf("empty dir: %s", res.Summary())
	}
}

func TestLoadErrorFormat(t *testing.T) {
	e := LoadError{File: "data/x.jsonl", Line: 12, Problem: "missing url"}
	if e.Error() != "data/x.jsonl:12: missing url" {
		t.Errorf("Error() = %q", e.Error())
	}
	e.Line = 0
	if e.Error() != "data/x.jsonl: missing url" {
		t.Errorf("file-level Error() = %q", e.Error())
	}
	var err error = e
	var le LoadError
	if !errors.As(err, &le) {
		t.Error("LoadError must be usable as an error")
	}
}

// TestLoadSampleData loads the corpus shipped with govbot. The expectations
// come from reading the data: four records are marked "draft"; ben-020 (a
// 临时救助 list) and res-004 (a 征收 compensation list) each print one
// resident's identity card and mobile number in full on one line of the
// body, while the other entries of those lists are masked.
func TestLoadSampleData(t *testing.T) {
	res := mustLoad(t, "../data/disclosures")
	if len(res.Errors) != 0 {
		t.Fatalf("errors:\n%s", strings.Join(errorLines(res), "\n"))
	}
	var drafts []string
	for _, d := range res.Drafts {
		drafts = append(drafts, d.ID)
		if d.Reason != `review status is "draft"` {
			t.Errorf("%s: reason %q", d.ID, d.Reason)
		}
	}
	sort.Strings(drafts)
	if want := []string{"ben-021", "eld-016", "emp-021", "pln-006"}; !reflect.DeepEqual(drafts, want) {
		t.Errorf("drafts = %v, want %v", drafts, want)
	}
	var blocked []string
	for _, b := range res.Blocked {
		blocked = append(blocked, b.String())
	}
	wantBlocked := []string{
		"../data/disclosures/part1.jsonl:44 ben-020 blocked: id_card in body line 5 (3101**********4210); mobile in body line 5 (139****0873)",
		"../data/disclosures/part2.jsonl:57 res-004 blocked: id_card in body line 2 (3102**********2412); mobile in body line 2 (137****9025)",
	}
	if !reflect.DeepEqual(blocked, wantBlocked) {
		t.Errorf("blocked =\n%s\nwant\n%s", strings.Join(blocked, "\n"), strings.Join(wantBlocked, "\n"))
	}
	if len(res.Publishable) != 60+73-4-2 {
		t.Errorf("publishable = %d, want 127", len(res.Publishable))
	}
	for _, d := range res.Publishable {
		if d.ReviewProblem() != "" || len(CheckPrivacy(&d)) != 0 || d.Validate() != nil {
			t.Errorf("%s published but not clean", d.ID)
		}
	}
}

// TestDocsExamples loads the complete examples of docs/content.md so that
// the documentation cannot drift from the format.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/content.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- example: ([^ ]+) -->\n```[a-z]*\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 2 {
		t.Fatalf("found %d marked examples in docs/content.md, want a JSONL and a Markdown one", len(blocks))
	}
	dir := t.TempDir()
	for _, b := range blocks {
		if err := os.WriteFile(filepath.Join(dir, string(b[1])), b[2], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := mustLoad(t, dir)
	if len(res.Errors)+len(res.Drafts)+len(res.Blocked) != 0 || len(res.Publishable) < 2 {
		var buf bytes.Buffer
		_ = res.WriteReport(&buf)
		t.Fatalf("docs examples do not load cleanly:\n%s", buf.String())
	}
	for _, d := range res.Publishable {
		if d.Location == nil || len(d.Keywords) == 0 || len(d.Audience) == 0 || d.Published.IsZero() {
			t.Errorf("example %s should show every field: %+v", d.ID, d)
		}
	}
}

func TestWriteReport(t *testing.T) {
	res := mustLoad(t, "testdata/dup")
	var buf bytes.Buffer
	if err := res.WriteReport(&buf); err != nil {
		t.Fatal(err)
	}
	want := `error: testdata/dup/b.jsonl:3: duplicate id "dup-001" (first at testdata/dup/a.jsonl:1)
error: testdata/dup/c.md:1: duplicate id "dup-001" (first at testdata/dup/a.jsonl:1)
3 publishable, 0 drafts, 0 blocked, 2 errors
`
	if buf.String() != want {
		t.Errorf("report =\n%s\nwant\n%s", buf.String(), want)
	}
}
