// Package importer reads the documents a subdistrict office already
// publishes (HTML pages in any of the encodings Chinese sites use, Word
// .docx, the text layer of PDF, .xlsx and .csv tables) into Documents: the
// title, date, department and body each states, with its attachments' text.
// It reads only; what a document does not state stays empty, for the caller
// to fill from configuration or to report as missing.
package importer

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/yingpu/govbot/content"
)

// Document is what one file or page states about itself.
type Document struct {
	// Title, Department and Category are "" when the document does not
	// state them. Category is the site's own column (栏目, e.g. from the
	// ColumnName meta tag or a catalogue's 类别 cell), mapped by the caller.
	Title      string
	Department string
	Category   string
	// Date is the publication date the document states; zero when none.
	Date content.Date
	// Body is plain text: one paragraph or heading a line, tables as one
	// row a line ("列名：值；列名：值").
	Body string
	// URL is the page's own address (its canonical link, or where it was
	// fetched from); "" when unknown.
	URL string
	// Attachments are the files the page links to (Word, PDF, tables), in
	// page order, with absolute or page-relative Href.
	Attachments []Link
	// Charset is the encoding the page was read in (html only).
	Charset string
}

// Link is a hyperlink: its text and address.
type Link struct {
	Text string
	Href string
}

// Kind is a document format.
type Kind string

// Formats that importer reads.
const (
	KindHTML     Kind = "html"
	KindDocx     Kind = "docx"
	KindPDF      Kind = "pdf"
	KindXLSX     Kind = "xlsx"
	KindCSV      Kind = "csv"
	KindJSONL    Kind = "jsonl"
	KindMarkdown Kind = "markdown"
)

// ErrUnsupported is returned for a format importer cannot read (an old
// binary .doc or .xls, an image, ...).
var ErrUnsupported = errors.New("unsupported format")

// KindOf tells a file's format from its name (or URL path) and, failing
// that, from its Content-Type. It returns "" and ErrUnsupported (wrapped,
// naming the format) for anything else.
func KindOf(name, contentType string) (Kind, error) {
	ext := strings.ToLower(path.Ext(stripQuery(name)))
	switch ext {
	case ".html", ".htm", ".shtml", ".xhtml":
		return KindHTML, nil
	case ".docx":
		return KindDocx, nil
	case ".pdf":
		return KindPDF, nil
	case ".xlsx", ".xlsm":
		return KindXLSX, nil
	case ".csv":
		return KindCSV, nil
	case ".jsonl":
		return KindJSONL, nil
	case ".md", ".markdown":
		return KindMarkdown, nil
	case ".doc", ".wps":
		return "", fmt.Errorf("%w: %s is an old binary Word file; save it as .docx", ErrUnsupported, ext)
	case ".xls", ".et":
		return "", fmt.Errorf("%w: %s is an old binary spreadsheet; save it as .xlsx", ErrUnsupported, ext)
	}
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	switch mt {
	case "text/html", "application/xhtml+xml":
		return KindHTML, nil
	case "application/pdf":
		return KindPDF, nil
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return KindDocx, nil
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return KindXLSX, nil
	case "text/csv":
		return KindCSV, nil
	}
	if ext == "" && mt == "" {
		return "", fmt.Errorf("%w: no file extension or content type", ErrUnsupported)
	}
	if mt != "" {
		return "", fmt.Errorf("%w: content type %s", ErrUnsupported, mt)
	}
	return "", fmt.Errorf("%w: %s files", ErrUnsupported, ext)
}

func stripQuery(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

// IsAttachmentName reports whether a link's address names a file format
// that importer reads as an attachment (or reports as unreadable): Word,
// PDF and spreadsheets.
func IsAttachmentName(href string) bool {
	switch strings.ToLower(path.Ext(stripQuery(href))) {
	case ".docx", ".pdf", ".xlsx", ".xlsm", ".csv", ".doc", ".wps", ".xls", ".et":
		return true
	}
	return false
}

// Limits a reader keeps to, so that a hostile or broken file cannot
// exhaust memory.
const (
	// MaxUnzippedBytes caps the uncompressed size of one part of a .docx.
	MaxUnzippedBytes = 64 << 20
	// MaxTableCells caps the cells read from one spreadsheet.
	MaxTableCells = 1_000_000
)
