package outbox

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/push"
	bolt "go.etcd.io/bbolt"
)

func allChannelTargets() []Target {
	var ts []Target
	ts = append(ts, targets(ChannelRobot, KindRobot, "key", 3)...)
	ts = append(ts, targets(ChannelWorkChat, KindChat, "chat", 4)...)
	ts = append(ts, targets(ChannelWorkApp, KindUser, "user", 5)...)
	ts = append(ts, targets(ChannelWorkApp, KindDept, "", 2)...)
	ts = append(ts, targets(ChannelWorkApp, KindTag, "", 2)...)
	ts = append(ts, targets(ChannelOA, KindFollower, "openid", 6)...)
	return ts
}

func TestEveryTargetReceivesOnce(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	h := newHarness(t, db, c, f, Options{})
	ts := allChannelTargets()
	// Duplicated targets are one delivery.
	h.enqueue(Job{NoticeID: "n1", Title: "停水通知", Body: "明日停水", Targets: append(ts, ts[0], ts[5])})
	h.enqueue(Job{NoticeID: "n2", Title: "防汛提醒", Body: "注意防汛", Targets: ts[:4]})
	h.run()
	h.waitDone("n1", "n2")

	got := f.countBy()
	want := map[string]int{}
	for _, tg := range ts {
		want["停水通知|"+tg.Channel+"/"+tg.Kind+"/"+tg.ID] = 1
	}
	for _, tg := range ts[:4] {
		want["防汛提醒|"+tg.Channel+"/"+tg.Kind+"/"+tg.ID] = 1
	}
	if len(got) != len(want) {
		t.Errorf("received %d distinct (notice, target), want %d: %v", len(got), len(want), got)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s received %d times, want %d", k, got[k], n)
		}
	}
	r := h.report("n1")
	if r.Total != len(ts) || r.Sent != len(ts) || r.Pending != 0 || r.Failed != 0 || !r.Done {
		t.Errorf("report n1 = %+v", r)
	}
	wantCh := map[string]int{ChannelRobot: 3, ChannelWorkChat: 4, ChannelWorkApp: 9, ChannelOA: 6}
	for ch, n := range wantCh {
		if cr := r.ByChannel[ch]; cr.Total != n || cr.Sent != n {
			t.Errorf("report n1 %s = %+v, want %d sent", ch, cr, n)
		}
	}
}

func TestUrgentFirst(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	h := newHarness(t, db, c, f, Options{Workers: 1})
	h.enqueue(Job{NoticeID: "routine", Title: "routine", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 5)})
	h.enqueue(Job{NoticeID: "routine2", Title: "routine2", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "d", 2)})
	h.enqueue(Job{NoticeID: "urgent", Urgent: true, Title: "urgent", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 3)})
	h.run()
	h.waitDone("routine", "routine2", "urgent")
	var order []string
	for _, r := range f.receipts() {
		order = append(order, r.Title+":"+r.ID)
	}
	want := []string{"urgent:c0", "urgent:c1", "urgent:c2", "routine:c0", "routine:c1", "routine:c2", "routine:c3", "routine:c4", "routine2:d0", "routine2:d1"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("order\n got %v\nwant %v", order, want)
	}
}

// maxInWindow returns the most sends to one key within any window of d.
func maxInWindow(rs []receipt, d time.Duration) (string, int) {
	byKey := map[string][]time.Time{}
	for _, r := range rs {
		if r.Channel == ChannelRobot {
			byKey[r.ID] = append(byKey[r.ID], r.At)
		}
	}
	worst, worstKey := 0, ""
	for k, ts := range byKey {
		j := 0
		for i := range ts {
			for ts[i].Sub(ts[j]) >= d {
				j++
			}
			if n := i - j + 1; n > worst {
				worst, worstKey = n, k
			}
		}
	}
	return worstKey, worst
}

func robotCount(f *fakes, key string) int {
	n := 0
	for _, r := range f.receipts() {
		if r.Channel == ChannelRobot && r.ID == key {
			n++
		}
	}
	return n
}

// settle waits until every worker waits and stays so, then returns.
func settle(t *testing.T, c *vclock) {
	t.Helper()
	eventually(t, "workers idle", c.idle)
	time.Sleep(20 * time.Millisecond)
	eventually(t, "workers idle", c.idle)
}

