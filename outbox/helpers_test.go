package outbox

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/push"
	bolt "go.etcd.io/bbolt"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, clock.Shanghai)

// vclock is a virtual clock. Its Wait registers a waiter; in auto mode,
// when every worker of the outbox waits, time jumps to the earliest
// deadline, so rate limits and backoffs cost no real time. Time never moves
// while a worker is sending, so a fake's receipt time is the send time.
type vclock struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	workers int
	waiters map[*vwaiter]struct{}
}

type vwaiter struct {
	deadline time.Time
	timed    bool
	ch       chan struct{}
}

func newVClock(auto bool) *vclock {
	return &vclock{now: t0, auto: auto, waiters: map[*vwaiter]struct{}{}}
}

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *vclock) setWorkers(n int) {
	c.mu.Lock()
	c.workers = n
	c.mu.Unlock()
}

func (c *vclock) Wait(ctx context.Context, d time.Duration, wake <-chan struct{}) {
	if d == 0 {
		return
	}
	w := &vwaiter{ch: make(chan struct{})}
	c.mu.Lock()
	if d > 0 {
		w.deadline, w.timed = c.now.Add(d), true
	}
	c.waiters[w] = struct{}{}
	c.advanceIfIdle()
	c.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-wake:
	case <-w.ch:
	}
	c.mu.Lock()
	delete(c.waiters, w)
	c.mu.Unlock()
}

// advanceIfIdle jumps to the earliest deadline when all workers wait.
func (c *vclock) advanceIfIdle() {
	if !c.auto || c.workers == 0 || len(c.waiters) < c.workers {
		return
	}
	var first time.Time
	for w := range c.waiters {
		if w.timed && (first.IsZero() || w.deadline.Before(first)) {
			first = w.deadline
		}
	}
	if first.IsZero() {
		return
	}
	if first.After(c.now) {
		c.now = first
	}
	c.fire()
}

// fire releases the waiters whose deadline has come; c.mu held.
func (c *vclock) fire() {
	for w := range c.waiters {
		if w.timed && !w.deadline.After(c.now) {
			close(w.ch)
			delete(c.waiters, w)
		}
	}
}

func (c *vclock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.fire()
	c.mu.Unlock()
}

// idle reports whether every worker waits.
func (c *vclock) idle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.workers > 0 && len(c.waiters) >= c.workers
}

// receipt is one message received by a fake.
type receipt struct {
	Channel, Kind, ID string
	Title             string
	Via               string // OA: custom or template
	At                time.Time
}

// fakes implements push.Robot, push.WorkApp and push.OfficialAccount,
// recording who received what and answering with scripted errors.
type fakes struct {
	clock clock.Clock

	mu       sync.Mutex
	got      []receipt
	calls    map[string]int // by channel/kind/id: calls, failed included
	appCalls [][3]int       // users, depts, tags per SendApp
	// fail, if set, answers the nth (1-based) call for a recipient with
	// an error; nil means success.
	fail func(channel, kind, id string, n int) error
	// invalid lists recipients SendApp reports as invalid.
	invalid  map[string]bool
	template bool
	// block, if set, is called (unlocked) before each send.
	block func()
}

func newFakes(c clock.Clock) *fakes {
	return &fakes{clock: c, calls: map[string]int{}, invalid: map[string]bool{}, template: true}
}

