package importer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingpu/govbot/importer/fixture"
)

const gbkArticle = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="盈浦街道2024年助餐点服务时间调整的通知">
<meta name="PubDate" content="2024-03-05 09:30">
<meta name="ContentSource" content="盈浦街道社区服务办">
<meta name="ColumnName" content="为老服务">
<title>通知_盈浦街道</title></head>
<body><div class="nav">首页 &gt; 政务公开</div>
<article>
<h2>一、调整内容</h2>
<p>&nbsp;&nbsp;自3月10日起，社区长者食堂午餐供应时间调整为<b>11:00</b>至13:00。</p>
<p>第一行<br>第二行</p>
<table><tr><th>站点</th><th>地址</th></tr>
<tr><td>盈浦长者食堂</td><td>城中东路68号</td></tr>
<tr><td>三元河站</td><td></td></tr></table>
<h2>二、咨询电话</h2>
<p>咨询电话：021-59721234</p>
<script>var x = "不应出现";</script>
<p>附件：<a href="files/表.docx">报名表.docx</a> <a href="/u/old.doc">旧表</a></p>
</article>
<footer>版权所有</footer></body></html>`

func TestReadHTMLGBKMetaAndBody(t *testing.T) {
	doc, err := ReadHTML(fixture.GBK(gbkArticle), HTMLOptions{URL: "https://gk.example.gov.cn/zwgk/a/1.html"})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Charset != "gbk" {
		t.Errorf("charset = %q, want gbk", doc.Charset)
	}
	if doc.Title != "盈浦街道2024年助餐点服务时间调整的通知" {
		t.Errorf("title = %q", doc.Title)
	}
	if doc.Date.String() != "2024-03-05" || doc.Department != "盈浦街道社区服务办" || doc.Category != "为老服务" {
		t.Errorf("date/department/category = %q %q %q", doc.Date, doc.Department, doc.Category)
	}
	want := strings.Join([]string{
		"一、调整内容",
		"",
		"自3月10日起，社区长者食堂午餐供应时间调整为11:00至13:00。",
		"",
		"第一行",
		"第二行",
		"",
		"站点：盈浦长者食堂；地址：城中东路68号",
		"站点：三元河站",
		"",
		"二、咨询电话",
		"",
		"咨询电话：021-59721234",
		"",
		"附件：报名表.docx 旧表",
	}, "\n")
	if doc.Body != want {
		t.Errorf("body:\n%s\nwant:\n%s", doc.Body, want)
	}
	if len(doc.Attachments) != 2 || doc.Attachments[0].Href != "https://gk.example.gov.cn/zwgk/a/files/%E8%A1%A8.docx" ||
		doc.Attachments[0].Text != "报名表.docx" || doc.Attachments[1].Href != "https://gk.example.gov.cn/u/old.doc" {
		t.Errorf("attachments = %+v", doc.Attachments)
	}
}

func TestReadHTMLCharsetSources(t *testing.T) {
	page := `<html><head><title>标题</title></head><body><h1>社区卫生服务中心门诊时间</h1><p>周一至周五 8:00-16:30</p></body></html>`
	tests := []struct {
		name, contentType string
		data              []byte
		charset           string
	}{
		{"utf-8 undeclared", "", []byte(page), "utf-8"},
		{"gbk undeclared", "", fixture.GBK(page), "gb18030"},
		{"gbk from header", "text/html; charset=GBK", fixture.GBK(page), "gbk"},
		{"gb18030 from meta", "", fixture.GB18030(strings.Replace(page, "<head>", `<head><meta charset="gb18030">`, 1)), "gb18030"},
		{"header beats meta", "text/html; charset=utf-8", []byte(strings.Replace(page, "<head>", `<head><meta charset="gbk">`, 1)), "utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ReadHTML(tc.data, HTMLOptions{ContentType: tc.contentType})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Charset != tc.charset {
				t.Errorf("charset = %q, want %q", doc.Charset, tc.charset)
			}
			if doc.Title != "社区卫生服务中心门诊时间" || !strings.Contains(doc.Body, "周一至周五 8:00-16:30") {
				t.Errorf("title %q body %q", doc.Title, doc.Body)
			}
		})
	}
}

func TestReadHTMLSelectorsAndLabels(t *testing.T) {
	page := `<html><body><div class="tt">垃圾分类投放时间公告</div>
