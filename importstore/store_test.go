package importstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/importer"
)

func newStore(t *testing.T) (*Store, *time.Time) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2024, 3, 6, 2, 0, 0, 0, time.UTC)
	s, err := New(db, filepath.Join(t.TempDir(), "imported"), clock.Func(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return s, &now
}

func entry(key, body string) Entry {
	d := content.Disclosure{ID: importer.IDFor("s", key), Title: "t " + key, Body: body, URL: "https://a.example.cn/" + key,
		Review: content.Review{Status: "draft"}}
	return Entry{Item: importer.Item{Key: key, Disclosure: d, Hash: importer.ContentHash(&d)}}
}

func lines(t *testing.T, s *Store, source string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Dir(), source+".jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestApplyLifecycle(t *testing.T) {
	s, now := newStore(t)
	res, err := s.Apply(Batch{Source: "s", Entries: []Entry{entry("a", "1"), entry("b", "1")}}, false)
	if err != nil || len(res.New) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if n := len(lines(t, s, "s")); n != 2 {
		t.Fatalf("jsonl lines %d", n)
	}
	// Not complete: b not seen is kept.
	*now = now.Add(time.Hour)
	res, _ = s.Apply(Batch{Source: "s", Entries: []Entry{entry("a", "2")}}, false)
	if len(res.Changed) != 1 || len(res.Withdrawn) != 0 {
		t.Errorf("partial batch: %+v", res)
	}
	// Complete without b: withdrawn, kept in the database, out of the file.
	*now = now.Add(time.Hour)
	res, _ = s.Apply(Batch{Source: "s", Unchanged: []Validators{{Key: "a", ETag: `"x"`}}, Complete: true}, false)
	if len(res.Withdrawn) != 1 || res.Withdrawn[0].Key != "b" || res.Unchanged != 1 {
		t.Errorf("complete batch: %+v", res)
	}
	if l := lines(t, s, "s"); len(l) != 1 || !strings.Contains(l[0], `"body":"2"`) {
		t.Errorf("jsonl after withdrawal: %q", l)
	}
	p, ok, _ := s.Page("s", "b")
	if !ok || p.Status != StatusWithdrawn || len(p.History) != 2 || p.History[1].Event != EventWithdrawn {
		t.Errorf("withdrawn page: %+v", p)
	}
	a, _, _ := s.Page("s", "a")
	if a.ETag != `"x"` || !a.Checked.Equal(*now) || a.Updated.Equal(*now) {
		t.Errorf("unchanged page's validators/times: %+v", a)
	}
	// Dry run: says what would change, writes nothing.
	res, _ = s.Apply(Batch{Source: "s", Gone: []string{"a"}}, true)
	if len(res.Withdrawn) != 1 {
		t.Errorf("dry gone: %+v", res)
	}
	if p, _, _ := s.Page("s", "a"); p.Status != StatusActive {
		t.Error("dry run withdrew")
	}
	// Gone: the last page goes, the file is removed.
	s.Apply(Batch{Source: "s", Gone: []string{"a"}}, false)
	if l := lines(t, s, "s"); l != nil {
		t.Errorf("file kept with no active page: %q", l)
	}
	// Other sources are untouched by a complete batch.
	s.Apply(Batch{Source: "t", Entries: []Entry{entry("a", "1")}}, false)
	s.Apply(Batch{Source: "s", Complete: true}, false)
	if p, _, _ := s.Page("t", "a"); p.Status != StatusActive {
		t.Error("a complete batch of s withdrew a page of t")
	}
	if pages, _ := s.Pages("s"); len(pages) != 2 {
		t.Errorf("pages of s: %d", len(pages))
	}
}

func TestApplyHistoryCapAndBadSource(t *testing.T) {
	s, _ := newStore(t)
	for i := 0; i < maxHistory+10; i++ {
		if _, err := s.Apply(Batch{Source: "s", Entries: []Entry{entry("a", strings.Repeat("x", i+1))}}, false); err != nil {
			t.Fatal(err)
		}
	}
	p, _, _ := s.Page("s", "a")
	if len(p.History) != maxHistory || p.History[len(p.History)-1].Event != EventChanged {
		t.Errorf("history %d events", len(p.History))
	}
	if _, err := s.Apply(Batch{Source: "../x"}, false); err == nil {
		t.Error("a source name with a path was accepted")
	}
}
