package notice

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/outbox"
)

// resolvingOutbox is a fakeOutbox that holds n uncertain deliveries per
// notice until Resolve.
type resolvingOutbox struct {
	*fakeOutbox
	held     map[string]int
	resolved []string
}

func (o *resolvingOutbox) Resolve(id string, resend bool) (int, error) {
	n := o.held[id]
	if n == 0 {
		return 0, fmt.Errorf("%w: %s", outbox.ErrNothingUncertain, id)
	}
	delete(o.held, id)
	o.resolved = append(o.resolved, fmt.Sprintf("%s:%v", id, resend))
	return n, nil
}

func TestInterruptedAndResolveUncertain(t *testing.T) {
	ro := &resolvingOutbox{fakeOutbox: &fakeOutbox{}, held: map[string]int{}}
	e := newEnv(t, func(o *Options) { o.Outbox = ro })
	n := mustCreate(t, e, staff, draft("防汛"))
	e.svc.Submit(staff, n.ID)
	if _, err := e.svc.Approve(ctx, reviewer, n.ID, ""); err != nil {
		t.Fatal(err)
	}
	ro.held[n.ID] = 2
	e.svc.Interrupted(n.ID, 2, 1)

	if _, _, err := e.svc.ResolveUncertain(staff2, n.ID, true); CodeOf(err) != CodeForbidden {
		t.Fatalf("another staff member resolving: %v, want forbidden", err)
	}
	got, count, err := e.svc.ResolveUncertain(staff, n.ID, true)
	if err != nil || count != 2 || !slices.Equal(ro.resolved, []string{n.ID + ":true"}) {
		t.Fatalf("resolve: %d, %v, outbox %v", count, err, ro.resolved)
	}
	if _, _, err := e.svc.ResolveUncertain(reviewer, n.ID, false); CodeOf(err) != CodeStatus {
		t.Fatalf("nothing left to resolve: %v, want status", err)
	}
	want := []string{"create:wang", "submit:wang", "approve:chen", "send:system", "uncertain:system", "resend_uncertain:wang"}
	if !slices.Equal(actions(got), want) {
		t.Fatalf("history %v, want %v", actions(got), want)
	}
	if h := got.History[4]; !strings.Contains(h.Note, "已按策略重发 1 个") || !strings.Contains(h.Note, "保留 2 个") {
		t.Errorf("interrupted note %q", h.Note)
	}
	recs, err := e.audit.List(audit.Filter{NoticeID: n.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		found = found || r.Action == "notice."+ActionUncertain && r.Actor == SystemActor
	}
	if !found {
		t.Errorf("audit log lacks notice.uncertain: %+v", recs)
	}
}
