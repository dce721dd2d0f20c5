package outbox

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/privacy"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"
)

// Buckets, all under the "outbox/" prefix.
var (
	// bucketJobs: notice ID -> jobRecord.
	bucketJobs = []byte("outbox/jobs")
	// bucketDeliveries: notice \0 channel \0 kind \0 id -> record.
	bucketDeliveries = []byte("outbox/deliveries")
	// bucketRobotSends (schema versions 1 and 2): robot key -> the times
	// of its last sends. Version 3 moves them to bucketTargetSends.
	bucketRobotSends = []byte("outbox/robot_sends")
	// bucketTargetSends: channel NUL target ID -> the times of its last
	// sends on a rate-limited channel, so that the per-minute limit holds
	// across restarts.
	bucketTargetSends = []byte("outbox/target_sends")
	// bucketOpen: notice ID -> "" for every notice not yet done (some
	// delivery not terminal, or OnDone not yet returned), so that start-up
	// reads those notices' deliveries only, not every delivery kept.
	bucketOpen = []byte("outbox/open")
)

// Schema is the outbox's bucket family: its migrations, in order.
func Schema() store.Family {
	return store.Family{Name: "outbox", Migrations: []store.Migration{
		store.CreateBuckets(bucketJobs, bucketDeliveries, bucketRobotSends),
		{Name: "index the notices not yet done", Up: indexOpen},
		{Name: "keep the send times of every rate-limited channel", Up: moveRobotSends},
	}}
}

// moveRobotSends moves bucketRobotSends into bucketTargetSends under the
// robot channel's name.
func moveRobotSends(tx *bolt.Tx) error {
	to, err := tx.CreateBucketIfNotExists(bucketTargetSends)
	if err != nil {
		return err
	}
	from := tx.Bucket(bucketRobotSends)
	if from == nil {
		return nil
	}
	if err := from.ForEach(func(k, v []byte) error {
		return to.Put(sendsKey(channel.Robot, string(k)), v)
	}); err != nil {
		return err
	}
	return tx.DeleteBucket(bucketRobotSends)
}

// sendsKey is the key of bucketTargetSends.
func sendsKey(ch, id string) []byte {
	return append(append([]byte(ch), 0), id...)
}

// indexOpen creates bucketOpen and lists in it every notice not done.
func indexOpen(tx *bolt.Tx) error {
	open, err := tx.CreateBucketIfNotExists(bucketOpen)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
		var jr jobRecord
		if err := decode(k, v, &jr); err != nil {
			return err
		}
		if jr.Completed.IsZero() || !jr.Signalled {
			return open.Put(k, nil)
		}
		return nil
	})
}

// State of a delivery.
type State string

// Delivery states. Sent, failed, unreachable and unconfirmed are terminal.
const (
	StatePending     State = "pending"
	StateInFlight    State = "in_flight"
	StateSent        State = "sent"
	StateFailed      State = "failed"
	StateUnreachable State = "unreachable"
	// StateUncertain: the process died while sending it, on a channel
	// whose platform does not drop a repeat, and the policy is to hold:
	// it may have arrived. It waits for Resolve.
	StateUncertain State = "uncertain"
	// StateUnconfirmed: uncertain, and staff chose not to send it again.
	StateUnconfirmed State = "unconfirmed"
)

func (s State) terminal() bool {
	return s == StateSent || s == StateFailed || s == StateUnreachable || s == StateUnconfirmed
}

// record is one delivery as stored.
type record struct {
	Notice   string    `json:"notice"`
	Channel  string    `json:"channel"`
	Kind     string    `json:"kind"`
	ID       string    `json:"id"`
	Urgent   bool      `json:"urgent,omitempty"`
	Seq      uint64    `json:"seq"`
	State    State     `json:"state"`
	Attempts int       `json:"attempts"`
	NextAt   time.Time `json:"next_at"`
	// Code and Reason are the last error (kept on a later success).
	Code   int    `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Via is how an Official Account follower was reached: "custom" or
	// "template".
	Via      string    `json:"via,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	InFlight time.Time `json:"in_flight_since"`
	Finished time.Time `json:"finished"`
	// Batch identifies the call the delivery was last put in flight with
	// (the sequence of its first delivery), so that a call interrupted by
	// a crash can be repeated exactly, for the platform's duplicate check.
	Batch uint64 `json:"batch,omitempty"`
	// Interrupted counts the times the process died while sending it;
	// Resent is set when it was sent again after such a crash (by policy
	// or by Resolve), so that it may have arrived twice.
	Interrupted int  `json:"interrupted,omitempty"`
	Resent      bool `json:"resent,omitempty"`
}

