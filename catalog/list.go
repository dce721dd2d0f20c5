package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
)

// Row is one disclosure in the list: the console's entries and the
// disclosures of the source directories, each once (an entry wins over the
// shipped disclosure it edits).
type Row struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Category   string    `json:"category"`
	Department string    `json:"department"`
	Status     Status    `json:"status"`
	Published  string    `json:"published"`
	Effective  string    `json:"effective"`
	Expires    string    `json:"expires"`
	Updated    time.Time `json:"updated,omitzero"`
	// Source: "form", "upload" or "data" for the console's entries; the
	// file for the rest.
	Source string `json:"source"`
	// Entry is true when the console keeps it (it has a review history).
	Entry bool `json:"entry"`
	Asks  int  `json:"asks"`
}

// Filter narrows List.
type Filter struct {
	// Q matches the id, title, department, keywords or body (substring).
	Q        string
	Status   Status
	Category string
	Limit    int
}

// Shipped is a disclosure of a source directory with its status.
type Shipped struct {
	Disclosure content.Disclosure
	Status     Status
	File       string
	Line       int
	Findings   []Finding
	Reason     string // why it is a draft
}

// shippedCache keeps what the source directories held, until a file in
// them changes (its path, size or modification time).
type shippedCache struct {
	mu    sync.Mutex
	sig   string
	day   time.Time
	items map[string]Shipped
	order []string
}

// signature describes the files of the source directories.
func (c *Catalog) signature() string {
	var b strings.Builder
	for _, dir := range c.opts.SourceDirs {
		filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			if info, err := e.Info(); err == nil {
				fmt.Fprintf(&b, "%s|%d|%d\n", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return b.String()
}

// shipped reads the source directories (or returns what they held when
// nothing changed since).
func (c *Catalog) shipped() (map[string]Shipped, []string, error) {
	sig := c.signature()
	today := clock.Today(c.opts.Clock)
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	if c.cache.items != nil && c.cache.sig == sig && c.cache.day.Equal(today) {
		return c.cache.items, c.cache.order, nil
	}
	items, order, err := c.loadShipped()
	if err != nil {
		return nil, nil, err
	}
	c.cache.sig, c.cache.day, c.cache.items, c.cache.order = sig, today, items, order
	return items, order, nil
}

func (c *Catalog) loadShipped() (map[string]Shipped, []string, error) {
	out := map[string]Shipped{}
	var order []string
	today := clock.Today(c.opts.Clock)
	for _, dir := range c.opts.SourceDirs {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			continue
		}
		res, err := content.Load(dir, content.LoadOptions{})
		if err != nil {
			return nil, nil, err
		}
		add := func(s Shipped) {
			if _, dup := out[s.Disclosure.ID]; dup {
				return
			}
			out[s.Disclosure.ID] = s
			order = append(order, s.Disclosure.ID)
		}
		for _, d := range res.Publishable {
			st := StatusPublished
			if d.StatusOn(today) == content.Expired {
				st = StatusEnded
			}
			add(Shipped{Disclosure: d, Status: st})
		}
		// Drafts and blocked ones are listed by id and title only: Load
		// keeps no more of them.
		for _, d := range res.Drafts {
			add(Shipped{Disclosure: content.Disclosure{ID: d.ID, Title: d.Title}, Status: StatusDraft, File: d.File, Line: d.Line, Reason: d.Reason})
		}
		for _, b := range res.Blocked {
			s := Shipped{Disclosure: content.Disclosure{ID: b.ID, Title: b.Title}, Status: StatusBlocked, File: b.File, Line: b.Line}
			for _, f := range b.Findings {
				s.Findings = append(s.Findings, Finding{Kind: f.Kind, Field: f.Field, Line: f.Line, Column: f.Column, Masked: f.Masked})
			}
			add(s)
		}
	}
	return out, order, nil
}

// Lookup returns a disclosure of the source directories (to open or edit
// it in the console).
func (c *Catalog) Lookup(id string) (Shipped, error) {
	all, _, err := c.shipped()
	if err != nil {
		return Shipped{}, err
	}
	s, ok := all[id]
	if !ok {
		return Shipped{}, errf(CodeNotFound, "没有编号为 %s 的公开信息", id)
	}
	return s, nil
}

// List returns the disclosures matching f: the console's entries first
// (most recently changed first), then the others in file order.
func (c *Catalog) List(f Filter) ([]Row, error) {
	entries, err := c.Entries()
	if err != nil {
		return nil, err
	}
	shipped, order, err := c.shipped()
	if err != nil {
		return nil, err
	}
	asks, err := c.allAsks()
	if err != nil {
		return nil, err
	}
	today := clock.Today(c.opts.Clock)
	q := strings.ToLower(strings.TrimSpace(f.Q))
	match := func(d *content.Disclosure, st Status) bool {
		if f.Status != "" && st != f.Status {
			return false
		}
		if f.Category != "" && d.Category != f.Category {
			return false
		}
		if q == "" {
			return true
		}
		for _, s := range []string{d.ID, d.Title, d.Department, strings.Join(d.Keywords, " "), d.Body} {
			if strings.Contains(strings.ToLower(s), q) {
				return true
			}
		}
		return false
	}
	rows := []Row{}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.ID] = true
		d := e.Disclosure
		st := e.Status
		if st == StatusPublished && e.Live != nil && e.Live.StatusOn(today) == content.Expired {
			st = StatusEnded
		}
		if !match(&d, st) {
			continue
		}
		rows = append(rows, rowOf(&d, st, e.Source, true, len(asks[e.ID]), e.Updated))
	}
	for _, id := range order {
		if seen[id] {
			continue
		}
		s := shipped[id]
		if !match(&s.Disclosure, s.Status) {
			continue
		}
		src := s.File
		if src == "" {
			src = "data"
		}
		rows = append(rows, rowOf(&s.Disclosure, s.Status, src, false, len(asks[id]), time.Time{}))
	}
	if f.Limit > 0 && len(rows) > f.Limit {
		rows = rows[:f.Limit]
	}
	return rows, nil
}

func rowOf(d *content.Disclosure, st Status, src string, entry bool, asks int, updated time.Time) Row {
	return Row{ID: d.ID, Title: d.Title, Category: d.Category, Department: d.Department, Status: st,
		Published: d.Published.String(), Effective: d.Effective.String(), Expires: d.Expires.String(),
		Updated: updated, Source: src, Entry: entry, Asks: asks}
}

// Counts tells how many listed disclosures have each status.
func Counts(rows []Row) map[Status]int {
	out := map[Status]int{}
	for _, r := range rows {
		out[r.Status]++
	}
	return out
}

// Categories lists the categories of rows, sorted.
func Categories(rows []Row) []string {
	set := map[string]bool{}
	for _, r := range rows {
		if r.Category != "" {
			set[r.Category] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
