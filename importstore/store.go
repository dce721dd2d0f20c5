// Package importstore keeps what was imported from each source (a site or a
// folder of files): in bbolt, one record per page with its fetch
// validators (ETag, Last-Modified, content hashes), its status (active or
// withdrawn), its history and the disclosure built from it; and, for the
// index, every active disclosure of a source as one JSONL file,
// <dir>/<source>.jsonl, rewritten after each change. A reindex reads those
// files (govbot reindex need not open the database). The database is the
// record: a lost or stale JSONL file is rewritten by the next Apply or by
// Export.
//
// Withdrawn pages (gone from the site) stay in the database with their last
// disclosure, so their history is kept, but leave the JSONL file, so they
// are no longer answered.
package importstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/importer"
)

// bucketPages: key = source name, NUL, page key; value = JSON Page.
var bucketPages = []byte("import/pages")

// Status of a page.
const (
	StatusActive    = "active"
	StatusWithdrawn = "withdrawn"
)

// Event kinds in a page's history.
const (
	EventNew       = "new"
	EventChanged   = "changed"
	EventApproved  = "approved"
	EventWithdrawn = "withdrawn"
	EventRestored  = "restored"
)

// maxHistory is how many events a page keeps (the oldest go first).
const maxHistory = 50

// Page is the record of one imported page or file.
type Page struct {
	Source string `json:"source"`
	Key    string `json:"key"`
	ID     string `json:"id"`
	// Fetch validators of the last successful fetch (sync only).
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// RawHash is the SHA-256 of the page's bytes as fetched; Hash that of
	// the disclosure built from it (importer.ContentHash).
	RawHash string `json:"raw_hash,omitempty"`
	Hash    string `json:"hash"`
	Status  string `json:"status"`
	// FirstSeen, Updated (the disclosure last changed) and Checked (last
	// found on the site or in the folder).
	FirstSeen time.Time `json:"first_seen"`
	Updated   time.Time `json:"updated"`
	Checked   time.Time `json:"checked"`
	// Missing and Notes as the last import reported them.
	Missing    []string           `json:"missing,omitempty"`
	Notes      []string           `json:"notes,omitempty"`
	Disclosure content.Disclosure `json:"disclosure"`
	History    []Event            `json:"history"`
}

// Event is one change of a page.
type Event struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
	Hash  string    `json:"hash,omitempty"`
	// By is the reviewer of an approval.
	By string `json:"by,omitempty"`
}

// Store is the import state. It is safe for concurrent use (bbolt
// serialises writers).
type Store struct {
	db    *bolt.DB
	dir   string
	clock clock.Clock
}

// New returns the store kept in db, writing JSONL files into dir.
func New(db *bolt.DB, dir string, c clock.Clock) (*Store, error) {
	if db == nil {
		return nil, errors.New("importstore: nil database")
	}
	if c == nil {
		c = clock.System{}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketPages)
		return err
	}); err != nil {
		return nil, fmt.Errorf("importstore: %w", err)
	}
	return &Store{db: db, dir: dir, clock: c}, nil
}

// Dir is where the JSONL files are written.
func (s *Store) Dir() string { return s.dir }

var sourceRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// ValidSource reports whether name can name a source (and its file).
func ValidSource(name string) bool { return sourceRE.MatchString(name) }

func pageKey(source, key string) []byte {
	return append(append([]byte(source), 0), key...)
}

// Pages returns every page of source (active and withdrawn), by key.
func (s *Store) Pages(source string) ([]Page, error) {
	var out []Page
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := append([]byte(source), 0)
		c := tx.Bucket(bucketPages).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var p Page
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("page %q: %w", k[len(prefix):], err)
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// Page returns the page with key in source.
func (s *Store) Page(source, key string) (Page, bool, error) {
	var p Page
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPages).Get(pageKey(source, key))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &p)
	})
	return p, ok, err
}

// Entry is one page read in this import or sync.
type Entry struct {
	Item               importer.Item
	ETag, LastModified string
	RawHash            string
}

