package index

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestStreamedBuild: a build larger than the pipeline's queues indexes
// every disclosure, reports progress up to the records read, and one canceled midway leaves nothing behind and the live
// generation serving.
func TestStreamedBuild(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := smallDataDir(t, smallIDs)
	const n = 3*segmentBatch + chunkSize*chunkQueue + 7 // several segments, a partial chunk
	lines := make([]string, n)
	for i := range lines {
		d := newDisclosure(t, fmt.Sprintf("gen-%05d", i), fmt.Sprintf("第%d号社区公告", i), "社区活动室开放时间调整。")
		lines[i] = jsonLine(t, d)
	}
	writeJSONL(t, filepath.Join(data, "disclosures", "z-many.jsonl"), lines...)
	dir := filepath.Join(t.TempDir(), "index")
	var calls, last, total int
	opts := Options{Dir: dir, DataDir: data, Progress: func(done, tot int) {
		if done < last {
			t.Errorf("progress went back from %d to %d", last, done)
		}
		calls, last, total = calls+1, done, tot
	}}
	rep, err := Rebuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := n + smallPublishable; rep.Indexed != want || rep.Load.Streamed != want {
		t.Errorf("indexed %d, streamed %d, want %d", rep.Indexed, rep.Load.Streamed, want)
	}
	records := n + smallPublishable + len(smallDrafts) + len(smallBlocked)
	if calls < 2 || last != records || total != records {
		t.Errorf("progress: %d calls, last %d of %d; want several, ending at %d of %d", calls, last, total, records, records)
	}
	ix, err := OpenOrBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Count(); got != n+smallPublishable {
		t.Errorf("Count = %d, want %d", got, n+smallPublishable)
	}
	ix.Close()

	// Canceled when a third is indexed.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts.Progress = func(done, total int) {
		if done > total/3 {
			cancel()
		}
	}
	if _, err := Rebuild(cctx, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled build: %v, want context.Canceled", err)
	}
	if got := generations(t, dir); !slices.Equal(got, []string{rep.Generation}) {
		t.Errorf("generations after a canceled build: %v, want only %s", got, rep.Generation)
	}
	if cur, _ := readCurrent(dir); cur != rep.Generation {
		t.Errorf("CURRENT = %s, want %s", cur, rep.Generation)
	}
}