func TestRobotLimitPerKey(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(false) // time moves only when the test says
	f := newFakes(c)
	opts := Options{RobotWindowMargin: time.Second}
	h := newHarness(t, db, c, f, opts)
	var notices []string
	for i := range 50 {
		id := "n" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		notices = append(notices, id)
		ts := []Target{{ChannelRobot, KindRobot, "busykey"}}
		if i < 5 {
			ts = append(ts, Target{ChannelRobot, KindRobot, "otherkey"})
		}
		h.enqueue(Job{NoticeID: id, Title: id, Body: "b", Targets: ts})
	}
	stop := h.run()
	eventually(t, "first 20 sends", func() bool { return robotCount(f, "busykey") >= 20 })
	eventually(t, "other key", func() bool { return robotCount(f, "otherkey") == 5 })
	settle(t, c)
	if n := robotCount(f, "busykey"); n != 20 {
		t.Fatalf("%d sends at once to one key, want 20", n)
	}
	// The limit holds across a restart: a new Outbox on the same store
	// must wait for the window too.
	stop()
	h = newHarness(t, db, c, f, opts)
	stop = h.run()
	settle(t, c)
	if n := robotCount(f, "busykey"); n != 20 {
		t.Fatalf("after restart %d sends, want still 20", n)
	}
	c.Advance(59 * time.Second)
	settle(t, c)
	if n := robotCount(f, "busykey"); n != 20 {
		t.Fatalf("after 59s %d sends, want still 20", n)
	}
	c.Advance(2 * time.Second) // 61s: the window (60s + 1s margin) has passed
	eventually(t, "next 20", func() bool { return robotCount(f, "busykey") >= 40 })
	settle(t, c)
	if n := robotCount(f, "busykey"); n != 40 {
		t.Fatalf("after 61s %d sends, want 40", n)
	}
	c.Advance(61 * time.Second)
	eventually(t, "all notices done", func() bool {
		for _, n := range notices {
			if r, err := h.o.Report(n); err != nil || !r.Done {
				return false
			}
		}
		return true
	})
	stop()
	if k, n := maxInWindow(f.receipts(), time.Minute); n > 20 {
		t.Errorf("robot %s got %d messages within a minute", k, n)
	}
	if n := robotCount(f, "busykey"); n != 50 {
		t.Errorf("busykey got %d, want 50", n)
	}
}

func TestRobotLimitAutoClock(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	h := newHarness(t, db, c, f, Options{})
	var ids []string
	for i := range 45 {
		id := "n" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		ids = append(ids, id)
		h.enqueue(Job{NoticeID: id, Title: id, Body: "b", Urgent: i%7 == 0, Targets: targets(ChannelRobot, KindRobot, "k", 3)})
	}
	h.run()
	h.waitDone(ids...)
	if k, n := maxInWindow(f.receipts(), time.Minute); n != 20 {
		t.Errorf("robot %s: at most %d messages within a minute, want exactly the limit 20", k, n)
	}
	if len(f.receipts()) != 45*3 {
		t.Errorf("%d robot messages, want %d", len(f.receipts()), 45*3)
	}
}

func TestWorkAppBatching(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	h := newHarness(t, db, c, f, Options{})
	ts := targets(ChannelWorkApp, KindUser, "u", 2500)
	ts = append(ts, targets(ChannelWorkApp, KindDept, "", 150)...)
	ts = append(ts, targets(ChannelWorkApp, KindTag, "", 30)...)
	h.enqueue(Job{NoticeID: "big", Title: "t", Body: "b", Targets: ts})
	h.run()
	h.waitDone("big")
	if len(f.appCalls) != 3 {
		t.Errorf("%d SendApp calls, want 3: %v", len(f.appCalls), f.appCalls)
	}
	var sum [3]int
	for _, call := range f.appCalls {
		if call[0] > MaxAppUsers || call[1] > MaxAppDepts || call[2] > MaxAppTags {
			t.Errorf("call over the limits: %v", call)
		}
		for i := range sum {
			sum[i] += call[i]
		}
	}
	if sum != [3]int{2500, 150, 30} {
		t.Errorf("recipients %v, want [2500 150 30]", sum)
	}
	for k, n := range f.countBy() {
		if n != 1 {
			t.Errorf("%s received %d times", k, n)
		}
	}
	if r := h.report("big"); r.Sent != 2680 || r.Total != 2680 {
		t.Errorf("report %+v", r)
	}
}

