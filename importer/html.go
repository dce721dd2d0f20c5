package importer

import (
	"bytes"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Selectors are CSS selectors (goquery) of an article page's parts. An
// empty selector falls back to what government sites' templates usually
// hold (see ReadHTML).
type Selectors struct {
	Title      string
	Date       string
	Department string
	Body       string
	// Attachments selects the links to attached files; by default every
	// link in the body (and in the page) to a .docx, .pdf, .xlsx, .csv
	// (or old .doc/.xls, reported as unreadable).
	Attachments string
}

// HTMLOptions tell ReadHTML where the page comes from.
type HTMLOptions struct {
	// URL is where the page was fetched from (or "" for a saved file); a
	// canonical link in the page takes precedence.
	URL string
	// ContentType is the HTTP Content-Type header, for its charset.
	ContentType string
	Selectors   Selectors
}

// ReadHTML reads an article page. Without selectors it takes:
//   - the title from <meta name="ArticleTitle"> (the national government
//     website template's tag), og:title, the first <h1>, else <title>;
//   - the date from <meta name="PubDate">, article:published_time, else a
//     "发布日期：" / "发布时间：" label in the page;
//   - the department from <meta name="ContentSource">, else a "发布机构：" /
//     "来源：" label;
//   - the category (the site's column) from <meta name="ColumnName">;
//   - the body from <article>, <main>, else <body>, scripts, styles,
//     navigation, headers and footers left out.
//
// A selector given but matching nothing leaves that field empty rather
// than falling back, so a template change shows up as missing fields.
// It fails only when the page cannot be decoded.
func ReadHTML(data []byte, opts HTMLOptions) (*Document, error) {
	text, cs, err := DecodeHTML(data, opts.ContentType)
	if err != nil {
		return nil, err
	}
	dom, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	doc := &Document{Charset: cs, URL: pageURL(dom, opts.URL)}
	sel := opts.Selectors
	meta := func(names ...string) string {
		for _, n := range names {
			v := dom.Find(`meta[name="`+n+`"], meta[property="`+n+`"]`).First().AttrOr("content", "")
			if v = cleanLine(v); v != "" {
				return v
			}
		}
		return ""
	}

	var bodySel *goquery.Selection
	if sel.Body != "" {
		// Elements inside another match are read with it, not again.
		bodySel = dom.Find(sel.Body).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.ParentsFiltered(sel.Body).Length() == 0
		})
	} else {
		for _, s := range []string{"article", "main", "body"} {
			if bodySel = dom.Find(s).First(); bodySel.Length() > 0 {
				break
			}
		}
	}
	// The page's text a line a block, for "发布日期：" style labels.
	var pageText string
	if b := dom.Find("body").First(); b.Length() > 0 {
		pageText = joinText(nodeText(b.Nodes[0]))
	}

	if sel.Title != "" {
		doc.Title = cleanLine(dom.Find(sel.Title).First().Text())
	} else {
		doc.Title = meta("ArticleTitle", "og:title")
		if doc.Title == "" {
			doc.Title = cleanLine(dom.Find("h1").First().Text())
		}
		if doc.Title == "" {
			doc.Title = cleanLine(dom.Find("title").First().Text())
		}
	}
	if sel.Date != "" {
		doc.Date = FindDate(dom.Find(sel.Date).First().Text())
	} else {
		doc.Date = FindDate(meta("PubDate", "pubdate", "article:published_time", "publishdate"))
		if doc.Date.IsZero() {
			doc.Date = FindDate(labelled(pageText, "发布日期", "发布时间", "成文日期"))
		}
	}
	if sel.Department != "" {
		doc.Department = stripLabel(cleanLine(dom.Find(sel.Department).First().Text()))
	} else {
		doc.Department = meta("ContentSource")
		if doc.Department == "" {
			doc.Department = labelled(pageText, "发布机构", "发文机关", "发布单位", "信息来源", "来源")
		}
	}
	doc.Category = meta("ColumnName")

	var lines []string
	bodySel.Each(func(_ int, s *goquery.Selection) {
		for _, n := range s.Nodes {
			lines = append(lines, nodeText(n)...)
		}
	})
	doc.Body = joinText(lines)

	var links *goquery.Selection
	if sel.Attachments != "" {
		links = dom.Find(sel.Attachments)
	} else {
		links = dom.Find("a[href]")
	}
	seen := map[string]bool{}
	links.Each(func(_ int, a *goquery.Selection) {
		href := strings.TrimSpace(a.AttrOr("href", ""))
		if href == "" || (sel.Attachments == "" && !IsAttachmentName(href)) {
			return
		}
		abs := resolveRef(doc.URL, href)
		if seen[abs] {
			return
		}
		seen[abs] = true
		name := cleanLine(a.Text())
		if name == "" {
			name = cleanLine(a.AttrOr("title", ""))
		}
		if name == "" {
			name = path.Base(stripQuery(href))
		}
		doc.Attachments = append(doc.Attachments, Link{Text: name, Href: abs})
	})
	return doc, nil
}