func (f *fakes) attempt(channel, kind, id string) error {
	if f.block != nil {
		f.block()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := channel + "/" + kind + "/" + id
	f.calls[k]++
	if f.fail != nil {
		return f.fail(channel, kind, id, f.calls[k])
	}
	return nil
}

func (f *fakes) receive(r receipt) {
	f.mu.Lock()
	r.At = f.clock.Now()
	f.got = append(f.got, r)
	f.mu.Unlock()
}

func (f *fakes) SendRobot(ctx context.Context, key string, m push.Message) error {
	if err := f.attempt(ChannelRobot, KindRobot, key); err != nil {
		return err
	}
	f.receive(receipt{Channel: ChannelRobot, Kind: KindRobot, ID: key, Title: m.Title})
	return nil
}

func (f *fakes) SendChat(ctx context.Context, chatID string, m push.Message) error {
	if err := f.attempt(ChannelWorkChat, KindChat, chatID); err != nil {
		return err
	}
	f.receive(receipt{Channel: ChannelWorkChat, Kind: KindChat, ID: chatID, Title: m.Title})
	return nil
}

func (f *fakes) SendApp(ctx context.Context, users, depts, tags []string, m push.Message) (push.WorkAppResult, error) {
	var res push.WorkAppResult
	if len(users) > MaxAppUsers || len(depts) > MaxAppDepts || len(tags) > MaxAppTags {
		return res, &push.Error{Msg: "too many recipients"}
	}
	if f.block != nil {
		f.block()
	}
	f.mu.Lock()
	f.appCalls = append(f.appCalls, [3]int{len(users), len(depts), len(tags)})
	if f.fail != nil && len(users) > 0 {
		k := ChannelWorkApp + "/" + KindUser + "/" + users[0]
		f.calls[k]++
		if err := f.fail(ChannelWorkApp, KindUser, users[0], f.calls[k]); err != nil {
			f.mu.Unlock()
			return res, err
		}
	}
	f.mu.Unlock()
	for _, set := range []struct {
		kind    string
		ids     []string
		invalid *[]string
	}{{KindUser, users, &res.InvalidUsers}, {KindDept, depts, &res.InvalidDepts}, {KindTag, tags, &res.InvalidTags}} {
		for _, id := range set.ids {
			if f.invalid[set.kind+"/"+id] {
				*set.invalid = append(*set.invalid, id)
				continue
			}
			f.receive(receipt{Channel: ChannelWorkApp, Kind: set.kind, ID: id, Title: m.Title})
		}
	}
	return res, nil
}

func (f *fakes) SendCustom(ctx context.Context, openID string, m push.Message) error {
	if err := f.attempt(ChannelOA, "custom", openID); err != nil {
		return err
	}
	f.receive(receipt{Channel: ChannelOA, Kind: KindFollower, ID: openID, Title: m.Title, Via: "custom"})
	return nil
}

func (f *fakes) SendTemplate(ctx context.Context, openID string, m push.Message) error {
	if !f.template {
		return &push.Error{Msg: "no template message configured"}
	}
	if err := f.attempt(ChannelOA, "template", openID); err != nil {
		return err
	}
	f.receive(receipt{Channel: ChannelOA, Kind: KindFollower, ID: openID, Title: m.Title, Via: "template"})
	return nil
}

func (f *fakes) HasTemplate() bool { return f.template }

func (f *fakes) TagFollowers(ctx context.Context, tagID int) ([]string, error) { return nil, nil }

func (f *fakes) receipts() []receipt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// countBy counts receipts per "title|channel/kind/id".
func (f *fakes) countBy() map[string]int {
	n := map[string]int{}
	for _, r := range f.receipts() {
		n[r.Title+"|"+r.Channel+"/"+r.Kind+"/"+r.ID]++
	}
	return n
}

func openDB(t testing.TB, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func tempDB(t testing.TB) (*bolt.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	db := openDB(t, path)
	t.Cleanup(func() { db.Close() })
	return db, path
}

// harness is an Outbox with fakes on a virtual clock.
type harness struct {
	t     testing.TB
	db    *bolt.DB
	clock *vclock
	fakes *fakes
	o     *Outbox
	done  chan string

	mu       sync.Mutex
	doneSeen map[string]int
}

func newHarness(t testing.TB, db *bolt.DB, c *vclock, f *fakes, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, db: db, clock: c, fakes: f, done: make(chan string, 1000), doneSeen: map[string]int{}}
	opts.Robot, opts.WorkApp, opts.OA = f, f, f
	opts.Clock, opts.Wait = c, c.Wait
	opts.OnDone = func(n string) {
		h.mu.Lock()
		h.doneSeen[n]++
		h.mu.Unlock()
		h.done <- n
	}
	o, err := New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.o = o
	c.setWorkers(o.workerCount())
	return h
}

func (h *harness) enqueue(job Job) {
	h.t.Helper()
	if err := h.db.Update(func(tx *bolt.Tx) error { return h.o.Enqueue(tx, job) }); err != nil {
		h.t.Fatal(err)
	}
}

// run starts the outbox; the returned stop cancels it and waits for Run.
func (h *harness) run() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.o.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-errc; err != nil {
				h.t.Errorf("Run: %v", err)
			}
		})
	}
	h.t.Cleanup(stop)
	return stop
}

// waitDone waits for OnDone of every notice named.
func (h *harness) waitDone(notices ...string) {
	h.t.Helper()
	want := map[string]bool{}
	for _, n := range notices {
		want[n] = true
	}
	timeout := time.After(20 * time.Second)
	for len(want) > 0 {
		select {
		case n := <-h.done:
			delete(want, n)
		case <-timeout:
			h.t.Fatalf("notices never done: %v", want)
		}
	}
}

func (h *harness) report(notice string) Report {
	h.t.Helper()
	r, err := h.o.Report(notice)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// eventually polls cond for up to 10 seconds of real time.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func targets(channel, kind, prefix string, n int) []Target {
	ts := make([]Target, n)
	for i := range ts {
		ts[i] = Target{Channel: channel, Kind: kind, ID: fmt.Sprintf("%s%d", prefix, i)}
	}
	return ts
}

// BenchmarkBackoff is the delay after the nth attempt of a stored
// delivery (see BENCHMARKS.md for the comparison with a library).
func BenchmarkBackoff(b *testing.B) {
	o := &Outbox{opt: Options{BaseBackoff: 10 * time.Second, MaxBackoff: 10 * time.Minute}}
	for i := 0; b.Loop(); i++ {
		_ = o.backoff("notice\x00robot\x00robot\x00key", 1+i%8)
	}
}

func TestFNV1aMatchesHashFNV(t *testing.T) {
	for _, c := range []struct {
		key string
		n   uint64
	}{{"", 0}, {"a\x00robot\x00robot\x00k", 3}, {"通知", 1 << 40}} {
		h := fnv.New64a()
		h.Write([]byte(c.key))
		h.Write(binary.BigEndian.AppendUint64([]byte{0}, c.n))
		if got, want := fnv1a(c.key, c.n), h.Sum64(); got != want {
			t.Errorf("fnv1a(%q, %d) = %x, want %x", c.key, c.n, got, want)
		}
	}
}