func TestWorkAppInvalidRecipients(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	f.invalid["user/u1"] = true
	f.invalid["user/u3"] = true
	f.invalid["dept/7"] = true
	f.invalid["tag/9"] = true
	h := newHarness(t, db, c, f, Options{})
	ts := targets(ChannelWorkApp, KindUser, "u", 5)
	ts = append(ts, Target{ChannelWorkApp, KindDept, "7"}, Target{ChannelWorkApp, KindDept, "8"}, Target{ChannelWorkApp, KindTag, "9"})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: ts})
	h.run()
	h.waitDone("n")
	r := h.report("n")
	if r.Sent != 4 || r.Failed != 4 || r.Pending != 0 {
		t.Fatalf("report %+v, want 4 sent 4 failed", r)
	}
	fails := map[string]string{}
	for _, fl := range r.Failures {
		fails[fl.Kind+"/"+fl.ID] = fl.Reason
	}
	want := map[string]string{"user/u1": "invaliduser", "user/u3": "invaliduser", "dept/7": "invalidparty", "tag/9": "invalidtag"}
	for k, reason := range want {
		if fails[k] != reason {
			t.Errorf("failure of %s = %q, want %q", k, fails[k], reason)
		}
	}
	got := f.countBy()
	for _, id := range []string{"user/u0", "user/u2", "user/u4", "dept/8"} {
		if got["t|work_app/"+id] != 1 {
			t.Errorf("%s received %d times, want 1", id, got["t|work_app/"+id])
		}
	}
}

func TestOfficialAccount48Hours(t *testing.T) {
	for _, tc := range []struct {
		name     string
		template bool
		want     map[string]string // openid -> via, or "unreachable"
	}{
		{"with template", true, map[string]string{"recent": "custom", "old": "template", "never": "template", "edge": "template"}},
		{"without template", false, map[string]string{"recent": "custom", "old": "unreachable", "never": "unreachable", "edge": "unreachable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := tempDB(t)
			c := newVClock(true)
			f := newFakes(c)
			f.template = tc.template
			seen := map[string]time.Time{
				"recent": t0.Add(-47 * time.Hour),
				"old":    t0.Add(-49 * time.Hour),
				"edge":   t0.Add(-48 * time.Hour),
			}
			h := newHarness(t, db, c, f, Options{LastSeen: func(id string) (time.Time, bool) {
				at, ok := seen[id]
				return at, ok
			}})
			h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: []Target{
				{ChannelOA, KindFollower, "recent"}, {ChannelOA, KindFollower, "old"},
				{ChannelOA, KindFollower, "never"}, {ChannelOA, KindFollower, "edge"},
			}})
			h.run()
			h.waitDone("n")
			got := map[string]string{}
			for _, r := range f.receipts() {
				got[r.ID] += r.Via
			}
			r := h.report("n")
			unreachable := 0
			for id, via := range tc.want {
				if via == "unreachable" {
					unreachable++
					if got[id] != "" {
						t.Errorf("%s received a message via %s, want unreachable", id, got[id])
					}
				} else if got[id] != via {
					t.Errorf("%s received via %q, want %q", id, got[id], via)
				}
			}
			if r.Unreachable != unreachable || r.Sent != 4-unreachable {
				t.Errorf("report %+v, want %d unreachable", r, unreachable)
			}
		})
	}
}

func TestOfficialAccountWindowClosedFallsBackToTemplate(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	f.fail = func(channel, kind, id string, n int) error {
		if kind == "custom" {
			return &push.Error{Code: 45015, Msg: "response out of time limit"}
		}
		return nil
	}
	h := newHarness(t, db, c, f, Options{LastSeen: func(string) (time.Time, bool) { return t0.Add(-time.Hour), true }})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: []Target{{ChannelOA, KindFollower, "o1"}}})
	h.run()
	h.waitDone("n")
	rs := f.receipts()
	if len(rs) != 1 || rs[0].Via != "template" {
		t.Errorf("receipts %+v, want one template message", rs)
	}
}