// Batch is what one import or sync found for a source.
type Batch struct {
	Source string
	// Entries are the pages read (new, changed or unchanged).
	Entries []Entry
	// Unchanged are pages the site said have not changed (304, or the same
	// bytes): their Checked time and validators are refreshed.
	Unchanged []Validators
	// Gone are pages the site answered 404 or 410 for: withdrawn.
	Gone []string
	// Complete says Entries, Unchanged and Seen cover the whole source
	// (a sync whose list pages were all read), so that an active page in
	// none of them is gone from the site and withdrawn. An import of some
	// files is never complete.
	Complete bool
	// Seen are pages listed on the site but neither read nor unchanged (a
	// fetch that failed): they are kept as they are.
	Seen []string
	// Approve, when its status is "approved", is also given to the
	// unchanged pages still awaiting review (an import or sync with a
	// named reviewer approves what it finds).
	Approve content.Review
}

// Validators are a page's fetch validators.
type Validators struct {
	Key, ETag, LastModified, RawHash string
}

// Change is one page in a Result.
type Change struct {
	Key, ID, Title string
	// Missing fields of a new or changed page.
	Missing []string
}

// Result lists what Apply changed (or, dry, would change).
type Result struct {
	New, Changed, Withdrawn, Restored, Approved []Change
	Unchanged                                   int
}

// Empty reports whether nothing changed.
func (r *Result) Empty() bool {
	return len(r.New)+len(r.Changed)+len(r.Withdrawn)+len(r.Restored)+len(r.Approved) == 0
}

