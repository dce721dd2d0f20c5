package importer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yingpu/govbot/importer/fixture"
)

// FuzzReadHTML: any bytes, with any Content-Type, are read without a panic
// into valid UTF-8 fields, a body without blank-line runs, and attachments
// with addresses; with selectors as well.
func FuzzReadHTML(f *testing.F) {
	f.Add([]byte(gbkArticle), "")
	f.Add(fixture.GBK(gbkArticle), "text/html; charset=gbk")
	f.Add([]byte(`<table><tr><td colspan="99999999999">x</td></tr><tr><td>`), "")
	f.Add([]byte(`<meta charset="gb18030"><h1>`+"\xff\xfe"+`</h1><pre>a
b</pre>`), "text/html")
	f.Add([]byte(strings.Repeat("<div>", 2000)+"深"), "")
	f.Add([]byte(`<a href="%zz.pdf">附件</a><link rel=canonical href="http://[::1">`), "")
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		for _, sel := range []Selectors{{}, {Title: "h1", Body: "div", Date: "span", Department: "p", Attachments: "a"}} {
			doc, err := ReadHTML(data, HTMLOptions{URL: "https://a.example.cn/x/1.html", ContentType: contentType, Selectors: sel})
			if err != nil {
				continue
			}
			for name, v := range map[string]string{"title": doc.Title, "body": doc.Body, "department": doc.Department, "category": doc.Category} {
				if !utf8.ValidString(v) {
					t.Fatalf("%s is not valid UTF-8: %q", name, v)
				}
			}
			if strings.Contains(doc.Body, "\n\n\n") || strings.HasPrefix(doc.Body, "\n") || strings.HasSuffix(doc.Body, "\n") {
				t.Fatalf("body has blank-line runs or edges: %q", doc.Body)
			}
			if strings.Contains(doc.Title, "\n") {
				t.Fatalf("title holds a line break: %q", doc.Title)
			}
			for _, a := range doc.Attachments {
				if a.Href == "" || a.Text == "" {
					t.Fatalf("attachment without address or name: %+v", a)
				}
			}
		}
	})
}