func TestTransientErrorsRetryWithBackoff(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	var attempts []time.Time
	f.fail = func(channel, kind, id string, n int) error {
		attempts = append(attempts, c.Now())
		if n <= 3 {
			return &push.Error{Code: -1, Msg: "system busy", Transient: true}
		}
		return nil
	}
	base := 10 * time.Second
	h := newHarness(t, db, c, f, Options{BaseBackoff: base, MaxBackoff: time.Hour})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: []Target{{ChannelWorkChat, KindChat, "c"}}})
	h.run()
	h.waitDone("n")
	if len(attempts) != 4 {
		t.Fatalf("%d attempts, want 4", len(attempts))
	}
	for i := 1; i < 4; i++ {
		gap := attempts[i].Sub(attempts[i-1])
		full := base << (i - 1)
		if gap < full/2 || gap > full {
			t.Errorf("retry %d after %v, want within [%v, %v]", i, gap, full/2, full)
		}
	}
	if r := h.report("n"); r.Sent != 1 || len(r.Failures) != 0 {
		t.Errorf("report %+v", r)
	}
}

func TestPermanentErrorRecordedAtOnce(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	f.fail = func(channel, kind, id string, n int) error {
		switch id {
		case "gone":
			return &push.Error{Code: 43004, Msg: "require subscribe"}
		case "bad":
			return &push.Error{Code: 40003, Msg: "invalid openid"}
		}
		return nil
	}
	h := newHarness(t, db, c, f, Options{})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: []Target{
		{ChannelOA, KindFollower, "gone"}, {ChannelOA, KindFollower, "bad"}, {ChannelOA, KindFollower, "ok"},
	}})
	h.run()
	h.waitDone("n")
	r := h.report("n")
	if r.Failed != 2 || r.Sent != 1 || r.ByChannel[ChannelOA].Failed != 2 {
		t.Fatalf("report %+v", r)
	}
	codes := map[string]int{}
	for _, fl := range r.Failures {
		codes[fl.ID] = fl.Code
		if fl.At.IsZero() || fl.Reason == "" {
			t.Errorf("failure %+v lacks time or reason", fl)
		}
	}
	if codes["gone"] != 43004 || codes["bad"] != 40003 {
		t.Errorf("codes %v", codes)
	}
	if f.calls["oa/template/gone"] != 1 || f.calls["oa/template/bad"] != 1 {
		t.Errorf("permanent errors retried: %v", f.calls)
	}
}

func TestMaxAttemptsThenFailed(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	f.fail = func(channel, kind, id string, n int) error {
		return &push.Error{Code: 45009, Msg: "api freq out of limit", Transient: true}
	}
	h := newHarness(t, db, c, f, Options{MaxAttempts: 5})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: []Target{{ChannelRobot, KindRobot, "k"}, {ChannelWorkApp, KindUser, "u"}}})
	h.run()
	h.waitDone("n")
	if f.calls["robot/robot/k"] != 5 || f.calls["work_app/user/u"] != 5 {
		t.Errorf("calls %v, want 5 each", f.calls)
	}
	r := h.report("n")
	if r.Failed != 2 {
		t.Fatalf("report %+v", r)
	}
	for _, fl := range r.Failures {
		if fl.Code != 45009 || !strings.Contains(fl.Reason, "api freq out of limit") {
			t.Errorf("failure %+v", fl)
		}
	}
}

func TestTransportErrorIsTransient(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	f.fail = func(channel, kind, id string, n int) error {
		if n == 1 {
			return errors.New("connection reset by peer")
		}
		return nil
	}
	h := newHarness(t, db, c, f, Options{})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: []Target{{ChannelWorkChat, KindChat, "c"}}})
	h.run()
	h.waitDone("n")
	if r := h.report("n"); r.Sent != 1 || f.calls["work_chat/chat/c"] != 2 {
		t.Errorf("report %+v calls %v", r, f.calls)
	}
}

func TestOnDoneExactlyOnce(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	h := newHarness(t, db, c, f, Options{})
	h.enqueue(Job{NoticeID: "a", Title: "t", Body: "b", Targets: allChannelTargets()})
	h.enqueue(Job{NoticeID: "b", Title: "t", Body: "b", Targets: targets(ChannelOA, KindFollower, "o", 3)})
	stop := h.run()
	h.waitDone("a", "b")
	stop()
	// A restart finds nothing to signal.
	h2 := newHarness(t, db, c, f, Options{})
	h2.run()()
	for n, count := range h.doneSeen {
		if count != 1 {
			t.Errorf("OnDone(%s) called %d times", n, count)
		}
	}
	if len(h2.doneSeen) != 0 {
		t.Errorf("OnDone called again after restart: %v", h2.doneSeen)
	}
}