<div class="info">发布时间：2024年3月1日 来源：盈浦街道城运中心</div>
<div id="zoom"><p>湿垃圾投放时间为每日7:00-9:00、18:00-20:00。</p></div>
<div class="tt2"></div></body></html>`
	doc, err := ReadHTML([]byte(page), HTMLOptions{Selectors: Selectors{Title: ".tt", Body: "#zoom", Department: ".nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "垃圾分类投放时间公告" || doc.Body != "湿垃圾投放时间为每日7:00-9:00、18:00-20:00。" {
		t.Errorf("title %q body %q", doc.Title, doc.Body)
	}
	if doc.Date.String() != "2024-03-01" {
		t.Errorf("date from the label = %q", doc.Date)
	}
	if doc.Department != "" {
		t.Errorf("a department selector that matches nothing gave %q, want empty", doc.Department)
	}
	doc, _ = ReadHTML([]byte(page), HTMLOptions{})
	if doc.Department != "盈浦街道城运中心" {
		t.Errorf("department from the 来源 label = %q", doc.Department)
	}
}

func TestReadHTMLCanonical(t *testing.T) {
	page := `<html><head><link rel="canonical" href="/zwgk/x.html"></head><body><h1>t</h1></body></html>`
	doc, _ := ReadHTML([]byte(page), HTMLOptions{URL: "https://a.example.cn/list/x.html?from=list"})
	if doc.URL != "https://a.example.cn/zwgk/x.html" {
		t.Errorf("url = %q", doc.URL)
	}
	doc, _ = ReadHTML([]byte(page), HTMLOptions{})
	if doc.URL != "" {
		t.Errorf("relative canonical without a base gave %q, want none", doc.URL)
	}
}

func TestTableLines(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
		want []string
	}{
		{"caption header rows", [][]string{{"2024年困难家庭补助公示", "", ""}, {"姓名", "居委", "金额"}, {"张*", "三元河", "1200元"}, {"", "", ""}, {"李*", "", "800元"}},
			[]string{"2024年困难家庭补助公示", "姓名：张*；居委：三元河；金额：1200元", "姓名：李*；金额：800元"}},
		{"one row", [][]string{{"a", " b "}}, []string{"a；b"}},
		{"extra cells", [][]string{{"项目"}, {"x", "y"}}, []string{"项目", "x；y"}},
		{"empty", [][]string{{"", ""}}, nil},
	}
	for _, tc := range tests {
		got := TableLines(tc.rows)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestReadCSVGBKAndUTF8(t *testing.T) {
	csv := "2024年第一季度临时救助公示\n姓名,居委会,救助金额\n王*明,城中居委,\"2,000元\"\n"
	for name, data := range map[string][]byte{"gbk": fixture.GBK(csv), "utf8-bom": append([]byte("\xef\xbb\xbf"), csv...)} {
		doc, err := ReadCSV(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc.Title != "2024年第一季度临时救助公示" {
			t.Errorf("%s: title %q", name, doc.Title)
		}
		if want := "2024年第一季度临时救助公示\n姓名：王*明；居委会：城中居委；救助金额：2,000元"; doc.Body != want {
			t.Errorf("%s: body %q, want %q", name, doc.Body, want)
		}
	}
	if _, err := ReadCSV([]byte("a,\"b\nc")); err == nil {
		t.Error("an unterminated quote: no error")
	}
}

func TestReadDocx(t *testing.T) {
	data := fixture.Docx("", []fixture.Para{
		{Text: "关于开展老年人免费体检的通知", Center: true},
		{Text: "一、体检对象", Style: "Heading1"},
		{Text: "65周岁以上常住居民。\n请携带身份证。"},
		{Text: "二、体检地点", Style: "2"},
	}, [][]string{{"日期", "地点"}, {"4月8日", "盈浦社区卫生服务中心"}})
	doc, err := ReadDocx(data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "关于开展老年人免费体检的通知" {
		t.Errorf("title %q", doc.Title)
	}
	want := "关于开展老年人免费体检的通知\n\n一、体检对象\n\n65周岁以上常住居民。\n请携带身份证。\n\n二、体检地点\n\n日期：4月8日；地点：盈浦社区卫生服务中心"
	if doc.Body != want {
		t.Errorf("body:\n%s\nwant:\n%s", doc.Body, want)
	}
	doc, _ = ReadDocx(fixture.Docx("核心属性标题", []fixture.Para{{Text: "正文"}}, nil))
	if doc.Title != "核心属性标题" {
		t.Errorf("core title: %q", doc.Title)
	}
	if _, err := ReadDocx([]byte("PK not a zip")); err == nil {
		t.Error("a broken .docx: no error")
	}
}

func TestReadPDF(t *testing.T) {
	doc, err := ReadPDF(fixture.PDF("盈浦街道防汛防台应急预案", "一、组织体系", "街道成立防汛指挥部。"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Fixture" {
		t.Errorf("title from the document information: %q", doc.Title)
	}
	if want := "盈浦街道防汛防台应急预案\n一、组织体系\n街道成立防汛指挥部。"; doc.Body != want {
		t.Errorf("body %q, want %q", doc.Body, want)
	}
	if _, err := ReadPDF([]byte("%PDF-1.4 garbage")); err == nil {
		t.Error("a broken PDF: no error")
	}
}

func TestReadXLSX(t *testing.T) {
	data := fixture.XLSX("2024年度城镇低保对象公示", []string{"公示", "说明"}, map[string][][]string{
		"公示": {{"序号", "姓名", "保障人数"}, {"1", "赵*", "2"}},
		"说明": {{"如有异议请于7日内反映"}},
	})
	doc, err := ReadXLSX(data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "2024年度城镇低保对象公示" {
		t.Errorf("title %q", doc.Title)
	}
	want := "公示\n\n2024年度城镇低保对象公示\n序号：1；姓名：赵*；保障人数：2\n\n说明\n\n如有异议请于7日内反映"
	if doc.Body != want {
		t.Errorf("body:\n%s\nwant:\n%s", doc.Body, want)
	}
	if _, err := ReadXLSX([]byte("nope")); err == nil {
		t.Error("a broken .xlsx: no error")
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		name, ct string
		want     Kind
		bad      bool
	}{
		{"a.HTM", "", KindHTML, false},
		{"/x/y.pdf?download=1", "", KindPDF, false},
		{"download.do?id=3", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", KindDocx, false},
		{"a.doc", "", "", true},
		{"a.png", "", "", true},
	} {
		got, err := KindOf(tc.name, tc.ct)
		if got != tc.want || (err != nil) != tc.bad || (tc.bad && !errors.Is(err, ErrUnsupported)) {
			t.Errorf("KindOf(%q, %q) = %q, %v", tc.name, tc.ct, got, err)
		}
	}
}

func TestFindDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-05 09:30": "2024-03-05", "2024/3/5": "2024-03-05", "2024年3月5日": "2024-03-05",
		"2024.12.31": "2024-12-31", "2024-02-30": "", "无": "",
	} {
		if got := FindDate(in).String(); got != want {
			t.Errorf("FindDate(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestImportFiles reads a folder of saved pages and files: a page with its
// attachments beside it, a spreadsheet, a JSONL file, an unreadable file.
func TestImportFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("zwgk/notice.html", fixture.GBK(strings.Replace(gbkArticle, `<a href="/u/old.doc">旧表</a>`,
		`<a href="files/plan.pdf">预案.pdf</a> <a href="/u/old.doc">旧表</a>`, 1)))
	write("zwgk/files/表.docx", fixture.Docx("", []fixture.Para{{Text: "报名表：姓名、年龄、联系方式"}}, nil))
	write("zwgk/files/plan.pdf", fixture.PDF("应急预案正文"))
	write("公示/低保公示.xlsx", fixture.XLSX("", []string{"Sheet1"}, map[string][][]string{"Sheet1": {{"姓名", "人数"}, {"赵*", "2"}}}))
	write("old.xls", []byte("binary"))
	write("given.jsonl", []byte(`{"id":"given-1","title":"t","url":"https://x.example.cn/1","body":"b","review":{"status":"draft"}}`+"\n{bad\n"))
	write(".hidden/x.html", []byte("<h1>x</h1>"))

	res := ImportFiles([]string{dir}, Defaults{Source: "site", Department: "盈浦街道办事处", Category: "general",
		URLPrefix: "https://gk.example.gov.cn/saved/"}, Selectors{})
	keys := map[string]Item{}
	for _, it := range res.Items {
		keys[it.Key] = it
	}
	if len(res.Items) != 3 {
		t.Fatalf("items %d: %+v", len(res.Items), keys)
	}
	page := keys["file:zwgk/notice.html"]
	if page.Disclosure.URL != "https://gk.example.gov.cn/saved/zwgk/notice.html" {
		t.Errorf("url from url_prefix: %q", page.Disclosure.URL)
	}
	if !strings.Contains(page.Disclosure.Body, "附件：报名表.docx\n报名表：姓名、年龄、联系方式") ||
		!strings.Contains(page.Disclosure.Body, "附件：预案.pdf\n应急预案正文") {
		t.Errorf("attachments' text not appended:\n%s", page.Disclosure.Body)
	}
	if len(page.Notes) != 1 || !strings.Contains(page.Notes[0], "旧表") || !strings.Contains(page.Notes[0], ".docx") {
		t.Errorf("notes %q, want the .doc reported", page.Notes)
	}
	if page.Disclosure.Department != "盈浦街道社区服务办" || page.Disclosure.Review.Status != "draft" {
		t.Errorf("stated department must win, review must be draft: %+v", page.Disclosure)
	}
	sheet := keys["file:公示/低保公示.xlsx"]
	if sheet.Disclosure.Title != "低保公示" || sheet.Disclosure.Department != "盈浦街道办事处" ||
		strings.Join(sheet.Missing, ",") != "published" {
		t.Errorf("sheet: %+v missing %v", sheet.Disclosure, sheet.Missing)
	}
	if g := keys["id:given-1"]; g.Disclosure.ID != "given-1" || g.Disclosure.Department != "盈浦街道办事处" {
		t.Errorf("jsonl record: %+v", g.Disclosure)
	}
	if res.Attached != 2 {
		t.Errorf("attached = %d, want 2 (the .docx and the .pdf)", res.Attached)
	}
	var reasons []string
	for _, f := range res.Failures {
		reasons = append(reasons, f.String())
	}
	joined := strings.Join(reasons, "\n")
	if len(res.Failures) != 2 || !strings.Contains(joined, "old.xls") || !strings.Contains(joined, "given.jsonl:2") {
		t.Errorf("failures:\n%s", joined)
	}
	// The same folder again gives the same ids.
	again := ImportFiles([]string{dir}, Defaults{Source: "site", URLPrefix: "https://gk.example.gov.cn/saved/"}, Selectors{})
	for _, it := range again.Items {
		if keys[it.Key].Disclosure.ID != it.Disclosure.ID {
			t.Errorf("%s: id %s then %s", it.Key, keys[it.Key].Disclosure.ID, it.Disclosure.ID)
		}
	}
}

func TestBuildMissingAndRules(t *testing.T) {
	re := mustRE(t, `/zwgk/ylfw/`)
	d := Defaults{Source: "s", Rules: []CategoryRule{{URL: re, Category: "elderly"}, {Column: "就业创业", Category: "employment"}}, ApproveAs: "张敏"}
	it, fail := Build(&Document{Title: "t", Body: "b", URL: "https://a.cn/zwgk/ylfw/1.html"}, "k", d)
	if fail != nil || it.Disclosure.Category != "elderly" || it.Disclosure.Review.Reviewer != "张敏" {
		t.Fatalf("%+v %v", it, fail)
	}
	if strings.Join(it.Missing, ",") != "department,published" {
		t.Errorf("missing %v", it.Missing)
	}
	it, _ = Build(&Document{Title: "t", Body: "b", URL: "https://a.cn/x", Category: "就业创业"}, "k", d)
	if it.Disclosure.Category != "employment" {
		t.Errorf("column rule: %q", it.Disclosure.Category)
	}
	_, fail = Build(&Document{Body: " "}, "k", d)
	if fail == nil || !strings.Contains(fail.Reason, "no title") || !strings.Contains(fail.Reason, "no body") || !strings.Contains(fail.Reason, "no address") {
		t.Errorf("failure %+v", fail)
	}
}

func TestClosingDate(t *testing.T) {
	doc, err := ReadPDF(fixture.PDF("关于做好防汛工作的通知", "各居委会：请做好准备。", "盈浦街道办事处", "2024年6月3日"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Date.String() != "2024-06-03" {
		t.Errorf("closing date = %q", doc.Date)
	}
	for body, want := range map[string]string{
		"正文\n盈浦街道办事处\n2024年6月3日\n\n附件：名单": "2024-06-03",
		"于2024年6月3日前报名。\n盈浦街道":            "",
		"2024年6月3日起施行":                    "",
	} {
		if got := closingDate(body).String(); got != want {
			t.Errorf("closingDate(%q) = %q, want %q", body, got, want)
		}
	}
}

func TestAttachByContentType(t *testing.T) {
	doc := &Document{Body: "正文", Attachments: []Link{
		{Text: "预案", Href: "https://a.example.cn/download.do?id=7"},
		{Text: "图片", Href: "https://a.example.cn/download.do?id=8"},
		{Text: "旧表", Href: "https://a.example.cn/old.doc"},
	}}
	fetched := map[string]bool{}
	notes := Attach(doc, func(href string) ([]byte, string, error) {
		fetched[href] = true
		if strings.HasSuffix(href, "7") {
			return fixture.PDF("应急预案正文"), "application/pdf", nil
		}
		return []byte("GIF89a"), "image/gif", nil
	})
	if doc.Body != "正文\n\n附件：预案\n应急预案正文" {
		t.Errorf("body %q", doc.Body)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "图片") || !strings.Contains(notes[0], "image/gif") || !strings.Contains(notes[1], "旧表") {
		t.Errorf("notes %q", notes)
	}
	if fetched["https://a.example.cn/old.doc"] {
		t.Error("fetched a .doc it cannot read")
	}
}
