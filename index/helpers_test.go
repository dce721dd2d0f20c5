package index

import (
	"context"
	"os"
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
