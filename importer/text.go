package importer

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/yingpu/govbot/content"
)

// TableLines renders a table as one line a row: "列名：值；列名：值". The
// header is the first row; a row with one non-empty cell (a caption or a
// group title spanning the table) is kept as that text alone; empty cells
// are left out. Without a header (one row only) cells are joined by "；".
func TableLines(rows [][]string) []string {
	rows = trimTable(rows)
	if len(rows) == 0 {
		return nil
	}
	var out []string
	// Rows before the header that hold one cell are captions.
	h := 0
	for h < len(rows) && nonEmpty(rows[h]) == 1 && h+1 < len(rows) {
		out = append(out, firstNonEmpty(rows[h]))
		h++
	}
	header := rows[h]
	if h == len(rows)-1 {
		return append(out, strings.Join(cleanCells(header), "；"))
	}
	for _, row := range rows[h+1:] {
		if n := nonEmpty(row); n == 0 {
			continue
		} else if n == 1 && len(header) > 1 && firstNonEmptyIndex(row) == 0 && len(row) == 1 {
			out = append(out, firstNonEmpty(row))
			continue
		}
		var cells []string
		for i, c := range row {
			c = cleanLine(c)
			if c == "" {
				continue
			}
			name := ""
			if i < len(header) {
				name = cleanLine(header[i])
			}
			if name == "" {
				cells = append(cells, c)
			} else {
				cells = append(cells, name+"："+c)
			}
		}
		out = append(out, strings.Join(cells, "；"))
	}
	return out
}

func trimTable(rows [][]string) [][]string {
	var out [][]string
	for _, r := range rows {
		if nonEmpty(r) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func nonEmpty(row []string) int {
	n := 0
	for _, c := range row {
		if cleanLine(c) != "" {
			n++
		}
	}
	return n
}

func firstNonEmptyIndex(row []string) int {
	for i, c := range row {
		if cleanLine(c) != "" {
			return i
		}
	}
	return -1
}

func firstNonEmpty(row []string) string {
	if i := firstNonEmptyIndex(row); i >= 0 {
		return cleanLine(row[i])
	}
	return ""
}

func cleanCells(row []string) []string {
	var out []string
	for _, c := range row {
		if c = cleanLine(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// isSpace is white space including the full-width space and the no-break
// space pages indent paragraphs with.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\ufeff'
}

// cleanLine collapses runs of white space inside a line to one space and
// trims it; a space between two CJK characters (a line wrapped by the
// author) is dropped.
func cleanLine(s string) string {
	var b strings.Builder
	space := false
	var prev rune
	for _, r := range s {
		if isSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 && !(isCJK(prev) && isCJK(r)) {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// joinText cleans every line and joins them, keeping at most one blank
// line between paragraphs and none at the start or end.
func joinText(lines []string) string {
	var out []string
	blank := false
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			part = cleanLine(part)
			if part == "" {
				blank = len(out) > 0
				continue
			}
			if blank {
				out = append(out, "")
				blank = false
			}
			out = append(out, part)
		}
	}
	return strings.Join(out, "\n")
}

// dateRE finds a date written as 2024-03-01, 2024/3/1, 2024.03.01 or
// 2024年3月1日.
var dateRE = regexp.MustCompile(`(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?`)

// FindDate returns the first date written in s, or the zero Date.
func FindDate(s string) content.Date {
	for _, m := range dateRE.FindAllStringSubmatch(s, 4) {
		y, mo, d := m[1], m[2], m[3]
		if len(mo) == 1 {
			mo = "0" + mo
		}
		if len(d) == 1 {
			d = "0" + d
		}
		if dt, err := content.ParseDate(y + "-" + mo + "-" + d); err == nil {
			return dt
		}
	}
	return content.Date{}
}

// labelRE finds "发布日期：2024-03-01"-style labels in page text, and the
// labels that usually follow them on the same line (so that a value ends
// where the next label starts).
var labelRE = regexp.MustCompile(`(发布日期|发布时间|成文日期|日期|时间|发布机构|发文机关|发布单位|信息来源|来源|浏览次数|点击数|阅读次数|字号|作者|索引号|分类|文号|责任编辑|打印)\s*[:：]\s*`)

// labelled returns what the first of labels says in text (e.g. the
// department after 发布机构：): up to the end of its line, the next label,
// or a "|" separator; "" when none says anything.
func labelled(text string, labels ...string) string {
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		// The regular expression only runs on lines that hold a label.
		has := false
		for _, l := range labels {
			if strings.Contains(line, l) {
				has = true
				break
			}
		}
		if !has {
			continue
		}
		if v := labelledLine(line, labels); v != "" {
			return v
		}
	}
	return ""
}

func labelledLine(text string, labels []string) string {
	ms := labelRE.FindAllStringSubmatchIndex(text, -1)
	for i, m := range ms {
		name := text[m[2]:m[3]]
		want := false
		for _, l := range labels {
			want = want || name == l
		}
		if !want {
			continue
		}
		end := len(text)
		if i+1 < len(ms) {
			end = ms[i+1][0]
		}
		v := text[m[1]:end]
		if k := strings.IndexAny(v, "|｜【"); k >= 0 {
			v = v[:k]
		}
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// closingDate is the date a document is signed with (成文日期): a line near
// its end that holds only a date, as 公文 end with "2024年3月1日". Zero when
// none.
func closingDate(body string) content.Date {
	lines := strings.Split(body, "\n")
	for i, seen := len(lines)-1, 0; i >= 0 && seen < 6; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		seen++
		if m := dateRE.FindStringIndex(l); m != nil && m[0] == 0 && strings.TrimSpace(l[m[1]:]) == "" {
			if d := FindDate(l); !d.IsZero() {
				return d
			}
		}
	}
	return content.Date{}
}
