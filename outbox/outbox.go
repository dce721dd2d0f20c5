// Package outbox is the durable delivery outbox of notices. Enqueue records
// one delivery per (notice, target) in bbolt inside the caller's write
// transaction; Run's workers, one pool per channel, send them through the
// push adapters within the platforms' limits (20 messages a minute per group
// robot, 1,000 users / 100 departments / 100 tags per WeCom app message, the
// Official Account's 48-hour rule), retry transient errors with exponential
// backoff and record every outcome, so that a crash loses no delivery and
// Report can tell staff who got a notice and who did not.
//
// Crash safety: a delivery is marked in_flight in a committed transaction
// before the platform is called, and sent in a committed transaction right
// after it answers. On start, in_flight deliveries are due again. A crash
// between the platform's acknowledgement and our commit therefore sends that
// one delivery twice; a delivery recorded as sent is never sent again.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/privacy"
	"github.com/yingpu/govbot/push"
	bolt "go.etcd.io/bbolt"
)

// Channels of a Target: the names of the registered channels (package
// channel), which the outbox reads for their kinds, batching, rate limits,
// duplicate checks and senders.
const (
	ChannelRobot    = channel.Robot
	ChannelWorkChat = channel.WorkChat
	ChannelWorkApp  = channel.WorkApp
	ChannelOA       = channel.OA
)

// Kinds of a Target.
const (
	KindRobot    = "robot"
	KindChat     = "chat"
	KindUser     = channel.KindUser
	KindDept     = channel.KindDept
	KindTag      = channel.KindTag
	KindFollower = channel.KindFollower
)

// Per-call recipient limits of a WeCom app message.
const (
	MaxAppUsers = push.MaxAppUsers
	MaxAppDepts = push.MaxAppDepts
	MaxAppTags  = push.MaxAppTags
)

// ReasonNoWindow is the reason recorded for a follower who cannot be
// reached: no customer-service window and no template message.
const ReasonNoWindow = channel.ReasonNoWindow

// Errors of Enqueue and Report.
var (
	ErrAlreadyEnqueued = errors.New("outbox: notice already enqueued")
	ErrUnknownNotice   = errors.New("outbox: unknown notice")
)

// Target is one recipient of a notice.
type Target struct {
	Channel string // a registered channel: "robot", "work_chat", "work_app", "oa"
	Kind    string // a kind of that channel: "robot", "chat", "user", "dept", "tag", "follower"
	ID      string
}

// String is the target fit for logs and errors: its ID redacted (see
// privacy.Redact).
func (t Target) String() string { return t.Channel + "/" + t.Kind + "/" + privacy.Redact(t.ID) }

// Job is a notice to deliver to its targets.
type Job struct {
	NoticeID    string
	Urgent      bool
	Title, Body string
	Markdown    bool
	Targets     []Target
}

// Report is the delivery state of one notice. Pending counts deliveries not
// yet attempted, in flight, and waiting for a retry.
type Report struct {
	Total       int `json:"total"`
	Sent        int `json:"sent"`
	Failed      int `json:"failed"`
	Pending     int `json:"pending"`
	Unreachable int `json:"unreachable"`
	// Uncertain counts deliveries interrupted by a crash while being sent
	// and held (they may have arrived) until staff resend or leave them
	// (Resolve); Unconfirmed those left. Resent counts deliveries sent
	// again after such a crash (by policy or by staff): they may have
	// arrived twice.
	Uncertain   int                      `json:"uncertain"`
	Unconfirmed int                      `json:"unconfirmed"`
	Resent      int                      `json:"resent"`
	ByChannel   map[string]ChannelReport `json:"by_channel"`
	Failures    []Failure                `json:"failures"`
	// Held lists the uncertain deliveries (Code 0, the reason why).
	Held []Failure `json:"held"`
	// Done is true once every delivery is sent, failed, unreachable or
	// unconfirmed.
	Done bool `json:"done"`
}

// ReasonInterrupted is the reason given for an uncertain delivery.
const ReasonInterrupted = "interrupted while being sent (the service stopped); it may have arrived"

// ChannelReport is the part of a Report for one channel.
type ChannelReport struct {
	Total       int `json:"total"`
	Sent        int `json:"sent"`
	Failed      int `json:"failed"`
	Pending     int `json:"pending"`
	Unreachable int `json:"unreachable"`
	Uncertain   int `json:"uncertain,omitempty"`
	Unconfirmed int `json:"unconfirmed,omitempty"`
}