// Apply records a batch: a new page is added, a page whose disclosure
// changed is updated (its review as the entry says: a draft unless the
// import approved it), an unchanged page keeps its disclosure and review
// (an approval given now is recorded), a gone page is withdrawn, and a
// withdrawn page found again is restored. With dry set nothing is written
// and the result says what would change. Then the source's JSONL file is
// rewritten.
func (s *Store) Apply(b Batch, dry bool) (*Result, error) {
	if !ValidSource(b.Source) {
		return nil, fmt.Errorf("importstore: bad source name %q", b.Source)
	}
	now := s.clock.Now().UTC().Round(0)
	res := &Result{}
	fn := func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketPages)
		get := func(key string) (*Page, error) {
			v := bk.Get(pageKey(b.Source, key))
			if v == nil {
				return nil, nil
			}
			var p Page
			if err := json.Unmarshal(v, &p); err != nil {
				return nil, fmt.Errorf("page %q: %w", key, err)
			}
			return &p, nil
		}
		put := func(p *Page) error {
			if dry {
				return nil
			}
			if len(p.History) > maxHistory {
				p.History = p.History[len(p.History)-maxHistory:]
			}
			v, err := json.Marshal(p)
			if err != nil {
				return err
			}
			return bk.Put(pageKey(b.Source, p.Key), v)
		}
		seen := map[string]bool{}
		for _, k := range b.Seen {
			seen[k] = true
		}
		for _, e := range b.Entries {
			it := e.Item
			seen[it.Key] = true
			p, err := get(it.Key)
			if err != nil {
				return err
			}
			ch := Change{Key: it.Key, ID: it.Disclosure.ID, Title: it.Disclosure.Title, Missing: it.Missing}
			switch {
			case p == nil:
				p = &Page{Source: b.Source, Key: it.Key, ID: it.Disclosure.ID, FirstSeen: now, Updated: now,
					Status: StatusActive, Hash: it.Hash, Disclosure: it.Disclosure}
				p.History = append(p.History, Event{At: now, Event: EventNew, Hash: it.Hash})
				res.New = append(res.New, ch)
			case p.Status == StatusWithdrawn:
				p.Status, p.Updated, p.Hash, p.Disclosure = StatusActive, now, it.Hash, it.Disclosure
				p.History = append(p.History, Event{At: now, Event: EventRestored, Hash: it.Hash})
				res.Restored = append(res.Restored, ch)
			case p.Hash != it.Hash:
				p.Updated, p.Hash, p.Disclosure = now, it.Hash, it.Disclosure
				p.History = append(p.History, Event{At: now, Event: EventChanged, Hash: it.Hash})
				res.Changed = append(res.Changed, ch)
			default:
				r := it.Disclosure.Review
				if r.Status == "approved" && p.Disclosure.Review.Status != "approved" {
					p.Disclosure.Review = r
					p.History = append(p.History, Event{At: now, Event: EventApproved, By: r.Reviewer})
					res.Approved = append(res.Approved, ch)
				} else {
					res.Unchanged++
				}
			}
			p.ID = it.Disclosure.ID
			p.Checked = now
			p.Missing, p.Notes = it.Missing, it.Notes
			p.ETag, p.LastModified, p.RawHash = e.ETag, e.LastModified, e.RawHash
			if err := put(p); err != nil {
				return err
			}
		}
		for _, u := range b.Unchanged {
			seen[u.Key] = true
			p, err := get(u.Key)
			if err != nil {
				return err
			}
			if p == nil {
				continue
			}
			approve := b.Approve.Status == "approved" && p.Disclosure.Review.Status != "approved"
			if approve {
				p.Disclosure.Review = b.Approve
				p.History = append(p.History, Event{At: now, Event: EventApproved, By: b.Approve.Reviewer})
				res.Approved = append(res.Approved, Change{Key: p.Key, ID: p.ID, Title: p.Disclosure.Title})
			}
			if p.Status == StatusWithdrawn {
				// Listed again but unchanged since: restore it as it was.
				p.Status, p.Updated = StatusActive, now
				p.History = append(p.History, Event{At: now, Event: EventRestored, Hash: p.Hash})
				res.Restored = append(res.Restored, Change{Key: p.Key, ID: p.ID, Title: p.Disclosure.Title})
			} else if !approve {
				res.Unchanged++
			}
			p.Checked = now
			if u.ETag != "" || u.LastModified != "" {
				p.ETag, p.LastModified = u.ETag, u.LastModified
			}
			if u.RawHash != "" {
				p.RawHash = u.RawHash
			}
			if err := put(p); err != nil {
				return err
			}
		}
		withdraw := func(p *Page) error {
			p.Status = StatusWithdrawn
			p.Updated = now
			p.History = append(p.History, Event{At: now, Event: EventWithdrawn, Hash: p.Hash})
			res.Withdrawn = append(res.Withdrawn, Change{Key: p.Key, ID: p.ID, Title: p.Disclosure.Title})
			return put(p)
		}
		for _, k := range b.Gone {
			seen[k] = true
			p, err := get(k)
			if err != nil {
				return err
			}
			if p != nil && p.Status == StatusActive {
				if err := withdraw(p); err != nil {
					return err
				}
			}
		}
		if b.Complete {
			prefix := append([]byte(b.Source), 0)
			c := bk.Cursor()
			var gone []*Page
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				key := string(k[len(prefix):])
				if seen[key] {
					continue
				}
				var p Page
				if err := json.Unmarshal(v, &p); err != nil {
					return fmt.Errorf("page %q: %w", key, err)
				}
				if p.Status == StatusActive {
					gone = append(gone, &p)
				}
			}
			for _, p := range gone {
				if err := withdraw(p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var err error
	if dry {
		err = s.db.View(fn)
	} else {
		err = s.db.Update(fn)
	}
	if err != nil {
		return nil, fmt.Errorf("importstore: %w", err)
	}
	if !dry {
		if err := s.Export(b.Source); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Export rewrites <dir>/<source>.jsonl with the source's active
// disclosures, by id, atomically; a source with none has its file removed.
func (s *Store) Export(source string) error {
	if !ValidSource(source) {
		return fmt.Errorf("importstore: bad source name %q", source)
	}
	pages, err := s.Pages(source)
	if err != nil {
		return fmt.Errorf("importstore: %w", err)
	}
	var ds []content.Disclosure
	for _, p := range pages {
		if p.Status == StatusActive {
			ds = append(ds, p.Disclosure)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	path := filepath.Join(s.dir, source+".jsonl")
	if len(ds) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("importstore: %w", err)
		}
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range ds {
		if err := enc.Encode(&ds[i]); err != nil {
			return fmt.Errorf("importstore: %s: %w", ds[i].ID, err)
		}
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("importstore: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, "."+source+"-*.tmp")
	if err != nil {
		return fmt.Errorf("importstore: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("importstore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("importstore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("importstore: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("importstore: %w", err)
	}
	return nil
}
