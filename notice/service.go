package notice

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/outbox"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// Buckets. Every bucket of this package starts with "notice/".
var (
	bucketNotices = []byte("notice/notices") // id (8-byte big-endian) → Notice JSON
	bucketDue     = []byte("notice/due")     // id → "": approved, not yet handed to the outbox
	bucketPublish = []byte("notice/publish") // id → "": public, sent, not yet handed to OnPublic
)

// Outbox is the delivery outbox (outbox.Outbox).
type Outbox interface {
	// Enqueue records the job's deliveries inside tx, the transaction that
	// moves the notice to "sending".
	Enqueue(tx *bolt.Tx, job outbox.Job) error
	// Report tells how far a notice's delivery has got; ErrUnknownNotice
	// for a notice never enqueued.
	Report(noticeID string) (outbox.Report, error)
}

// Subscribers lists the Official Account followers subscribed to a topic
// (subscribe.Store).
type Subscribers interface {
	Subscribers(topic string) ([]string, error)
}

// TagFollowers lists the followers of an Official Account user tag
// (push.OfficialAccount).
type TagFollowers interface {
	TagFollowers(ctx context.Context, tagID int) ([]string, error)
}

// Auditor appends to the audit log (audit.Log).
type Auditor interface {
	Append(audit.Record) (audit.Record, error)
}

// Options configure a Service.
type Options struct {
	DB        *bolt.DB
	Audiences []config.Audience
	Outbox    Outbox
	// Subscribers expands followers: true audiences; nil means no
	// subscriptions (such audiences then reach no follower).
	Subscribers Subscribers
	// Tags expands oa_tags; nil (or a nil pointer) when the Official
	// Account is not configured, and then audiences with oa_tags are
	// refused.
	Tags TagFollowers
	// ChannelReady reports whether a delivery channel (outbox.Channel*) is
	// configured; audiences needing another are refused. nil: all are.
	ChannelReady func(channel string) bool
	Audit        Auditor
	Clock        clock.Clock
	Logger       *slog.Logger
	// OnPublic receives a public notice as a disclosure when it is sent,
	// to be indexed for search. An error is retried by Tick.
	OnPublic func(content.Disclosure) error
	// Department names the issuing department of an author's public
	// notices; nil or "" means the author's name.
	Department func(author string) string
	// URL, when set, gives the web address of a public notice's
	// disclosure.
	URL func(n Notice) string
	// Interval is how often Run looks for due notices (default 10s).
	Interval time.Duration
	// RetryMin and RetryMax bound the delay before another try to hand a
	// notice to the outbox after a failure (defaults 1m and 30m).
	RetryMin, RetryMax time.Duration
	// ApproveWait is how long Approve waits for the hand-over of a notice
	// due now (which expands its audiences: a large Official Account tag
	// takes many API calls) before it answers with the notice approved and
	// lets the hand-over finish on its own (default 3s).
	ApproveWait time.Duration
}

// sendTimeout bounds the expansion of audiences at approval.
const sendTimeout = time.Minute

// Service runs the notice workflow. It is safe for concurrent use.
type Service struct {
	opts      Options
	db        *bolt.DB
	clock     clock.Clock
	log       *slog.Logger
	audiences []config.Audience
	tags      TagFollowers

	sendMu sync.Mutex    // one hand-over to the outbox at a time
	wake   chan struct{} // tells Run to look for due notices now
	// handing counts the hand-overs begun by Approve (Wait waits for them).
	handing sync.WaitGroup
}

// Schema is the notices' bucket family: its migrations, in order.
func Schema() store.Family {
	return store.Family{Name: "notice", Migrations: []store.Migration{
		store.CreateBuckets(bucketNotices, bucketDue, bucketPublish),
	}}
}

