package index

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The sample index is built once per test binary: building loads the
// segmenter's dictionary, which takes a couple of seconds.
var sample struct {
	once sync.Once
	ix   *Index
	dir  string
	err  error
}

func sampleIndex(t testing.TB) *Index {
	t.Helper()
	sample.once.Do(func() {
		sample.dir, sample.err = os.MkdirTemp("", "govbot-index-test-")
		if sample.err != nil {
			return
		}
		sample.ix, sample.err = OpenOrBuild(context.Background(), Options{Dir: sample.dir, DataDir: "../data"})
	})
	if sample.err != nil {
		t.Fatal(sample.err)
	}
	return sample.ix
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sample.ix != nil {
		sample.ix.Close()
	}
	if sample.dir != "" {
		os.RemoveAll(sample.dir)
	}
	os.Exit(code)
}

// CorpusDataDir makes a data directory holding another subdistrict's
// disclosures file (docs) and the project's own lexicon, written for any
// subdistrict. Exported for the external tests (quality_test.go) too.
func CorpusDataDir(t testing.TB, docs string) string {
	t.Helper()
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "disclosures"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(docs, filepath.Join(data, "disclosures", filepath.Base(docs)))
	txt, _ := filepath.Glob("../data/*.txt")
	for _, f := range txt {
		copyFile(f, filepath.Join(data, filepath.Base(f)))
	}
	return data
}