func TestOnDoneRetriedOnNextStartWhenItFailed(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	called := make(chan struct{}, 1)
	o, err := New(db, Options{WorkApp: f, Clock: c, Wait: c.Wait, OnDone: func(string) {
		called <- struct{}{}
		panic("notice store unavailable")
	}})
	if err != nil {
		t.Fatal(err)
	}
	c.setWorkers(o.workerCount())
	if err := db.Update(func(tx *bolt.Tx) error {
		return o.Enqueue(tx, Job{NoticeID: "n", Title: "t", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 2)})
	}); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: db, clock: c, fakes: f, o: o}
	stop := h.run()
	<-called
	stop()
	h2 := newHarness(t, db, c, f, Options{})
	h2.run()
	h2.waitDone("n")
	if len(f.receipts()) != 2 {
		t.Errorf("%d messages, want 2 (none resent)", len(f.receipts()))
	}
}

func TestEnqueueIsPartOfCallersTransaction(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	h := newHarness(t, db, c, f, Options{})
	rollback := errors.New("notice update failed")
	err := db.Update(func(tx *bolt.Tx) error {
		if err := h.o.Enqueue(tx, Job{NoticeID: "rolled", Title: "t", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 3)}); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if _, err := h.o.Report("rolled"); !errors.Is(err, ErrUnknownNotice) {
		t.Errorf("Report of a rolled-back notice: %v, want ErrUnknownNotice", err)
	}
	h.enqueue(Job{NoticeID: "kept", Title: "t", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 1)})
	h.run()
	h.waitDone("kept")
	rs := f.receipts()
	if len(rs) != 1 || rs[0].ID != "c0" {
		t.Errorf("receipts %+v, want only the committed notice", rs)
	}
}

func TestEnqueueRejectsBadJobs(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	o, err := New(db, Options{WorkApp: newFakes(c), Clock: c, Wait: c.Wait})
	if err != nil {
		t.Fatal(err)
	}
	ok := []Target{{ChannelWorkChat, KindChat, "c"}}
	for _, tc := range []struct {
		name string
		job  Job
		want string
	}{
		{"no id", Job{Title: "t", Targets: ok}, "empty notice ID"},
		{"no content", Job{NoticeID: "n", Targets: ok}, "empty title and body"},
		{"no targets", Job{NoticeID: "n", Title: "t"}, "no targets"},
		{"bad kind", Job{NoticeID: "n", Title: "t", Targets: []Target{{ChannelRobot, KindUser, "x"}}}, "unknown channel or kind"},
		{"empty id", Job{NoticeID: "n", Title: "t", Targets: []Target{{ChannelWorkChat, KindChat, ""}}}, "invalid ID"},
		{"unconfigured", Job{NoticeID: "n", Title: "t", Targets: []Target{{ChannelOA, KindFollower, "o"}}}, "not configured"},
	} {
		err := db.Update(func(tx *bolt.Tx) error { return o.Enqueue(tx, tc.job) })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if !o.HasChannel(ChannelWorkChat) || !o.HasChannel(ChannelWorkApp) || o.HasChannel(ChannelOA) || o.HasChannel(ChannelRobot) {
		t.Error("HasChannel does not follow the adapters given")
	}
	job := Job{NoticeID: "n", Title: "t", Targets: ok}
	if err := db.Update(func(tx *bolt.Tx) error { return o.Enqueue(tx, job) }); err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return o.Enqueue(tx, job) })
	if !errors.Is(err, ErrAlreadyEnqueued) {
		t.Errorf("second Enqueue: %v, want ErrAlreadyEnqueued", err)
	}
	if err := db.View(func(tx *bolt.Tx) error { return o.Enqueue(tx, job) }); err == nil {
		t.Error("Enqueue in a read-only transaction succeeded")
	}
}

func TestShutdownFinishesSendsInFlight(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	f.block = func() {
		entered <- struct{}{}
		<-release
	}
	h := newHarness(t, db, c, f, Options{Workers: 1})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 3)})
	stop := h.run()
	<-entered
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a send was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-stopped
	r := h.report("n")
	if r.Sent != 1 || r.Pending != 2 {
		t.Errorf("after shutdown: %+v, want the send in flight recorded and 2 pending", r)
	}
	// A restart sends the rest, and not the first again.
	f.block = nil
	h2 := newHarness(t, db, c, f, Options{})
	h2.run()
	h2.waitDone("n")
	for k, n := range f.countBy() {
		if n != 1 {
			t.Errorf("%s received %d times", k, n)
		}
	}
	if len(f.receipts()) != 3 {
		t.Errorf("%d receipts, want 3", len(f.receipts()))
	}
}

