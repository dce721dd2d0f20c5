package indexjobs

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/index"
)

// fakeIndex builds in steps the test releases.
type fakeIndex struct {
	mu       sync.Mutex
	gen      string
	prev     string
	step     chan struct{} // each receive lets one document be indexed
	total    int
	err      error
	loadErrs int
}

func (f *fakeIndex) RebuildWatched(ctx context.Context, progress index.Progress, loaded func(*content.LoadResult)) (*index.BuildReport, error) {
	res := &content.LoadResult{Drafts: []content.Skipped{{ID: "d1", File: "a.jsonl", Line: 2, Reason: "no review status"}}}
	for i := 0; i < f.loadErrs; i++ {
		res.Errors = append(res.Errors, content.LoadError{File: "a.jsonl", Line: 9, Problem: "missing url"})
	}
	loaded(res)
	for i := 1; i <= f.total; i++ {
		<-f.step
		progress(i, f.total)
	}
	if f.err != nil {
		return nil, f.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prev, f.gen = f.gen, "gen-new"
	return &index.BuildReport{Generation: f.gen, Indexed: f.total, Load: res}, nil
}

func (f *fakeIndex) Rollback() (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.prev == "" {
		return "", "", index.ErrNoPrevious
	}
	f.gen, f.prev = f.prev, f.gen
	return f.prev, f.gen, nil
}

func (f *fakeIndex) Generation() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gen
}

func openDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestReindexJob(t *testing.T) {
	db := openDB(t)
	fx := &fakeIndex{gen: "gen-old", step: make(chan struct{}), total: 3, loadErrs: 1}
	var finished []Job
	var mu sync.Mutex
	before := 0
	r, err := New(Options{DB: db, Index: fx, Clock: clock.Fixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)),
		Before:   func() error { before++; return nil },
		OnFinish: func(j Job) { mu.Lock(); finished = append(finished, j); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	j, err := r.Start(context.Background(), "admin")
	if err != nil || j.ID != 1 || j.State != StateRunning || j.From != "gen-old" {
		t.Fatalf("Start = %+v, %v", j, err)
	}
	if _, err := r.Start(context.Background(), "admin"); !errors.Is(err, ErrBusy) {
		t.Errorf("second Start: %v, want ErrBusy", err)
	}
	if _, err := r.Rollback("admin"); !errors.Is(err, ErrBusy) {
		t.Errorf("Rollback while building: %v, want ErrBusy", err)
	}
	fx.step <- struct{}{}
	fx.step <- struct{}{}
	// Progress is visible while it runs: poll until the runner took it.
	var got Job
	for i := 0; i < 100; i++ {
		got, _, _ = r.Get(j.ID)
		if got.Done == 2 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got.Done != 2 || got.Total != 3 || got.Errors != 1 || got.Drafts != 1 || got.State != StateRunning {
		t.Errorf("while running: %+v", got)
	}
	fx.step <- struct{}{}
	r.Wait()
	got, found, err := r.Get(j.ID)
	if err != nil || !found || got.State != StateDone || got.Indexed != 3 || got.Generation != "gen-new" || before != 1 {
		t.Fatalf("finished: %+v, %v, %v (before ran %d)", got, found, err, before)
	}
	if len(got.Problems) != 2 || !strings.Contains(got.Problems[0], "a.jsonl:9") {
		t.Errorf("problems %q", got.Problems)
	}
	// Rollback, then nothing more to roll back to... once more rolls forward.
	rb, err := r.Rollback("lihua")
	if err != nil || rb.State != StateDone || rb.From != "gen-new" || rb.Generation != "gen-old" || fx.Generation() != "gen-old" {
		t.Errorf("rollback: %+v, %v", rb, err)
	}
	hist, err := r.History(10)
	if err != nil || len(hist) != 2 || hist[0].Kind != KindRollback || hist[1].Kind != KindReindex {
		t.Errorf("history %+v, %v", hist, err)
	}
	mu.Lock()
	if len(finished) != 2 {
		t.Errorf("OnFinish told of %d jobs, want 2", len(finished))
	}
	mu.Unlock()
}

func TestRefusalsAndFailures(t *testing.T) {
	db := openDB(t)
	fx := &fakeIndex{gen: "gen-a", step: make(chan struct{}, 10)}
	r, err := New(Options{DB: db, Index: fx})
	if err != nil {
		t.Fatal(err)
	}
	if j, err := r.Rollback("admin"); !errors.Is(err, index.ErrNoPrevious) || j.State != StateRefused {
		t.Errorf("rollback without previous: %+v, %v", j, err)
	}
	fx.err = &index.ShrinkError{Live: 100, New: 3}
	j, _ := r.Start(context.Background(), "admin")
	r.Wait()
	if j, _, _ = r.Get(j.ID); j.State != StateRefused || !strings.Contains(j.Message, "不到线上 100 条的一半") {
		t.Errorf("shrink: %+v", j)
	}
	fx.err = errors.New("disk full")
	j, _ = r.Start(context.Background(), "admin")
	r.Wait()
	if j, _, _ = r.Get(j.ID); j.State != StateFailed || !strings.Contains(j.Message, "disk full") {
		t.Errorf("failure: %+v", j)
	}
	r2, _ := New(Options{DB: db, Index: fx, Before: func() error { return errors.New("lexicon: bad line") }})
	j, _ = r2.Start(context.Background(), "admin")
	r2.Wait()
	if j, _, _ = r2.Get(j.ID); j.State != StateFailed || !strings.Contains(j.Message, "lexicon") {
		t.Errorf("Before failing: %+v", j)
	}
}

func TestInterruptedOnRestart(t *testing.T) {
	db := openDB(t)
	fx := &fakeIndex{gen: "gen-a"}
	if _, err := New(Options{DB: db, Index: fx}); err != nil {
		t.Fatal(err)
	}
	// A job recorded as running by a process that died.
	db.Update(func(tx *bolt.Tx) error {
		v, _ := json.Marshal(Job{ID: 7, Kind: KindReindex, State: StateRunning})
		return tx.Bucket(bucketJobs).Put(key(7), v)
	})
	r, err := New(Options{DB: db, Index: fx})
	if err != nil {
		t.Fatal(err)
	}
	if j, found, _ := r.Get(7); !found || j.State != StateInterrupted {
		t.Errorf("after restart: %+v", j)
	}
}