// stripLabel drops a leading "来源：" / "发布机构：" from a department text.
func stripLabel(s string) string {
	if v := labelled(s, "发布机构", "发文机关", "发布单位", "信息来源", "来源"); v != "" {
		return v
	}
	return s
}

// pageURL is the page's canonical address when it states one (absolute
// http(s)), else fetched.
func pageURL(dom *goquery.Document, fetched string) string {
	for _, s := range []string{`link[rel="canonical"]`, `meta[property="og:url"]`} {
		n := dom.Find(s).First()
		v := strings.TrimSpace(n.AttrOr("href", n.AttrOr("content", "")))
		if v == "" {
			continue
		}
		abs := resolveRef(fetched, v)
		if u, err := url.Parse(abs); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return abs
		}
	}
	return fetched
}

// resolveRef resolves href against base; with no usable base it returns
// href as written.
func resolveRef(base, href string) string {
	if base == "" {
		return href
	}
	b, err := url.Parse(base)
	if err != nil {
		return href
	}
	r, err := url.Parse(href)
	if err != nil {
		return href
	}
	return b.ResolveReference(r).String()
}

// skipped elements hold no article text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Iframe: true,
	atom.Head: true, atom.Select: true, atom.Button: true, atom.Svg: true,
	atom.Object: true, atom.Embed: true,
}

// blocks start a new line.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Address: true, atom.Figure: true,
	atom.Figcaption: true, atom.Form: true, atom.Fieldset: true, atom.Aside: true, atom.Center: true,
	atom.Caption: true, atom.Body: true,
}

// nodeText renders n as lines: a block starts a new line, a heading or a
// paragraph stands alone, <br> breaks the line, a table becomes one line a
// row (TableLines), and text inside <pre> keeps its line breaks.
func nodeText(n *html.Node) []string {
	w := &textWriter{}
	w.walk(n, 0)
	w.flush()
	return w.lines
}

// maxDepth bounds recursion on pathologically nested markup.
const maxDepth = 512

type textWriter struct {
	lines []string
	cur   bytes.Buffer
	pre   int
}

func (w *textWriter) flush() {
	if w.cur.Len() > 0 {
		w.lines = append(w.lines, w.cur.String())
		w.cur.Reset()
	}
}

func (w *textWriter) walk(n *html.Node, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		s := n.Data
		if w.pre > 0 {
			parts := strings.Split(s, "\n")
			for i, p := range parts {
				if i > 0 {
					w.flush()
				}
				w.cur.WriteString(p)
			}
			return
		}
		w.cur.WriteString(strings.ReplaceAll(s, "\n", " "))
		return
	case html.ElementNode:
		if skipped[n.DataAtom] {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			w.flush()
			return
		case atom.Table:
			w.flush()
			w.lines = append(w.lines, "")
			w.lines = append(w.lines, TableLines(tableRows(n))...)
			w.lines = append(w.lines, "")
			return
		case atom.Img:
			if alt := cleanLine(attr(n, "alt")); alt != "" {
				w.cur.WriteString(alt)
			}
			return
		}
		block := blocks[n.DataAtom]
		para := n.DataAtom == atom.P || isHeading(n.DataAtom)
		if block {
			w.flush()
			if para {
				w.lines = append(w.lines, "")
			}
		}
		if n.DataAtom == atom.Pre {
			w.pre++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c, depth+1)
		}
		if n.DataAtom == atom.Pre {
			w.pre--
		}
		if block {
			w.flush()
			if para {
				w.lines = append(w.lines, "")
			}
		}
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// tableRows reads a table's rows (thead, tbody, tfoot or direct tr) as
// cell texts; a cell spanning columns repeats its text so that the header
// names line up. Nested tables are read as text of their cell.
func tableRows(t *html.Node) [][]string {
	var rows [][]string
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Thead, atom.Tbody, atom.Tfoot:
				visit(c, depth+1)
			case atom.Tr:
				var row []string
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type != html.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
						continue
					}
					txt := cleanLine(strings.Join(nodeText(td), " "))
					span, err := strconv.Atoi(strings.TrimSpace(attr(td, "colspan")))
					if err != nil || span < 1 || span > 50 {
						span = 1
					}
					row = append(row, txt)
					for k := 1; k < span; k++ {
						row = append(row, "")
					}
				}
				rows = append(rows, row)
				if len(rows) > MaxTableCells {
					return
				}
			}
		}
	}
	visit(t, 0)
	return rows
}
