package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	index "github.com/blevesearch/bleve_index_api"

	"github.com/yingpu/govbot/content"
)

func writeDocStore(t *testing.T, dir string, recs map[string]string, order []string) string {
	t.Helper()
	path := filepath.Join(dir, docStoreFile)
	w, err := createDocStore(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range order {
		if err := w.add(id, compressSource([]byte(recs[id]))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDocStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	recs := map[string]string{}
	var order []string
	for i := range 300 {
		id := fmt.Sprintf("d-%03d", (i*7919)%300) // not in id order
		recs[id] = fmt.Sprintf(`{"id":%q,"body":"第%d条，%s"}`, id, i, string(make([]byte, i%50)))
		order = append(order, id)
	}
	recs["empty"] = ""
	order = append(order, "empty")
	writeDocStore(t, dir, recs, order)
	s, err := openDocStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if s.Len() != len(recs) {
		t.Errorf("Len = %d, want %d", s.Len(), len(recs))
	}
	for id, want := range recs {
		got, found, err := s.get(id)
		if err != nil || !found || string(got) != want {
			t.Errorf("get(%s) = %q, %v, %v; want %q", id, got, found, err, want)
		}
	}
	for _, id := range []string{"", "d-", "d-300", "zzz", "d-0000"} {
		if _, found, err := s.get(id); found || err != nil {
			t.Errorf("get(%q): found %v, err %v; want not found", id, found, err)
		}
	}
	prev := ""
	n := 0
	if err := s.each(func(id string, src []byte) error {
		if id <= prev && n > 0 {
			t.Errorf("each: %q after %q", id, prev)
		}
		prev, n = id, n+1
		return nil
	}); err != nil || n != len(recs) {
		t.Errorf("each: %d records, err %v; want %d", n, err, len(recs))
	}

	// No docs.dat: a generation built before the store.
	if s, err := openDocStore(t.TempDir()); s != nil || err != nil {
		t.Errorf("openDocStore without docs.dat = %v, %v; want nil, nil", s, err)
	}
}

func TestDocStoreTwice(t *testing.T) {
	t.Parallel()
	w, err := createDocStore(filepath.Join(t.TempDir(), docStoreFile))
	if err != nil {
		t.Fatal(err)
	}
	w.add("a", compressSource([]byte("{}")))
	w.add("a", compressSource([]byte("{}")))
	if err := w.finish(); err == nil {
		t.Error("a store with an id twice was written")
	}
}

// TestDocStoreDamaged: a damaged docs.dat is an error when the generation
// opens, or when the damaged record is read, never a wrong source.
func TestDocStoreDamaged(t *testing.T) {
	t.Parallel()
	recs := map[string]string{"a": `{"id":"a","body":"社区食堂开放"}`, "b": `{"id":"b"}`}
	good, err := os.ReadFile(writeDocStore(t, t.TempDir(), recs, []string{"a", "b"}))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x5a
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-3]},
		{"no footer", good[:len(good)-docFooterSize]},
		{"bad magic", flip(0)},
		{"bad end", flip(len(good) - 1)},
		{"bad table offset", flip(len(good) - docFooterSize)},
		{"bad count", flip(len(good) - docFooterSize + 8)},
		{"grown", append(append([]byte(nil), good...), 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, docStoreFile), tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := openDocStore(dir)
			if err == nil {
				s.close()
				t.Fatal("opened")
			}
			if !errors.Is(err, ErrBadDocStore) {
				t.Errorf("err %v, want ErrBadDocStore", err)
			}
		})
	}
	t.Run("bad record", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, docStoreFile), flip(len(docStoreMagic)), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := openDocStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		// The first record (id "a") is damaged: an error, not its bytes.
		if src, _, err := s.get("a"); err == nil {
			t.Errorf("damaged record read as %q", src)
		}
		if src, found, err := s.get("b"); err != nil || !found || string(src) != recs["b"] {
			t.Errorf("get(b) = %q, %v, %v", src, found, err)
		}
	})
}

// TestBuildStoresSources: a build puts every disclosure's source in docs.dat
// and not in bleve, and what is read back is the disclosure indexed.
func TestBuildStoresSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := smallDataDir(t, smallIDs)
	dir := filepath.Join(t.TempDir(), "index")
	rep, err := Rebuild(ctx, Options{Dir: dir, DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := OpenOrBuild(ctx, Options{Dir: dir, DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	g := ix.gen
	if g.store == nil {
		t.Fatal("the generation has no docs.dat")
	}
	if g.store.Len() != rep.Indexed {
		t.Errorf("docs.dat holds %d sources, want %d", g.store.Len(), rep.Indexed)
	}
	loaded, err := content.Load(data, content.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, d := range loaded.Publishable {
		src, found, err := g.store.get(d.ID)
		if err != nil || !found {
			t.Errorf("%s: found %v, err %v", d.ID, found, err)
			continue
		}
		seen++
		want, _ := json.Marshal(d)
		if string(src) != string(want) {
			t.Errorf("%s: stored %s, want %s", d.ID, src, want)
		}
		doc, err := g.bi.Document(d.ID)
		if err != nil || doc == nil {
			t.Errorf("%s: not in bleve: %v", d.ID, err)
			continue
		}
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fSource {
				t.Errorf("%s: bleve stores its source too", d.ID)
			}
		})
		di, err := g.info(d.ID)
		if err != nil || di.doc.Title != d.Title || di.doc.Body != d.Body {
			t.Errorf("%s: info = %+v, %v", d.ID, di, err)
		}
	}
	if seen != rep.Indexed {
		t.Errorf("checked %d disclosures, want %d", seen, rep.Indexed)
	}
}

// TestAddReplacesBuiltSource: a disclosure added again under an id the
// build stored is read as added, before and after the generation reopens.
func TestAddReplacesBuiltSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := smallDataDir(t, smallIDs)
	opts := Options{Dir: filepath.Join(t.TempDir(), "index"), DataDir: data}
	ix, err := OpenOrBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, found, _ := ix.gen.store.get("eld-001"); !found {
		t.Fatal("eld-001 is not in docs.dat")
	}
	d := newDisclosure(t, "eld-001", "盈浦街道长者食堂修缮期间暂停供餐的通知", "长者食堂修缮，暂停供餐一周。", "长者食堂")
	if err := ix.Add(d); err != nil {
		t.Fatal(err)
	}
	check := func(ix *Index) {
		t.Helper()
		h, err := ix.Full(ctx, "eld-001", evalDay)
		if err != nil || h.Title != d.Title || h.Passage == nil || h.Passage.Text != d.Body {
			t.Errorf("eld-001 after Add: %+v, %v; want the added title and body", h, err)
		}
	}
	check(ix)
	ix.Close()
	ix, err = OpenOrBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	check(ix)
}