func (r *record) entry(key string) *entry {
	return &entry{
		key: key, notice: r.Notice, channel: r.Channel, kind: r.Kind, id: r.ID,
		urgent: r.Urgent, seq: r.Seq, due: r.NextAt,
	}
}

// jobRecord is a notice's content and progress.
type jobRecord struct {
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Markdown bool      `json:"markdown,omitempty"`
	Urgent   bool      `json:"urgent,omitempty"`
	Total    int       `json:"total"`
	Enqueued time.Time `json:"enqueued"`
	// Remaining counts deliveries not yet terminal; Completed is set when
	// it reaches 0, Signalled once OnDone has returned.
	Remaining int       `json:"remaining"`
	Completed time.Time `json:"completed"`
	Signalled bool      `json:"signalled,omitempty"`
}

func noticePrefix(notice string) []byte {
	return append([]byte(notice), 0)
}

func deliveryKey(notice string, t Target) []byte {
	k := make([]byte, 0, len(notice)+len(t.Channel)+len(t.Kind)+len(t.ID)+3)
	k = append(k, notice...)
	k = append(k, 0)
	k = append(k, t.Channel...)
	k = append(k, 0)
	k = append(k, t.Kind...)
	k = append(k, 0)
	return append(k, t.ID...)
}

// logKey is a store key fit for errors: a delivery key
// (notice NUL channel NUL kind NUL id) with its ID redacted.
func logKey(k []byte) string {
	f := bytes.SplitN(k, []byte{0}, 4)
	if len(f) == 4 {
		return fmt.Sprintf("%q", string(f[0])+"/"+string(f[1])+"/"+string(f[2])+"/"+privacy.Redact(string(f[3])))
	}
	return fmt.Sprintf("%q", k)
}

func hasPrefix(k, prefix []byte) bool { return bytes.HasPrefix(k, prefix) }

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("outbox: encode %s: %w", logKey(key), err)
	}
	if err := b.Put(key, data); err != nil {
		return fmt.Errorf("outbox: put %s: %w", logKey(key), err)
	}
	return nil
}

func decode(key, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("outbox: decode %s: %w", logKey(key), err)
	}
	return nil
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	if b == nil {
		return false, fmt.Errorf("outbox: buckets missing")
	}
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	return true, decode(key, data, v)
}

