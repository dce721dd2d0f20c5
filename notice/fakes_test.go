package notice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/outbox"
	bolt "go.etcd.io/bbolt"
)

// fakeOutbox records the jobs enqueued; fail makes Enqueue fail.
type fakeOutbox struct {
	mu      sync.Mutex
	jobs    []outbox.Job
	reports map[string]outbox.Report
	fail    error
}

func (o *fakeOutbox) Enqueue(tx *bolt.Tx, job outbox.Job) error {
	if !tx.Writable() {
		return errors.New("read-only transaction")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	for _, j := range o.jobs {
		if j.NoticeID == job.NoticeID {
			return outbox.ErrAlreadyEnqueued
		}
	}
	o.jobs = append(o.jobs, job)
	return nil
}

func (o *fakeOutbox) Report(id string) (outbox.Report, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if r, ok := o.reports[id]; ok {
		return r, nil
	}
	for _, j := range o.jobs {
		if j.NoticeID == id {
			return outbox.Report{Total: len(j.Targets), Pending: len(j.Targets)}, nil
		}
	}
	return outbox.Report{}, outbox.ErrUnknownNotice
}

func (o *fakeOutbox) Jobs() []outbox.Job {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]outbox.Job(nil), o.jobs...)
}

// fakeSubs maps topics to openids.
type fakeSubs map[string][]string

func (f fakeSubs) Subscribers(topic string) ([]string, error) { return f[topic], nil }

// fakeTags maps OA tag ids to openids.
type fakeTags struct {
	m     map[int][]string
	err   error
	calls int
}

func (f *fakeTags) TagFollowers(ctx context.Context, tag int) ([]string, error) {
	f.calls++
	return f.m[tag], f.err
}

var (
	staff    = Actor{Name: "wang", Roles: []string{config.RoleStaff}}
	staff2   = Actor{Name: "zhao", Roles: []string{config.RoleStaff}}
	reviewer = Actor{Name: "chen", Roles: []string{config.RoleReviewer}}
	admin    = Actor{Name: "root", Roles: []string{config.RoleAdmin}}
	t0       = time.Date(2024, 6, 1, 9, 0, 0, 0, clock.Shanghai)
)

func testAudiences() []config.Audience {
	return []config.Audience{
		{Name: "防汛", Followers: true, WorkRobots: []string{"r1", "r2"}, WorkChats: []string{"c1"}},
		{Name: "楼组长", Followers: true, WorkRobots: []string{"r2"}, WorkUsers: []string{"u1"}, WorkDepts: []string{"2"}, WorkTags: []string{"3"}, OATags: []int{7}},
		{Name: "志愿者", WorkRobots: []string{"r3"}, WorkUsers: []string{"u9"}, Followers: true},
		{Name: "停水", Followers: true},
		{Name: "机器人", WorkRobots: []string{"r4"}},
		{Name: "应用", WorkUsers: []string{"u5"}},
	}
}

type env struct {
	svc    *Service
	db     *bolt.DB
	clock  *clock.Fake
	out    *fakeOutbox
	tags   *fakeTags
	audit  *audit.Log
	public []content.Disclosure
	pubErr error
	mu     sync.Mutex
}

func newEnv(t testing.TB, edit ...func(*Options)) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "n.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, clock: clock.NewFake(t0), out: &fakeOutbox{},
		tags: &fakeTags{m: map[int][]string{7: {"o2", "o4"}}}}
	e.audit, err = audit.New(db, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		DB:          db,
		Audiences:   testAudiences(),
		Outbox:      e.out,
		Subscribers: fakeSubs{"防汛": {"o1", "o2"}, "楼组长": {"o2", "o3"}, "志愿者": {"o9"}},
		Tags:        e.tags,
		Audit:       e.audit,
		Clock:       e.clock,
		OnPublic: func(d content.Disclosure) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.pubErr != nil {
				return e.pubErr
			}
			e.public = append(e.public, d)
			return nil
		},
		Department: func(author string) string {
			if author == "wang" {
				return "盈浦街道办事处"
			}
			return ""
		},
	}
	for _, f := range edit {
		f(&opts)
	}
	e.svc, err = New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) published() []content.Disclosure {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]content.Disclosure(nil), e.public...)
}

// dump returns every key and value of the notice buckets, to show that a
// refused action changed nothing.
func (e *env) dump(t *testing.T) string {
	t.Helper()
	var out []string
	err := e.db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketNotices, bucketDue, bucketPublish} {
			tx.Bucket(b).ForEach(func(k, v []byte) error {
				out = append(out, fmt.Sprintf("%s/%x=%s", b, k, v))
				return nil
			})
			out = append(out, fmt.Sprintf("%s seq %d", b, tx.Bucket(b).Sequence()))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	data, _ := json.Marshal(out)
	return string(data)
}

func draft(audiences ...string) Draft {
	return Draft{Title: "防汛预警", Body: "今晚有暴雨，请注意防范。", Audiences: audiences}
}

func mustCreate(t *testing.T, e *env, a Actor, d Draft) Notice {
	t.Helper()
	n, err := e.svc.Create(a, d)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return n
}

// inStatus makes a notice of wang's in the given status.
func inStatus(t *testing.T, e *env, st Status) Notice {
	t.Helper()
	d := draft("防汛")
	if st == StatusApproved {
		d.SendAt = e.clock.Now().Add(time.Hour).Format(time.RFC3339)
	}
	n := mustCreate(t, e, staff, d)
	step := func(n Notice, err error) Notice {
		t.Helper()
		if err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
		return n
	}
	ctx := context.Background()
	switch st {
	case StatusDraft:
	case StatusSubmitted:
		n = step(e.svc.Submit(staff, n.ID))
	case StatusApproved, StatusSending:
		n = step(e.svc.Submit(staff, n.ID))
		n = step(e.svc.Approve(ctx, reviewer, n.ID, ""))
	case StatusRejected:
		n = step(e.svc.Submit(staff, n.ID))
		n = step(e.svc.Reject(reviewer, n.ID, "措辞不当"))
	case StatusDone:
		n = step(e.svc.Submit(staff, n.ID))
		n = step(e.svc.Approve(ctx, reviewer, n.ID, ""))
		e.svc.MarkDone(n.ID)
		n = step(e.svc.Get(n.ID))
	case StatusCancelled:
		n = step(e.svc.Cancel(staff, n.ID, ""))
	}
	if n.Status != st {
		t.Fatalf("made %s, want %s", n.Status, st)
	}
	return n
}
