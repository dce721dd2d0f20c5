package notice

import (
	"context"
	"testing"
	"time"
)

// slowTags expands a tag only when released, like a tag of many thousand
// followers read page by page.
type slowTags struct{ release chan struct{} }

func (s slowTags) TagFollowers(ctx context.Context, tag int) ([]string, error) {
	select {
	case <-s.release:
		return []string{"o-tag-1", "o-tag-2"}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestApproveDoesNotWaitForALongExpansion: approving a notice whose tag
// takes long to expand answers after ApproveWait with the notice approved;
// the hand-over finishes on its own.
func TestApproveDoesNotWaitForALongExpansion(t *testing.T) {
	tags := slowTags{release: make(chan struct{})}
	e := newEnv(t, func(o *Options) {
		o.Tags = tags
		o.ApproveWait = 50 * time.Millisecond
	})
	n := mustCreate(t, e, staff, draft("楼组长"))
	if _, err := e.svc.Submit(staff, n.ID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := e.svc.Approve(context.Background(), reviewer, n.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Approve took %v", took)
	}
	if got.Status != StatusApproved || got.Reviewer != reviewer.Name {
		t.Errorf("answered %s by %q, want approved by %s", got.Status, got.Reviewer, reviewer.Name)
	}
	close(tags.release)
	e.svc.Wait()
	got, _ = e.svc.Get(n.ID)
	if got.Status != StatusSending {
		t.Errorf("after the expansion: %s, want sending", got.Status)
	}
	if jobs := e.out.Jobs(); len(jobs) != 1 {
		t.Errorf("%d jobs enqueued, want 1", len(jobs))
	}
}
