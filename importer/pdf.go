package importer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ledongthuc/pdf"
)

// MaxPDFPages caps the pages read from one PDF.
const MaxPDFPages = 500

// ReadPDF reads the text layer of a PDF (github.com/ledongthuc/pdf), one
// line of the page a line, pages in order; the title is the document
// information's Title, when set. A scanned PDF without a text
// layer is an error saying so: its text would need OCR.
func ReadPDF(data []byte) (doc *Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("malformed PDF: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a readable PDF: %w", err)
	}
	n := r.NumPage()
	if n > MaxPDFPages {
		return nil, fmt.Errorf("PDF has %d pages, more than %d", n, MaxPDFPages)
	}
	var lines []string
	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		lines = append(lines, pageLines(p.Content().Text)...)
		lines = append(lines, "")
	}
	doc = &Document{Body: joinText(lines)}
	if t := r.Trailer().Key("Info").Key("Title"); !t.IsNull() {
		doc.Title = cleanLine(t.Text())
	}
	if doc.Body == "" {
		return nil, errors.New("PDF has no text layer (a scanned image?)")
	}
	doc.Date = FindDate(labelled(doc.Body, "发布日期", "成文日期"))
	if doc.Date.IsZero() {
		doc.Date = closingDate(doc.Body)
	}
	doc.Department = labelled(doc.Body, "发布机构", "发文机关", "发布单位")
	return doc, nil
}

// pageLines groups a page's glyphs into lines: glyphs whose baselines lie
// within a third of their size of each other form a line, lines run top to
// bottom (PDF y grows upwards) and glyphs left to right. A gap wider than
// a glyph becomes a space.
func pageLines(texts []pdf.Text) []string {
	type line struct {
		y     float64
		size  float64
		glyph []pdf.Text
	}
	var ls []*line
	for _, t := range texts {
		if t.S == "" {
			continue
		}
		tol := t.FontSize / 3
		if tol < 1 {
			tol = 1
		}
		var hit *line
		for _, l := range ls {
			if math.Abs(l.y-t.Y) <= tol {
				hit = l
				break
			}
		}
		if hit == nil {
			hit = &line{y: t.Y, size: t.FontSize}
			ls = append(ls, hit)
		}
		hit.glyph = append(hit.glyph, t)
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].y > ls[j].y })
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		sort.SliceStable(l.glyph, func(i, j int) bool { return l.glyph[i].X < l.glyph[j].X })
		var b strings.Builder
		end := math.Inf(-1)
		for _, g := range l.glyph {
			if g.X-end > math.Max(g.FontSize, 1) && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(g.S)
			end = g.X + g.W
		}
		out = append(out, b.String())
	}
	return out
}
