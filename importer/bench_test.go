package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yingpu/govbot/importer/fixture"
)

// benchArticle is a GBK article of about 6 KB of text with a table, as a
// CMS renders one.
func benchArticle() []byte { return fixture.GBK(benchArticleText()) }

func benchArticleText() string {
	var b strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "<p>第%d条　居民可持身份证到社区事务受理服务中心办理相关手续，工作日上午9:00至下午5:00。</p>", i+1)
	}
	b.WriteString("<table><tr><th>站点</th><th>地址</th><th>电话</th></tr>")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "<tr><td>第%d站</td><td>城中东路%d号</td><td>021-5972%04d</td></tr>", i, i, i)
	}
	b.WriteString("</table>")
	return strings.Replace(gbkArticle, "<h2>二、咨询电话</h2>", b.String()+"<h2>二、咨询电话</h2>", 1)
}

func BenchmarkReadHTML(b *testing.B) {
	data := benchArticle()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadHTML(data, HTMLOptions{URL: "https://a.example.cn/1.html"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadDocx(b *testing.B) {
	var paras []fixture.Para
	for i := 0; i < 200; i++ {
		paras = append(paras, fixture.Para{Text: fmt.Sprintf("第%d段：申请人应当如实填写申请表，并提交户口簿、身份证复印件。", i)})
	}
	data := fixture.Docx("", paras, [][]string{{"材料", "份数"}, {"申请表", "1"}})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadDocx(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadPDF(b *testing.B) {
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, fmt.Sprintf("第%d行 防汛防台应急预案 街道成立防汛指挥部", i))
	}
	data := fixture.PDF(lines...)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadPDF(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportFiles imports a folder of 100 saved GBK pages, each with
// a .docx attachment.
func BenchmarkImportFiles(b *testing.B) {
	dir := b.TempDir()
	page := fixture.GBK(strings.Replace(benchArticleText(), "files/表.docx", "files/a.docx", 1))
	for i := 0; i < 100; i++ {
		p := filepath.Join(dir, fmt.Sprintf("p%03d.html", i))
		if err := os.WriteFile(p, page, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "files"), 0o755)
	os.WriteFile(filepath.Join(dir, "files", "a.docx"), fixture.Docx("", []fixture.Para{{Text: "报名表"}}, nil), 0o644)
	d := Defaults{Source: "s", URLPrefix: "https://a.example.cn/"}
	for b.Loop() {
		res := ImportFiles([]string{dir}, d, Selectors{})
		if len(res.Items) != 100 {
			b.Fatalf("%d items, %v", len(res.Items), res.Failures)
		}
	}
}

// BenchmarkLabelled compares finding "发布日期：" in a 200-paragraph body by
// running the label expression over the whole text (as first written)
// with running it only on the lines that hold a label.
func BenchmarkLabelled(b *testing.B) {
	var lines []string
	for i := 0; i < 200; i++ {
		lines = append(lines, fmt.Sprintf("第%d段：申请人应当如实填写申请表，并提交户口簿、身份证复印件。", i))
	}
	lines = append(lines, "发布日期：2024-03-05")
	text := strings.Join(lines, "\n")
	labels := []string{"发布日期", "成文日期"}
	b.Run("whole-text", func(b *testing.B) {
		for b.Loop() {
			if labelledLine(text, labels) == "" {
				b.Fatal("not found")
			}
		}
	})
	b.Run("label-lines", func(b *testing.B) {
		for b.Loop() {
			if labelled(text, labels...) != "2024-03-05" {
				b.Fatal("not found")
			}
		}
	})
}