// New returns a Service, creating its buckets.
func New(opts Options) (*Service, error) {
	if opts.DB == nil {
		return nil, errors.New("notice: nil database")
	}
	if opts.Outbox == nil {
		return nil, errors.New("notice: nil outbox")
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Interval <= 0 {
		opts.Interval = 10 * time.Second
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Minute
	}
	if opts.ApproveWait <= 0 {
		opts.ApproveWait = 3 * time.Second
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(30*time.Minute, opts.RetryMin)
	}
	if err := store.Migrate(opts.DB, Schema()); err != nil {
		return nil, fmt.Errorf("notice: %w", err)
	}
	s := &Service{
		opts:      opts,
		db:        opts.DB,
		clock:     opts.Clock,
		log:       opts.Logger,
		audiences: opts.Audiences,
		tags:      opts.Tags,
		wake:      make(chan struct{}, 1),
	}
	// A nil pointer in the interface also means "not configured".
	if v := reflect.ValueOf(opts.Tags); v.Kind() == reflect.Pointer && v.IsNil() {
		s.tags = nil
	}
	return s, nil
}

func (s *Service) audience(name string) (config.Audience, bool) {
	for _, a := range s.audiences {
		if a.Name == name {
			return a, true
		}
	}
	return config.Audience{}, false
}

// --- storage ---

func idKey(id string) ([]byte, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != id {
		return nil, false
	}
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k, true
}

func load(tx *bolt.Tx, id string) (Notice, []byte, error) {
	k, ok := idKey(id)
	if !ok {
		return Notice{}, nil, errf(CodeNotFound, "没有编号为 %q 的通知", id)
	}
	v := tx.Bucket(bucketNotices).Get(k)
	if v == nil {
		return Notice{}, nil, errf(CodeNotFound, "没有编号为 %s 的通知", id)
	}
	var n Notice
	if err := json.Unmarshal(v, &n); err != nil {
		return Notice{}, nil, fmt.Errorf("notice %s: %w", id, err)
	}
	return n, k, nil
}

func save(tx *bolt.Tx, k []byte, n *Notice) error {
	data, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketNotices).Put(k, data)
}

// update loads notice id, lets fn change it, and saves it, all in one
// transaction: when fn returns an error nothing is changed.
func (s *Service) update(id string, fn func(tx *bolt.Tx, k []byte, n *Notice) error) (Notice, error) {
	var out Notice
	err := s.db.Update(func(tx *bolt.Tx) error {
		n, k, err := load(tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, k, &n); err != nil {
			return err
		}
		out = n
		return save(tx, k, &n)
	})
	return out, err
}

func (n *Notice) record(action, by string, at time.Time, note string) {
	n.History = append(n.History, Event{Action: action, By: by, At: at, Note: note})
	n.Updated = at
}

func (s *Service) now() time.Time { return s.clock.Now().In(clock.Shanghai) }

// --- reads ---

// Get returns notice id.
func (s *Service) Get(id string) (Notice, error) {
	var n Notice
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, _, err = load(tx, id)
		return err
	})
	return n, err
}

// ListFilter selects notices for List.
type ListFilter struct {
	Status Status // "" any
	Author string // "" any
	Limit  int    // default 50, at most 500
}

// List returns notices matching f, newest first.
func (s *Service) List(f ListFilter) ([]Notice, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, errf(CodeInvalid, "未知的状态 %q，可选：draft、submitted、approved、rejected、sending、done、cancelled", f.Status)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	out := []Notice{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketNotices).Cursor()
		for k, v := c.Last(); k != nil && len(out) < f.Limit; k, v = c.Prev() {
			var n Notice
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("notice %x: %w", k, err)
			}
			if (f.Status == "" || n.Status == f.Status) && (f.Author == "" || n.Author == f.Author) {
				out = append(out, n)
			}
		}
		return nil
	})
	return out, err
}

