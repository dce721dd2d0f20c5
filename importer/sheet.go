package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads every visible sheet of an .xlsx workbook
// (github.com/xuri/excelize/v2) as table lines (TableLines); with more than
// one sheet, each starts with its name. The title is a caption row above
// the header (a 公示 table's usual merged title), else "".
func ReadXLSX(data []byte) (*Document, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    MaxUnzippedBytes,
		UnzipXMLSizeLimit: MaxUnzippedBytes / 4,
	})
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx: %w", err)
	}
	defer f.Close()
	var sheets []string
	for _, name := range f.GetSheetList() {
		if v, err := f.GetSheetVisible(name); err == nil && !v {
			continue
		}
		sheets = append(sheets, name)
	}
	doc := &Document{}
	var lines []string
	cells := 0
	for _, name := range sheets {
		rows, err := f.GetRows(name)
		if err != nil {
			return nil, fmt.Errorf("sheet %s: %w", name, err)
		}
		for _, r := range rows {
			cells += len(r)
		}
		if cells > MaxTableCells {
			return nil, fmt.Errorf("workbook has more than %d cells", MaxTableCells)
		}
		tl := TableLines(rows)
		if len(tl) == 0 {
			continue
		}
		if doc.Title == "" {
			doc.Title = captionOf(rows)
		}
		if len(sheets) > 1 {
			lines = append(lines, "", name, "")
		}
		lines = append(lines, tl...)
	}
	doc.Body = joinText(lines)
	return doc, nil
}

// ReadCSV reads a CSV table (UTF-8, UTF-16 with a byte order mark, or
// GBK/GB18030 as Excel saves it on Chinese Windows) as table lines.
func ReadCSV(data []byte) (*Document, error) {
	text, _, err := DecodeText(data)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	var rows [][]string
	cells := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a readable CSV: %w", err)
		}
		cells += len(rec)
		if cells > MaxTableCells {
			return nil, fmt.Errorf("table has more than %d cells", MaxTableCells)
		}
		rows = append(rows, rec)
	}
	doc := &Document{Title: captionOf(rows), Body: joinText(TableLines(rows))}
	return doc, nil
}

// captionOf is the text of a one-cell row above a table's header, or "".
func captionOf(rows [][]string) string {
	rows = trimTable(rows)
	if len(rows) >= 2 && nonEmpty(rows[0]) == 1 && nonEmpty(rows[1]) > 1 {
		return firstNonEmpty(rows[0])
	}
	return ""
}
