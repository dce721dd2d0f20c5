package content

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Parse reads the disclosures of one file given by name and contents (an
// upload): a Markdown file with front matter when name ends in .md, else
// JSONL. Each record is validated as Load does, but neither the review
// gate nor the privacy check is applied: the caller decides what an
// uploaded record's review is. Records with problems, and records repeating
// an earlier id, are returned as errors; the rest in file order.
func Parse(name string, data []byte) ([]Disclosure, []LoadError) {
	var items []item
	if strings.EqualFold(filepath.Ext(name), ".md") {
		items = []item{readMarkdown(name, data)}
	} else {
		items = readJSONL(name, data)
	}
	var docs []Disclosure
	var errs []LoadError
	seen := map[string]string{}
	for _, it := range items {
		if it.id != "" {
			if first, dup := seen[it.id]; dup {
				errs = append(errs, LoadError{File: it.file, Line: it.line, ID: it.id,
					Problem: fmt.Sprintf("duplicate id %q (first at %s)", it.id, first)})
				continue
			}
			seen[it.id] = pos(it.file, it.line)
		}
		if len(it.errs) > 0 {
			errs = append(errs, it.errs...)
			continue
		}
		docs = append(docs, it.d)
	}
	return docs, errs
}