// Report returns the delivery report of notice id: zeros before it is
// sent.
func (s *Service) Report(id string) (outbox.Report, error) {
	n, err := s.Get(id)
	if err != nil {
		return outbox.Report{}, err
	}
	empty := outbox.Report{ByChannel: map[string]outbox.ChannelReport{}, Failures: []outbox.Failure{}}
	if n.Status != StatusSending && n.Status != StatusDone {
		return empty, nil
	}
	r, err := s.opts.Outbox.Report(id)
	if errors.Is(err, outbox.ErrUnknownNotice) {
		return empty, nil
	}
	if r.ByChannel == nil {
		r.ByChannel = map[string]outbox.ChannelReport{}
	}
	if r.Failures == nil {
		r.Failures = []outbox.Failure{}
	}
	return r, err
}

// --- actions ---

// Create writes a new draft by actor.
func (s *Service) Create(actor Actor, d Draft) (Notice, error) {
	if !actor.Has(config.RoleStaff) && !actor.reviewer() {
		return Notice{}, errf(CodeForbidden, "%s 没有撰写通知的权限", actor.Name)
	}
	f, err := s.parse(d)
	if err != nil {
		return Notice{}, err
	}
	now := s.now()
	if err := checkTimes(f, now, false); err != nil {
		return Notice{}, err
	}
	var n Notice
	err = s.db.Update(func(tx *bolt.Tx) error {
		seq, err := tx.Bucket(bucketNotices).NextSequence()
		if err != nil {
			return err
		}
		n = Notice{
			ID:      strconv.FormatUint(seq, 10),
			Status:  StatusDraft,
			Author:  actor.Name,
			Created: now,
			History: []Event{},
		}
		f.setOn(&n)
		n.record(ActionCreate, actor.Name, now, "")
		k, _ := idKey(n.ID)
		return save(tx, k, &n)
	})
	if err != nil {
		return Notice{}, err
	}
	return n, nil
}

// Update edits a draft or rejected notice; only its author may. A rejected
// notice becomes a draft again.
func (s *Service) Update(actor Actor, id string, p Patch) (Notice, error) {
	now := s.now()
	return s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		if n.Author != actor.Name {
			return errf(CodeNotAuthor, "只有作者 %s 可以修改通知 %s", n.Author, n.ID)
		}
		if n.Status != StatusDraft && n.Status != StatusRejected {
			return errf(CodeStatus, "通知 %s 的状态是 %s，只有草稿（draft）或被退回（rejected）的通知可以修改", n.ID, n.Status)
		}
		f, err := s.parse(p.apply(n.draft()))
		if err != nil {
			return err
		}
		if err := checkTimes(f, now, false); err != nil {
			return err
		}
		f.setOn(n)
		n.Status = StatusDraft
		n.record(ActionEdit, actor.Name, now, "")
		return nil
	})
}

// Submit sends a draft or rejected notice for review; only its author may.
func (s *Service) Submit(actor Actor, id string) (Notice, error) {
	now := s.now()
	return s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		if n.Author != actor.Name {
			return errf(CodeNotAuthor, "只有作者 %s 可以提交通知 %s", n.Author, n.ID)
		}
		if n.Status != StatusDraft && n.Status != StatusRejected {
			return errf(CodeStatus, "通知 %s 的状态是 %s，只有草稿（draft）或被退回（rejected）的通知可以提交审核", n.ID, n.Status)
		}
		if err := s.recheck(n, now, false); err != nil {
			return err
		}
		n.Status = StatusSubmitted
		n.record(ActionSubmit, actor.Name, now, "")
		return nil
	})
}

// recheck validates a stored notice again: the configuration (audiences,
// channels) may have changed since it was written.
func (s *Service) recheck(n *Notice, now time.Time, allowPastSendAt bool) error {
	f, err := s.parse(n.draft())
	if err != nil {
		return err
	}
	return checkTimes(f, now, allowPastSendAt)
}

// reviewable checks that actor may review n: a reviewer or admin who is
// not its author, and n is waiting for review.
func reviewable(actor Actor, n *Notice, what string) error {
	if !actor.reviewer() {
		return errf(CodeForbidden, "%s 没有审核权限（需要 reviewer 或 admin 角色）", actor.Name)
	}
	if n.Author == actor.Name {
		return errf(CodeSelfReview, "不能%s自己撰写的通知 %s：须由作者以外的审核人审核", what, n.ID)
	}
	if n.Status != StatusSubmitted {
		return errf(CodeStatus, "通知 %s 的状态是 %s，只有待审核（submitted）的通知可以%s", n.ID, n.Status, what)
	}
	return nil
}