// Failure is one failed delivery: the platform's errcode (0 for a
// transport failure or a recipient WeCom listed as invalid) and reason.
type Failure struct {
	Channel string    `json:"channel"`
	Kind    string    `json:"kind"`
	ID      string    `json:"id"`
	Code    int       `json:"code"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// Options configure an Outbox. Zero values take the defaults named.
type Options struct {
	// Adapters; a nil adapter means its channel is not configured and
	// Enqueue rejects targets on it.
	Robot   push.Robot
	WorkApp push.WorkApp // channels work_app and work_chat
	OA      push.OfficialAccount
	// LastSeen returns when the follower last messaged the Official
	// Account (for the 48-hour customer-service window). nil: never.
	LastSeen func(openid string) (time.Time, bool)
	// Clock tells the time (default clock.System). Wait must wait on the
	// same clock.
	Clock clock.Clock
	// Wait blocks until d has passed on Clock (d < 0: no deadline), wake
	// is closed or ctx is done. Default: a real timer. Tests and the
	// benchmark pass a virtual clock's Wait so that rate limits and
	// backoffs take no real time.
	Wait   func(ctx context.Context, d time.Duration, wake <-chan struct{})
	Logger *slog.Logger
	// OnDone is called once when every delivery of a notice is sent,
	// failed or unreachable; again after a restart if the process died
	// before the call returned, so it must be idempotent. It runs on its
	// own goroutine, never inside a transaction.
	OnDone func(noticeID string)
	// Observe, when set, is told each delivery outcome as it is recorded:
	// the channel and the state (sent, failed, unreachable, or "retry" for
	// a transient error to try again). It runs on a worker goroutine and
	// must not block (metrics).
	Observe func(channel string, state State)

	// RobotPerMinute is the most messages sent to one target in any 60
	// seconds on a channel whose platform limits that (robots; default:
	// the platform's limit, 20).
	RobotPerMinute int
	// RobotWindowMargin widens that 60-second window to absorb network
	// delay between our clock and the platform's (default 1s).
	RobotWindowMargin time.Duration
	// MaxAttempts is how many times a delivery is tried before a transient
	// error becomes a failure (default 8).
	MaxAttempts int
	// BaseBackoff and MaxBackoff bound the delay before a retry: base·2^(n-1),
	// at most max, with jitter (defaults 10s and 10m).
	BaseBackoff, MaxBackoff time.Duration
	// Workers is the number of concurrent senders per channel (default 4).
	Workers int
	// OAWindow is how long after a follower's last message
	// customer-service messages are allowed (default 48h).
	OAWindow time.Duration
	// SendTimeout bounds one platform call (default 30s).
	SendTimeout time.Duration
	// UncertainUrgent and UncertainNormal are what New does with a
	// delivery found in flight (the process died while sending it) on a
	// channel whose platform does not drop a repeat, for urgent notices
	// and the others: config.UncertainResend sends it again (it may
	// arrive twice), config.UncertainHold keeps it as StateUncertain until
	// Resolve (defaults resend and hold).
	UncertainUrgent, UncertainNormal string
	// OnUncertain is told, once Run runs, of each notice with deliveries
	// found in flight at start-up: how many were held and how many resent
	// by policy (for the audit log). It runs on its own goroutine.
	OnUncertain func(noticeID string, held, resent int)
}

func (o *Options) setDefaults() error {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Wait == nil {
		o.Wait = realWait
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(v *int, d int, name string) error {
		if *v == 0 {
			*v = d
		}
		if *v < 0 {
			return fmt.Errorf("outbox: %s %d is negative", name, *v)
		}
		return nil
	}
	defD := func(v *time.Duration, d time.Duration, name string) error {
		if *v == 0 {
			*v = d
		}
		if *v < 0 {
			return fmt.Errorf("outbox: %s %v is negative", name, *v)
		}
		return nil
	}
	defPolicy := func(v *string, d, name string) error {
		if *v == "" {
			*v = d
		}
		if *v != config.UncertainResend && *v != config.UncertainHold {
			return fmt.Errorf("outbox: %s %q: want %s or %s", name, *v, config.UncertainResend, config.UncertainHold)
		}
		return nil
	}
	d := config.DefaultDelivery()
	return errors.Join(
		def(&o.RobotPerMinute, d.RobotPerMinute, "robot_per_minute"),
		def(&o.MaxAttempts, d.MaxAttempts, "max_attempts"),
		def(&o.Workers, d.Workers, "workers"),
		defD(&o.RobotWindowMargin, time.Second, "robot window margin"),
		defD(&o.BaseBackoff, d.BaseBackoff, "base_backoff"),
		defD(&o.MaxBackoff, d.MaxBackoff, "max_backoff"),
		defD(&o.OAWindow, d.OAWindow, "oa_window"),
		defD(&o.SendTimeout, d.SendTimeout, "send_timeout"),
		defPolicy(&o.UncertainUrgent, d.UncertainUrgent, "uncertain_urgent"),
		defPolicy(&o.UncertainNormal, d.UncertainNormal, "uncertain_normal"),
		func() error {
			if o.MaxBackoff < o.BaseBackoff {
				return fmt.Errorf("outbox: max_backoff %v is below base_backoff %v", o.MaxBackoff, o.BaseBackoff)
			}
			return nil
		}(),
	)
}

// Outbox delivers enqueued notices. Create it with New, start it with Run.
type Outbox struct {
	db    *bolt.DB
	opt   Options
	clock clock.Clock
	log   *slog.Logger

	lanes    map[string]*lane
	adapters channel.Adapters

	mu      sync.Mutex
	running bool
	commits chan commitReq // group commit; set while Run runs

	done doneQueue
}

// New opens the outbox in db, creating its buckets (prefixed "outbox/"),
// and loads the deliveries still to do: those in flight when the process
// last stopped are due again at once.
func New(db *bolt.DB, opts Options) (*Outbox, error) {
	if db == nil {
		return nil, errors.New("outbox: nil database")
	}
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	o := &Outbox{
		db:    db,
		opt:   opts,
		clock: opts.Clock,
		log:   opts.Logger,
		lanes: map[string]*lane{},
	}
	o.done.init()
	o.adapters = channel.Adapters{
		Robot: opts.Robot, WorkApp: opts.WorkApp, OA: opts.OA,
		LastSeen: opts.LastSeen, OAWindow: opts.OAWindow, Now: o.clock.Now,
	}
	for _, ch := range channel.All() {
		l := newLane(ch)
		if ch.PerMinute > 0 {
			l.limit = newLimiter(opts.RobotPerMinute, time.Minute+opts.RobotWindowMargin)
		}
		o.lanes[ch.Name] = l
	}
	if err := o.load(); err != nil {
		return nil, err
	}
	return o, nil
}

// HasChannel reports whether the adapter of channel is configured, that
// is, whether Enqueue accepts targets on it.
func (o *Outbox) HasChannel(channel string) bool { return o.configured(channel) }

// configured reports whether the adapter of channel is set.
func (o *Outbox) configured(name string) bool {
	l := o.lanes[name]
	return l != nil && l.ch.Configured(o.adapters)
}

// workerCount is the number of worker goroutines Run starts.
func (o *Outbox) workerCount() int {
	n := 0
	for ch := range o.lanes {
		if o.configured(ch) {
			n += o.opt.Workers
		}
	}
	return n
}

// validKind reports whether kind is a target kind of a registered channel.
func validKind(name, kind string) bool {
	ch, ok := channel.Get(name)
	if !ok {
		return false
	}
	_, ok = ch.Kind(kind)
	return ok
}

const maxIDLen = channel.MaxIDBytes

func (o *Outbox) validate(job Job) error {
	if job.NoticeID == "" {
		return errors.New("outbox: empty notice ID")
	}
	if len(job.NoticeID) > maxIDLen || strings.ContainsRune(job.NoticeID, 0) {
		return fmt.Errorf("outbox: invalid notice ID %q", job.NoticeID)
	}
	if strings.TrimSpace(job.Title) == "" && strings.TrimSpace(job.Body) == "" {
		return fmt.Errorf("outbox: notice %s: empty title and body", job.NoticeID)
	}
	if len(job.Targets) == 0 {
		return fmt.Errorf("outbox: notice %s: no targets", job.NoticeID)
	}
	for _, t := range job.Targets {
		if !validKind(t.Channel, t.Kind) {
			return fmt.Errorf("outbox: notice %s: target %s: unknown channel or kind", job.NoticeID, t)
		}
		if t.ID == "" || len(t.ID) > maxIDLen || strings.ContainsRune(t.ID, 0) {
			return fmt.Errorf("outbox: notice %s: target %s: invalid ID", job.NoticeID, t)
		}
		if o.lanes[t.Channel].ch.Batched && strings.ContainsAny(t.ID, "| \t\r\n") {
			// WeCom joins recipients with '|': one such ID would make the
			// whole call of up to 1,000 recipients fail.
			return fmt.Errorf("outbox: notice %s: target %s: invalid ID", job.NoticeID, t)
		}
		if !o.configured(t.Channel) {
			return fmt.Errorf("outbox: notice %s: target %s: channel %s is not configured", job.NoticeID, t, t.Channel)
		}
	}
	return nil
}

// Enqueue records one pending delivery per distinct target of job, inside
// the caller's write transaction tx (so that it commits or rolls back with
// the notice's own change), and wakes the workers once tx commits. A notice
// is enqueued once: a second Enqueue returns ErrAlreadyEnqueued.
func (o *Outbox) Enqueue(tx *bolt.Tx, job Job) error {
	if tx == nil || !tx.Writable() {
		return errors.New("outbox: Enqueue needs a writable transaction")
	}
	if tx.DB() != o.db {
		return errors.New("outbox: transaction of another database")
	}
	if err := o.validate(job); err != nil {
		return err
	}
	jobs, dels := tx.Bucket(bucketJobs), tx.Bucket(bucketDeliveries)
	if jobs == nil || dels == nil || tx.Bucket(bucketOpen) == nil {
		return errors.New("outbox: buckets missing (database not opened with outbox.New)")
	}
	if jobs.Get([]byte(job.NoticeID)) != nil {
		return fmt.Errorf("%w: %s", ErrAlreadyEnqueued, job.NoticeID)
	}
	now := o.clock.Now()
	seen := make(map[Target]bool, len(job.Targets))
	entries := make([]*entry, 0, len(job.Targets))
	for _, t := range job.Targets {
		if seen[t] {
			continue
		}
		seen[t] = true
		seq, err := dels.NextSequence()
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		r := record{
			Notice: job.NoticeID, Channel: t.Channel, Kind: t.Kind, ID: t.ID,
			Urgent: job.Urgent, Seq: seq, State: StatePending,
			NextAt: now, Created: now, Updated: now,
		}
		key := deliveryKey(job.NoticeID, t)
		if err := putJSON(dels, key, &r); err != nil {
			return err
		}
		entries = append(entries, r.entry(string(key)))
	}
	jr := jobRecord{
		Title: job.Title, Body: job.Body, Markdown: job.Markdown, Urgent: job.Urgent,
		Total: len(entries), Remaining: len(entries), Enqueued: now,
	}
	if err := putJSON(jobs, []byte(job.NoticeID), &jr); err != nil {
		return err
	}
	if err := tx.Bucket(bucketOpen).Put([]byte(job.NoticeID), nil); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	tx.OnCommit(func() { o.admit(entries) })
	return nil
}

// admit puts entries into the in-memory queues and wakes their workers.
func (o *Outbox) admit(entries []*entry) {
	now := o.clock.Now()
	touched := map[*lane]bool{}
	for _, e := range entries {
		l := o.lanes[e.channel]
		if !touched[l] {
			touched[l] = true
			l.mu.Lock()
		}
		l.push(e, now)
	}
	for l := range touched {
		l.notify()
		l.mu.Unlock()
	}
}

// Report returns the delivery state of a notice, or ErrUnknownNotice.
func (o *Outbox) Report(noticeID string) (Report, error) {
	rep := Report{ByChannel: map[string]ChannelReport{}, Failures: []Failure{}, Held: []Failure{}}
	err := o.db.View(func(tx *bolt.Tx) error {
		var jr jobRecord
		ok, err := getJSON(tx.Bucket(bucketJobs), []byte(noticeID), &jr)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownNotice, noticeID)
		}
		rep.Done = !jr.Completed.IsZero()
		prefix := noticePrefix(noticeID)
		c := tx.Bucket(bucketDeliveries).Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			var r record
			if err := decode(k, v, &r); err != nil {
				return err
			}
			cr := rep.ByChannel[r.Channel]
			cr.Total++
			rep.Total++
			if r.Resent {
				rep.Resent++
			}
			switch r.State {
			case StateUncertain:
				cr.Uncertain++
				rep.Uncertain++
				rep.Held = append(rep.Held, Failure{
					Channel: r.Channel, Kind: r.Kind, ID: r.ID, Reason: ReasonInterrupted, At: r.Updated,
				})
			case StateUnconfirmed:
				cr.Unconfirmed++
				rep.Unconfirmed++
			case StateSent:
				cr.Sent++
				rep.Sent++
			case StateFailed:
				cr.Failed++
				rep.Failed++
				rep.Failures = append(rep.Failures, Failure{
					Channel: r.Channel, Kind: r.Kind, ID: r.ID,
					Code: r.Code, Reason: r.Reason, At: r.Finished,
				})
			case StateUnreachable:
				cr.Unreachable++
				rep.Unreachable++
			default:
				cr.Pending++
				rep.Pending++
			}
			rep.ByChannel[r.Channel] = cr
		}
		return nil
	})
	return rep, err
}

// ConfigOptions returns Options carrying the limits of the delivery
// section of the configuration; the caller adds the adapters, LastSeen,
// Clock, Logger and OnDone.
func ConfigOptions(d config.Delivery) Options {
	return Options{
		RobotPerMinute:  d.RobotPerMinute,
		MaxAttempts:     d.MaxAttempts,
		BaseBackoff:     d.BaseBackoff,
		MaxBackoff:      d.MaxBackoff,
		Workers:         d.Workers,
		OAWindow:        d.OAWindow,
		SendTimeout:     d.SendTimeout,
		UncertainUrgent: d.UncertainUrgent,
		UncertainNormal: d.UncertainNormal,
	}
}

// Purge deletes the notices whose deliveries all ended before cutoff (and
// whose OnDone has returned), with their deliveries, and returns how many
// it deleted. Report then answers ErrUnknownNotice for them.
func (o *Outbox) Purge(cutoff time.Time) (int, error) {
	n := 0
	err := o.db.Update(func(tx *bolt.Tx) error {
		n = 0
		jobs, dels := tx.Bucket(bucketJobs), tx.Bucket(bucketDeliveries)
		var old [][]byte
		if err := jobs.ForEach(func(k, v []byte) error {
			var jr jobRecord
			if err := decode(k, v, &jr); err != nil {
				return err
			}
			if !jr.Completed.IsZero() && jr.Signalled && jr.Completed.Before(cutoff) {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range old {
			prefix := noticePrefix(string(k))
			c := dels.Cursor()
			for dk, _ := c.Seek(prefix); dk != nil && hasPrefix(dk, prefix); dk, _ = c.Seek(prefix) {
				if err := c.Delete(); err != nil {
					return fmt.Errorf("outbox: purge: %w", err)
				}
			}
			if err := jobs.Delete(k); err != nil {
				return fmt.Errorf("outbox: purge: %w", err)
			}
			if err := tx.Bucket(bucketOpen).Delete(k); err != nil {
				return fmt.Errorf("outbox: purge: %w", err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// ErrNothingUncertain is returned (wrapped) by Resolve for a notice without
// uncertain deliveries.
var ErrNothingUncertain = errors.New("outbox: no uncertain deliveries")

// Resolve decides the uncertain deliveries of a notice (interrupted by a
// crash and held by policy): resend sends them again now (marked Resent:
// they may arrive twice); otherwise they end as StateUnconfirmed (they may
// have arrived, and are not sent again). It returns how many it decided,
// ErrUnknownNotice, or ErrNothingUncertain.
func (o *Outbox) Resolve(noticeID string, resend bool) (int, error) {
	var entries []*entry
	var completed bool
	n := 0
	err := o.db.Update(func(tx *bolt.Tx) error {
		entries, completed, n = nil, false, 0
		jobs, dels := tx.Bucket(bucketJobs), tx.Bucket(bucketDeliveries)
		var jr jobRecord
		ok, err := getJSON(jobs, []byte(noticeID), &jr)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownNotice, noticeID)
		}
		now := o.clock.Now()
		type put struct {
			key []byte
			r   record
		}
		var puts []put
		prefix := noticePrefix(noticeID)
		c := dels.Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			var r record
			if err := decode(k, v, &r); err != nil {
				return err
			}
			if r.State != StateUncertain {
				continue
			}
			r.Updated = now
			if resend {
				r.State, r.Resent, r.NextAt = StatePending, true, now
				entries = append(entries, r.entry(string(k)))
			} else {
				r.State, r.Finished = StateUnconfirmed, now
			}
			puts = append(puts, put{append([]byte(nil), k...), r})
		}
		if len(puts) == 0 {
			return fmt.Errorf("%w: %s", ErrNothingUncertain, noticeID)
		}
		for _, p := range puts {
			if err := putJSON(dels, p.key, &p.r); err != nil {
				return err
			}
		}
		if !resend {
			jr.Remaining = max(jr.Remaining-len(puts), 0)
			if jr.Remaining == 0 && jr.Completed.IsZero() {
				jr.Completed, completed = now, true
			}
			if err := putJSON(jobs, []byte(noticeID), &jr); err != nil {
				return err
			}
		}
		n = len(puts)
		tx.OnCommit(func() {
			o.admit(entries)
			if completed {
				o.done.push(noticeID)
			}
		})
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
