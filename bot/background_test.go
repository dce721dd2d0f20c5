package bot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/querylog"
	"github.com/yingpu/govbot/subscribe"
)

type batchRecorder struct {
	mu      sync.Mutex
	recs    []querylog.Record
	touches []subscribe.Touch
	writes  int
	block   chan struct{} // when set, writes wait for it
	fail    bool
}

func (r *batchRecorder) AppendAll(rs []querylog.Record) error {
	if r.block != nil {
		<-r.block
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	if r.fail {
		return errors.New("disk full")
	}
	r.recs = append(r.recs, rs...)
	return nil
}

func (r *batchRecorder) TouchAll(ts []subscribe.Touch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	r.touches = append(r.touches, ts...)
	return nil
}

func TestBackgroundWritesEverythingInBatches(t *testing.T) {
	rec := &batchRecorder{block: make(chan struct{})}
	bg := NewBackground(rec, rec, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go bg.Run(ctx)
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	// The first write blocks (a slow disk): what arrives meanwhile queues,
	// and Append never waits.
	start := time.Now()
	for i := 0; i < 1000; i++ {
		bg.Append(querylog.Record{At: at.Add(time.Duration(i)), Q: "低保标准"})
		bg.Touch("o1", "oa", at.Add(time.Duration(i)))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Append/Touch waited for the disk: %v", d)
	}
	close(rec.block)
	cancel()
	bg.Wait()
	if len(rec.recs) != 1000 || len(rec.touches) != 1000 {
		t.Fatalf("written %d records and %d touches, want 1000 each", len(rec.recs), len(rec.touches))
	}
	for i, r := range rec.recs {
		if !r.At.Equal(at.Add(time.Duration(i))) {
			t.Fatalf("record %d out of order", i)
		}
	}
	if rec.writes > 200 {
		t.Errorf("%d writes for 2000 items: not batched", rec.writes)
	}
	if bg.Dropped() != 0 {
		t.Errorf("dropped %d", bg.Dropped())
	}
}

func TestBackgroundDropsWhenFullInsteadOfBlocking(t *testing.T) {
	rec := &batchRecorder{}
	bg := NewBackground(rec, rec, nil) // Run not started: nothing drains
	for i := 0; i < backgroundQueue+10; i++ {
		bg.Append(querylog.Record{At: time.Now()})
	}
	if bg.Dropped() != 10 {
		t.Fatalf("dropped %d, want 10", bg.Dropped())
	}
}
