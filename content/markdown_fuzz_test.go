package content

import (
	"strings"
	"testing"
)

// FuzzReadMarkdown: any file is read without a panic into either problems
// (each with a line inside the file) or a disclosure that validates.
func FuzzReadMarkdown(f *testing.F) {
	f.Add("---\nid: a\ntitle: 标题\nurl: https://a.example.cn/1\nreview: {status: approved, reviewer: 张敏, date: 2024-03-01}\n---\n正文\n")
	f.Add("---\ntitle: [\n---\n")
	f.Add("---\npublished: {a: 1}\nlocation: {lat: x}\n---\nbody")
	f.Add("---\n- a\n- b\n...\n")
	f.Add("no front matter")
	f.Add("---\r\nid: x\r\nbody: b\r\n---\r\nmore\r\n")
	f.Add("---\nkeywords: &a [*a]\n---\n")
	f.Fuzz(func(t *testing.T, text string) {
		it := readMarkdown("x.md", []byte(text))
		norm := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		lines := strings.Count(norm, "\n") + 1
		for _, e := range it.errs {
			if e.Line < 1 || e.Line > lines+1 {
				t.Fatalf("problem at line %d of a %d-line file: %v", e.Line, lines, e)
			}
			if e.Problem == "" {
				t.Fatal("a problem without a message")
			}
		}
		if len(it.errs) == 0 {
			if err := it.d.Validate(); err != nil {
				t.Fatalf("read without problems, but invalid: %v", err)
			}
		}
	})
}