func TestReportUnknownNotice(t *testing.T) {
	db, _ := tempDB(t)
	o, err := New(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Report("nope"); !errors.Is(err, ErrUnknownNotice) {
		t.Errorf("Report: %v", err)
	}
}

func TestBackoffBounds(t *testing.T) {
	o := &Outbox{opt: Options{BaseBackoff: time.Second, MaxBackoff: 30 * time.Second}}
	for n := 1; n <= 10; n++ {
		full := min(time.Second<<(n-1), 30*time.Second)
		for _, key := range []string{"a", "b", "c\x00d"} {
			d := o.backoff(key, n)
			if d < full/2 || d > full {
				t.Errorf("backoff(%q, %d) = %v, want within [%v, %v]", key, n, d, full/2, full)
			}
		}
	}
	if o.backoff("a", 3) == o.backoff("b", 3) && o.backoff("c", 3) == o.backoff("d", 3) {
		t.Error("no jitter between keys")
	}
}

func TestPurgeDeletesOnlyOldFinishedNotices(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	f.fail = func(channel, kind, id string, n int) error {
		if id == "slow" {
			return &push.Error{Code: -1, Msg: "busy", Transient: true}
		}
		return nil
	}
	h := newHarness(t, db, c, f, Options{MaxAttempts: 100, BaseBackoff: time.Hour, MaxBackoff: time.Hour})
	h.enqueue(Job{NoticeID: "old", Title: "t", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 3)})
	h.enqueue(Job{NoticeID: "old2", Title: "t", Body: "b", Targets: targets(ChannelWorkChat, KindChat, "c", 2)})
	h.enqueue(Job{NoticeID: "open", Title: "t", Body: "b", Targets: []Target{{ChannelWorkChat, KindChat, "slow"}}})
	stop := h.run()
	h.waitDone("old", "old2")
	eventually(t, "retry of open", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.calls["work_chat/chat/slow"] >= 1
	})
	stop()
	n, err := h.o.Purge(c.Now().Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v; want 2", n, err)
	}
	for _, id := range []string{"old", "old2"} {
		if _, err := h.o.Report(id); !errors.Is(err, ErrUnknownNotice) {
			t.Errorf("Report(%s) after purge: %v", id, err)
		}
	}
	if r := h.report("open"); r.Pending != 1 {
		t.Errorf("open notice after purge: %+v", r)
	}
	if err := db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketDeliveries).Stats().KeyN; n != 1 {
			t.Errorf("%d deliveries left, want 1", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestConfigOptionsDefaults(t *testing.T) {
	opts := ConfigOptions(config.Default().Delivery)
	if err := opts.setDefaults(); err != nil {
		t.Fatal(err)
	}
	if opts.RobotPerMinute != 20 || opts.MaxAttempts != 8 || opts.OAWindow != 48*time.Hour || opts.Workers != 4 {
		t.Errorf("options from the default config: %+v", opts)
	}
	bad := Options{BaseBackoff: time.Minute, MaxBackoff: time.Second}
	if err := bad.setDefaults(); err == nil {
		t.Error("max_backoff below base_backoff accepted")
	}
}

func TestRobotRateLimitAnswerPausesTheKey(t *testing.T) {
	db, _ := tempDB(t)
	c := newVClock(true)
	f := newFakes(c)
	var at []time.Time
	f.fail = func(channel, kind, id string, n int) error {
		at = append(at, c.Now())
		if n == 1 {
			// Another sender used this robot's quota.
			return &push.Error{Code: 45009, Msg: "api freq out of limit", Transient: true}
		}
		return nil
	}
	h := newHarness(t, db, c, f, Options{BaseBackoff: time.Second, MaxBackoff: time.Second})
	h.enqueue(Job{NoticeID: "n", Title: "t", Body: "b", Targets: []Target{{ChannelRobot, KindRobot, "shared"}}})
	h.run()
	h.waitDone("n")
	if len(at) != 2 || at[1].Sub(at[0]) < time.Minute {
		t.Errorf("calls at %v: the retry must wait for the robot's minute", at)
	}
}
