package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/yingpu/govbot/content"
)

// Defaults fill what a document does not state, per source (see the
// sources: configuration). Nothing else is ever filled in.
type Defaults struct {
	// Source names where the documents come from; it prefixes their ids.
	Source string
	// Rules map a page's address or the site's column to a category; the
	// first rule that matches wins. Category is the fallback.
	Rules      []CategoryRule
	Category   string
	Department string
	Audience   []string
	// URLPrefix is where a folder of saved files is published: a file
	// that states no address of its own gets URLPrefix + its path in the
	// folder.
	URLPrefix string
	// ApproveAs, when set, marks the disclosures reviewed by this named
	// reviewer on Today; otherwise they are drafts awaiting review.
	ApproveAs string
	Today     content.Date
}

// CategoryRule maps a document to a category when its URL matches the
// pattern, or when the site's column (catalogue 类别) equals Column.
type CategoryRule struct {
	URL      *regexp.Regexp
	Column   string
	Category string
}

// Item is one disclosure built from a document.
type Item struct {
	// Key identifies the document within its source across imports: its
	// URL, or "file:" and its path in the imported folder.
	Key        string
	Disclosure content.Disclosure
	// Missing names the fields neither the document states nor the source
	// configures (category, department, published); the disclosure is
	// kept, and the report lists them.
	Missing []string
	// Notes are attachments that could not be read, with the reason.
	Notes []string
	// Hash is the SHA-256 of what the disclosure says (not its review), to
	// tell a changed page from an unchanged one.
	Hash string
}

// Failure is a document that could not be imported, and why.
type Failure struct {
	Key    string
	Reason string
}

func (f Failure) String() string { return f.Key + ": " + f.Reason }

// IDFor is the disclosure id of the document with key in source: the
// source's name and 12 hex digits of the key's SHA-256, so that a
// re-import of the same page keeps its id (and what admins attached to it).
func IDFor(source, key string) string {
	sum := sha256.Sum256([]byte(key))
	return source + "-" + hex.EncodeToString(sum[:6])
}

// Build makes the disclosure of doc. It fails (with the reason) when the
// disclosure would have no title, body or address: such a record cannot be
// answered from, and inventing one is not an option.
func Build(doc *Document, key string, d Defaults) (Item, *Failure) {
	it := Item{Key: key}
	dis := content.Disclosure{
		ID:         IDFor(d.Source, key),
		Title:      cleanLine(doc.Title),
		Department: cleanLine(doc.Department),
		Published:  doc.Date,
		URL:        strings.TrimSpace(doc.URL),
		Body:       doc.Body,
		Category:   category(doc, d),
	}
	if dis.Department == "" {
		dis.Department = d.Department
	}
	dis.Audience = append([]string(nil), d.Audience...)
	var fatal []string
	if dis.Title == "" {
		fatal = append(fatal, "no title found")
	}
	if strings.TrimSpace(dis.Body) == "" {
		fatal = append(fatal, "no body text found")
	}
	if dis.URL == "" {
		fatal = append(fatal, "no address: it states no canonical link (give the source a url_prefix for a folder of saved files)")
	}
	if len(fatal) > 0 {
		return Item{}, &Failure{Key: key, Reason: strings.Join(fatal, "; ")}
	}
	if err := dis.Validate(); err != nil {
		return Item{}, &Failure{Key: key, Reason: err.Error()}
	}
	if dis.Category == "" {
		it.Missing = append(it.Missing, "category")
	}
	if dis.Department == "" {
		it.Missing = append(it.Missing, "department")
	}
	if dis.Published.IsZero() {
		it.Missing = append(it.Missing, "published")
	}
	dis.Review = ReviewFor(d)
	it.Disclosure = dis
	it.Hash = ContentHash(&dis)
	return it, nil
}

// ReviewFor is the review an imported disclosure gets: approved by the
// named reviewer, or a draft.
func ReviewFor(d Defaults) content.Review {
	if d.ApproveAs != "" {
		return content.Review{Status: "approved", Reviewer: d.ApproveAs, Date: d.Today}
	}
	return content.Review{Status: "draft"}
}

func category(doc *Document, d Defaults) string {
	for _, r := range d.Rules {
		if r.URL != nil && r.URL.MatchString(doc.URL) {
			return r.Category
		}
		if r.Column != "" && r.Column == doc.Category {
			return r.Category
		}
	}
	return d.Category
}

// ContentHash is the SHA-256 (hex) of what d says to residents, leaving out
// its review, so that approving a disclosure does not make it "changed".
func ContentHash(d *content.Disclosure) string {
	c := *d
	c.Review = content.Review{}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// AppendAttachment adds an attachment's text to the body under its name.
func AppendAttachment(body, name, text string) string {
	return strings.TrimRight(body, "\n") + "\n\n附件：" + name + "\n" + text
}