// Approve approves a submitted notice. A notice without a send time, or
// whose send time passed during review, is handed to the outbox at once
// (ctx bounds the expansion of its audiences); otherwise at its send time.
func (s *Service) Approve(ctx context.Context, actor Actor, id, note string) (Notice, error) {
	note, err := checkNote(note, false, "审核意见")
	if err != nil {
		return Notice{}, err
	}
	now := s.now()
	n, err := s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		if err := reviewable(actor, n, "批准"); err != nil {
			return err
		}
		if err := s.recheck(n, now, true); err != nil {
			return err
		}
		n.Status = StatusApproved
		n.Reviewer = actor.Name
		n.ReviewedAt = now
		n.record(ActionApprove, actor.Name, now, note)
		return tx.Bucket(bucketDue).Put(k, []byte{})
	})
	if err != nil {
		return Notice{}, err
	}
	if n.SendAt.IsZero() || !n.SendAt.After(now) {
		// The approval is committed: a client hanging up must not cut
		// the hand-over short (a failure would only delay it), and a
		// long one (a large tag to expand) must not hold the request:
		// after ApproveWait the answer is "approved" and the hand-over
		// goes on, bounded by sendTimeout.
		done := make(chan struct{})
		s.handing.Add(1)
		go func() {
			defer s.handing.Done()
			defer close(done)
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
			defer cancel()
			s.send(sctx, n.ID)
		}()
		t := time.NewTimer(s.opts.ApproveWait)
		defer t.Stop()
		select {
		case <-done:
			return s.Get(n.ID)
		case <-t.C:
		case <-ctx.Done():
		}
		return n, nil
	}
	s.poke()
	return n, nil
}

// Wait waits for the hand-overs Approve began to finish (call it after
// Run has returned, before closing the database).
func (s *Service) Wait() { s.handing.Wait() }

// Reject sends a submitted notice back to its author with a reason.
func (s *Service) Reject(actor Actor, id, reason string) (Notice, error) {
	reason, err := checkNote(reason, true, "退回理由")
	if err != nil {
		return Notice{}, err
	}
	now := s.now()
	return s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		if err := reviewable(actor, n, "退回"); err != nil {
			return err
		}
		n.Status = StatusRejected
		n.Reviewer = actor.Name
		n.ReviewedAt = now
		n.record(ActionReject, actor.Name, now, reason)
		return nil
	})
}

// Cancel withdraws a notice before it is sent: its author, a reviewer or an
// admin may.
func (s *Service) Cancel(actor Actor, id, note string) (Notice, error) {
	note, err := checkNote(note, false, "撤销说明")
	if err != nil {
		return Notice{}, err
	}
	now := s.now()
	return s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		if n.Author != actor.Name && !actor.reviewer() {
			return errf(CodeForbidden, "只有作者 %s、审核人或管理员可以撤销通知 %s", n.Author, n.ID)
		}
		switch n.Status {
		case StatusDraft, StatusSubmitted, StatusApproved, StatusRejected:
		default:
			return errf(CodeStatus, "通知 %s 的状态是 %s，已发送或已撤销的通知不能撤销", n.ID, n.Status)
		}
		n.Status = StatusCancelled
		n.NextAttempt = time.Time{}
		n.record(ActionCancel, actor.Name, now, note)
		return tx.Bucket(bucketDue).Delete(k)
	})
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Service) audit(action, id, result, msg string) {
	if s.opts.Audit == nil {
		return
	}
	if _, err := s.opts.Audit.Append(audit.Record{
		Actor: SystemActor, Action: "notice." + action, NoticeID: id, Result: result, Message: msg,
	}); err != nil {
		s.log.Error("audit append failed", "action", action, "notice", id, "err", err)
	}
}