// load migrates the buckets and queues every delivery of the open notices
// not yet terminal. Notices completed but not signalled are queued for
// OnDone.
//
// A delivery found in flight was being sent when the process died: it may
// or may not have arrived. On a channel whose platform drops a repeat
// (WeCom app messages with the duplicate check) and within that check's
// interval, its call is repeated exactly, first. Otherwise the policy for
// its notice (UncertainUrgent or UncertainNormal) applies: resend (due
// now, marked Resent) or hold (StateUncertain, until Resolve). Either
// way an interrupted send on a rate-limited channel counts against its
// target's limit as if made now.
func (o *Outbox) load() error {
	now := o.clock.Now()
	var entries []*entry
	var inflight, unconfigured int
	var uncertain map[string]*uncertainCount
	replays := map[*lane]map[string][]*entry{} // by notice NUL batch
	if err := store.Migrate(o.db, Schema()); err != nil {
		return err
	}
	type write struct {
		key []byte
		r   record
	}
	var writes []write // applied after the cursors are done
	resume := func(k, v []byte) error {
		var r record
		if err := decode(k, v, &r); err != nil {
			return err
		}
		if r.State.terminal() || r.State == StateUncertain {
			return nil
		}
		l := o.lanes[r.Channel]
		if l == nil {
			return fmt.Errorf("outbox: delivery %s on unknown channel %q", logKey(k), r.Channel)
		}
		if !o.configured(r.Channel) {
			unconfigured++
		}
		e := r.entry(string(k))
		if r.State != StateInFlight {
			entries = append(entries, e)
			return nil
		}
		inflight++
		e.due = now
		if l.limit != nil {
			l.limit.record(r.ID, now)
		}
		if dc := l.ch.DuplicateCheck(o.adapters); dc > 0 && !r.InFlight.IsZero() && now.Sub(r.InFlight) < dc {
			// The platform drops the repeat: make the same call again.
			id := r.Notice + "\x00" + strconv.FormatUint(r.Batch, 10)
			if replays[l] == nil {
				replays[l] = map[string][]*entry{}
			}
			replays[l][id] = append(replays[l][id], e)
			return nil
		}
		policy := o.opt.UncertainNormal
		if r.Urgent {
			policy = o.opt.UncertainUrgent
		}
		r.Interrupted++
		r.Updated = now
		n := uncertain[r.Notice]
		if n == nil {
			n = &uncertainCount{notice: r.Notice}
			uncertain[r.Notice] = n
		}
		if policy == config.UncertainResend {
			r.State, r.Resent, r.NextAt = StatePending, true, now
			n.resent++
			entries = append(entries, e)
		} else {
			r.State = StateUncertain
			n.held++
		}
		writes = append(writes, write{append([]byte(nil), k...), r})
		return nil
	}
	err := o.db.Update(func(tx *bolt.Tx) error {
		entries, inflight, unconfigured = nil, 0, 0
		uncertain = map[string]*uncertainCount{}
		clear(replays)
		writes = writes[:0]
		for _, l := range o.lanes {
			if l.limit != nil {
				l.limit.reset()
			}
		}
		if err := tx.Bucket(bucketTargetSends).ForEach(func(k, v []byte) error {
			ch, id, ok := bytes.Cut(k, []byte{0})
			l := o.lanes[string(ch)]
			if !ok || l == nil || l.limit == nil {
				return nil // a channel no longer rate-limited
			}
			var times []time.Time
			if err := decode(k, v, &times); err != nil {
				return err
			}
			for _, t := range times {
				l.limit.record(string(id), t)
			}
			return nil
		}); err != nil {
			return err
		}
		dels, jobs := tx.Bucket(bucketDeliveries), tx.Bucket(bucketJobs)
		if err := tx.Bucket(bucketOpen).ForEach(func(notice, _ []byte) error {
			var jr jobRecord
			if ok, err := getJSON(jobs, notice, &jr); err != nil || !ok {
				return errors.Join(err, fmt.Errorf("outbox: open notice %s missing", notice))
			}
			if !jr.Completed.IsZero() {
				if !jr.Signalled {
					o.done.push(string(notice))
				}
				return nil
			}
			prefix := noticePrefix(string(notice))
			c := dels.Cursor()
			for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
				if err := resume(k, v); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		for _, w := range writes {
			if err := putJSON(dels, w.key, &w.r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	o.admit(entries)
	for l, byBatch := range replays {
		l.mu.Lock()
		for _, batch := range byBatch {
			slices.SortFunc(batch, func(a, b *entry) int { return cmp.Compare(a.seq, b.seq) })
			l.replay = append(l.replay, batch)
		}
		slices.SortFunc(l.replay, func(a, b []*entry) int { return cmp.Compare(a[0].seq, b[0].seq) })
		l.notify()
		l.mu.Unlock()
	}
	if len(entries) > 0 || inflight > 0 {
		o.log.Info("outbox: deliveries to resume", "pending", len(entries), "interrupted", inflight)
	}
	for _, n := range uncertain {
		o.log.Warn("outbox: deliveries interrupted by a stop may have arrived", "notice", n.notice,
			"held", n.held, "resent", n.resent)
		o.done.pushUncertain(*n)
	}
	if unconfigured > 0 {
		o.log.Warn("outbox: deliveries wait for a channel that is not configured", "count", unconfigured)
	}
	return nil
}
