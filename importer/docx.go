package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadDocx reads a Word .docx (Office Open XML) file: its paragraphs one a
// line, headings on their own line, tables one row a line (TableLines),
// line breaks and tabs kept. The title is the core properties' dc:title,
// else the first paragraph in a Title or heading style, else a short
// centred first paragraph (as a 公文 title is set); "" when none.
//
// No library is used: the well-kept Go .docx packages write documents or
// need a licence, while reading text is a walk over word/document.xml.
func ReadDocx(data []byte) (*Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a .docx (zip) file: %w", err)
	}
	part := func(name string) ([]byte, error) {
		for _, f := range zr.File {
			if f.Name == name {
				if f.UncompressedSize64 > MaxUnzippedBytes {
					return nil, fmt.Errorf("%s is larger than %d MiB", name, MaxUnzippedBytes>>20)
				}
				rc, err := f.Open()
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				b, err := io.ReadAll(io.LimitReader(rc, MaxUnzippedBytes+1))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				if len(b) > MaxUnzippedBytes {
					return nil, fmt.Errorf("%s is larger than %d MiB", name, MaxUnzippedBytes>>20)
				}
				return b, nil
			}
		}
		return nil, errNoPart
	}
	body, err := part("word/document.xml")
	if errors.Is(err, errNoPart) {
		return nil, errors.New("not a Word document: no word/document.xml")
	}
	if err != nil {
		return nil, err
	}
	styles := map[string]string{} // style id -> lower-case name
	if b, err := part("word/styles.xml"); err == nil {
		styles = docxStyles(b)
	}
	paras, err := docxParagraphs(body, styles)
	if err != nil {
		return nil, fmt.Errorf("word/document.xml: %w", err)
	}
	doc := &Document{}
	if b, err := part("docProps/core.xml"); err == nil {
		doc.Title = cleanLine(coreTitle(b))
	}
	var lines []string
	for i, p := range paras {
		if doc.Title == "" && p.heading && !p.table {
			doc.Title = cleanLine(p.text)
		}
		if i == 0 && doc.Title == "" && p.centred && !p.table && len([]rune(cleanLine(p.text))) <= 60 {
			doc.Title = cleanLine(p.text)
		}
		if p.heading {
			lines = append(lines, "", p.text, "")
		} else {
			lines = append(lines, p.text)
		}
	}
	doc.Body = joinText(lines)
	doc.Date = FindDate(labelled(doc.Body, "发布日期", "成文日期"))
	if doc.Date.IsZero() {
		doc.Date = closingDate(doc.Body)
	}
	doc.Department = labelled(doc.Body, "发布机构", "发文机关", "发布单位")
	return doc, nil
}

var errNoPart = errors.New("no such part")

type docxPara struct {
	text    string
	heading bool
	centred bool
	table   bool
}

// docxStyles maps paragraph style ids to their lower-case names (Chinese
// Word names its heading styles "heading 1" with ids such as "1" or "2").
func docxStyles(b []byte) map[string]string {
	var s struct {
		Styles []struct {
			ID   string `xml:"styleId,attr"`
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
		} `xml:"style"`
	}
	out := map[string]string{}
	if xml.Unmarshal(b, &s) != nil {
		return out
	}
	for _, st := range s.Styles {
		out[st.ID] = strings.ToLower(st.Name.Val)
	}
	return out
}

func isHeadingStyle(id string, styles map[string]string) bool {
	name := styles[id]
	if name == "" {
		name = strings.ToLower(id)
	}
	return name == "title" || strings.HasPrefix(name, "heading") || strings.HasPrefix(name, "标题")
}

func coreTitle(b []byte) string {
	var c struct {
		Title string `xml:"title"`
	}
	if xml.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Title
}

// docxParagraphs walks the body: top-level paragraphs, and tables as one
// paragraph a row.
func docxParagraphs(b []byte, styles map[string]string) ([]docxPara, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []docxPara
	var (
		cur       strings.Builder
		para      docxPara
		tableRows [][]string
		row       []string
		cell      strings.Builder
		tblDepth  int
		inCell    bool
		inText    bool
		cellParas int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tbl":
				tblDepth++
				if tblDepth == 1 {
					tableRows = nil
				}
			case "tr":
				if tblDepth == 1 {
					row = nil
				}
			case "tc":
				if tblDepth == 1 {
					inCell = true
					cell.Reset()
					cellParas = 0
				}
			case "p":
				if inCell {
					if cellParas > 0 {
						cell.WriteByte(' ')
					}
					cellParas++
				} else {
					cur.Reset()
					para = docxPara{}
				}
			case "pStyle":
				if !inCell && isHeadingStyle(attrVal(t, "val"), styles) {
					para.heading = true
				}
			case "jc":
				if !inCell && attrVal(t, "val") == "center" {
					para.centred = true
				}
			case "t":
				inText = true
			case "tab":
				w := &cur
				if inCell {
					w = &cell
				}
				w.WriteByte('\t')
			case "br", "cr":
				if inCell {
					cell.WriteByte(' ')
				} else {
					cur.WriteByte('\n')
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "tc":
				if tblDepth == 1 {
					row = append(row, cell.String())
					inCell = false
				}
			case "tr":
				if tblDepth == 1 {
					tableRows = append(tableRows, row)
				}
			case "tbl":
				tblDepth--
				if tblDepth == 0 {
					for _, l := range TableLines(tableRows) {
						out = append(out, docxPara{text: l, table: true})
					}
				}
			case "p":
				if !inCell {
					para.text = cur.String()
					out = append(out, para)
				}
			}
		case xml.CharData:
			if inText {
				if inCell {
					cell.Write(t)
				} else {
					cur.Write(t)
				}
			}
		}
	}
	return out, nil
}

func attrVal(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
