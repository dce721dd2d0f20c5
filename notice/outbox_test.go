package notice

import (
	"context"
	"sync"
	"testing"

	"github.com/yingpu/govbot/outbox"
	"github.com/yingpu/govbot/push"
)

type nopRobot struct {
	mu   sync.Mutex
	sent []string
}

func (r *nopRobot) SendRobot(ctx context.Context, key string, m push.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, key)
	return nil
}

// TestWithRealOutbox hands a notice to the real outbox inside the notice's
// own transaction and reads its report back.
func TestWithRealOutbox(t *testing.T) {
	var e *env
	e = newEnv(t, func(o *Options) {
		ob, err := outbox.New(o.DB, outbox.Options{Robot: &nopRobot{}, Clock: o.Clock})
		if err != nil {
			t.Fatal(err)
		}
		o.Outbox = ob
		o.ChannelReady = ob.HasChannel
	})
	n := mustCreate(t, e, staff, draft("机器人"))
	r, err := e.svc.Report(n.ID)
	if err != nil || r.Total != 0 {
		t.Fatalf("report before sending: %+v %v", r, err)
	}
	e.svc.Submit(staff, n.ID)
	n, err = e.svc.Approve(ctx, reviewer, n.ID, "")
	if err != nil || n.Status != StatusSending {
		t.Fatalf("approve: %v %v", n.Status, err)
	}
	r, err = e.svc.Report(n.ID)
	if err != nil || r.Total != 1 || r.Pending != 1 || r.ByChannel[outbox.ChannelRobot].Total != 1 {
		t.Fatalf("report: %+v %v", r, err)
	}
	// An audience on a channel the outbox has no adapter for is refused
	// when the notice is written, not when it is sent.
	if _, err := e.svc.Create(staff, draft("应用")); CodeOf(err) != CodeUnavailable {
		t.Fatalf("work app audience without adapter: %v", err)
	}
}
