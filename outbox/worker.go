package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/privacy"
	"github.com/yingpu/govbot/push"
	bolt "go.etcd.io/bbolt"
)

// Run starts the workers and blocks until ctx is done; then it lets the
// sends in flight finish and be recorded, signals the notices completed
// meanwhile, and returns nil. An Outbox runs once at a time.
func (o *Outbox) Run(ctx context.Context) error {
	o.mu.Lock()
	if o.running {
		o.mu.Unlock()
		return errors.New("outbox: already running")
	}
	o.running = true
	commits := make(chan commitReq)
	o.commits = commits
	o.mu.Unlock()

	var committerDone sync.WaitGroup
	committerDone.Go(func() { o.committer(commits) })
	var notifierDone sync.WaitGroup
	stopNotifier := make(chan struct{})
	notifierDone.Go(func() { o.notifier(stopNotifier) })

	var workers sync.WaitGroup
	for ch, l := range o.lanes {
		if !o.configured(ch) {
			continue
		}
		for range o.opt.Workers {
			workers.Go(func() { o.work(ctx, l) })
		}
	}
	<-ctx.Done()
	workers.Wait()
	close(stopNotifier)
	notifierDone.Wait()

	o.mu.Lock()
	o.commits = nil
	o.running = false
	o.mu.Unlock()
	close(commits)
	committerDone.Wait()
	return nil
}

// realWait is the default Options.Wait.
func realWait(ctx context.Context, d time.Duration, wake <-chan struct{}) {
	if d == 0 {
		return
	}
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
	case <-wake:
	case <-timeout:
	}
}

// work is one worker of lane l.
func (o *Outbox) work(ctx context.Context, l *lane) {
	// Sends and their bookkeeping outlive ctx: a delivery begun is
	// finished and recorded before Run returns.
	sendCtx := context.WithoutCancel(ctx)
	for ctx.Err() == nil {
		now := o.clock.Now()
		l.mu.Lock()
		batch, next := l.pick(now)
		changed := l.changed
		l.mu.Unlock()
		if len(batch) == 0 {
			d := time.Duration(-1)
			if !next.IsZero() {
				d = max(next.Sub(now), 0)
			}
			o.opt.Wait(ctx, d, changed)
			continue
		}
		o.deliver(sendCtx, l, batch)
	}
}

// outcome is the result of one attempt at one delivery.
type outcome struct {
	state  State
	code   int
	reason string
	via    string
	next   time.Time // retry time when state is pending
}

// deliver marks batch in flight, calls the platform, records the outcomes
// and requeues the deliveries to retry.
func (o *Outbox) deliver(ctx context.Context, l *lane, batch []*entry) {
	mark, err := o.markInFlight(batch)
	if err != nil {
		o.log.Error("outbox: cannot mark deliveries in flight", "channel", l.channel, "count", len(batch), "err", err)
		o.requeue(l, batch, o.clock.Now().Add(o.opt.BaseBackoff))
		return
	}
	live := batch[:0:0]
	attempts := make([]int, 0, len(batch))
	for i, e := range batch {
		if mark.attempts[i] > 0 {
			live = append(live, e)
			attempts = append(attempts, mark.attempts[i])
		}
	}
	if len(live) == 0 {
		// Already terminal (cannot happen unless the store was edited).
		l.mu.Lock()
		if l.limit != nil {
			l.release(batch[0].id)
		}
		l.notify()
		l.mu.Unlock()
		return
	}
	msg := push.Message{Title: mark.job.Title, Body: mark.job.Body, Markdown: mark.job.Markdown, Key: live[0].notice}
	to := make([]channel.Target, len(live))
	for i, e := range live {
		to[i] = channel.Target{Kind: e.kind, ID: e.id}
	}
	var limitedAt time.Time
	if l.limit != nil {
		// Counted before the call: a send the platform may have taken
		// counts even if we never learn its answer.
		limitedAt = o.clock.Now()
		l.mu.Lock()
		l.limit.record(live[0].id, limitedAt)
		l.mu.Unlock()
	}
	var res []channel.Result
	o.call(ctx, func(ctx context.Context) error {
		res = l.ch.Send(ctx, o.adapters, to, msg)
		return nil
	})
	outs := make([]outcome, len(live))
	for i, e := range live {
		r := res[i]
		switch {
		case r.Unreachable != "":
			outs[i] = outcome{state: StateUnreachable, reason: r.Unreachable}
		case r.Refused != "":
			outs[i] = outcome{state: StateFailed, reason: r.Refused}
		default:
			outs[i] = o.result(r.Err, attempts[i], e.key)
		}
		outs[i].via = r.Via
		if r.Throttled && l.limit != nil {
			// The platform counts more sends than we did (the key is
			// shared with another sender): leave the target alone for a
			// whole window.
			now := o.clock.Now()
			l.mu.Lock()
			for range l.limit.limit {
				l.limit.record(e.id, now)
			}
			l.mu.Unlock()
		}
	}
	o.finish(l, live, outs, limitedAt)
}

// call runs one platform call under SendTimeout.
func (o *Outbox) call(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, o.opt.SendTimeout)
	defer cancel()
	return f(ctx)
}

// result classifies a call's error into an outcome: success, a retry with
// backoff for a transient error (a failure after MaxAttempts), or a
// permanent failure with the platform's code.
func (o *Outbox) result(err error, attempts int, key string) outcome {
	if err == nil {
		return outcome{state: StateSent}
	}
	code, reason, transient := classify(err)
	if !transient {
		return outcome{state: StateFailed, code: code, reason: reason}
	}
	if attempts >= o.opt.MaxAttempts {
		return outcome{state: StateFailed, code: code, reason: fmt.Sprintf("%s (gave up after %d attempts)", reason, attempts)}
	}
	return outcome{state: StatePending, code: code, reason: reason, next: o.clock.Now().Add(o.backoff(key, attempts))}
}

// classify reads a push.Error; any other error (a timeout, a transport
// failure) is transient.
func classify(err error) (code int, reason string, transient bool) {
	var pe *push.Error
	if errors.As(err, &pe) {
		reason = pe.Msg
		if reason == "" {
			reason = pe.Error()
		}
		return pe.Code, reason, pe.Transient
	}
	return 0, err.Error(), true
}

// backoff is the delay before the retry after attempt n: base·2^(n-1)
// capped at MaxBackoff, then "equal jitter" (between half and all of it)
// drawn deterministically from the delivery key and n, so that retries of
// many deliveries spread out without a shared random source.
func (o *Outbox) backoff(key string, n int) time.Duration {
	d := o.opt.BaseBackoff
	for i := 1; i < n && d < o.opt.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.opt.MaxBackoff)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + time.Duration(fnv1a(key, uint64(n))%uint64(half+1))
}

// fnv1a is the 64-bit FNV-1a hash of key, a NUL and the 8 big-endian bytes
// of n, without allocating.
func fnv1a(key string, n uint64) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		h = (h ^ uint64(key[i])) * prime
	}
	h *= prime // the NUL
	for s := 56; s >= 0; s -= 8 {
		h = (h ^ (n >> s & 0xff)) * prime
	}
	return h
}

// requeue puts entries back as due at due (they stay in flight in the
// store, which New treats as due) and frees a robot key.
func (o *Outbox) requeue(l *lane, entries []*entry, due time.Time) {
	now := o.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range entries {
		e.due = due
		l.push(e, now)
	}
	if l.limit != nil && len(entries) > 0 {
		l.release(entries[0].id)
	}
	l.notify()
}

// finish records the outcomes of an attempt, requeues the retries and
// queues OnDone for the notices it completed.
func (o *Outbox) finish(l *lane, batch []*entry, outs []outcome, limitedAt time.Time) {
	var completed []string
	fn := func(tx *bolt.Tx) error {
		completed = completed[:0]
		return o.applyOutcomes(tx, batch, outs, limitedAt, &completed)
	}
	var err error
	for i, pause := range []time.Duration{0, 100 * time.Millisecond, time.Second, 5 * time.Second} {
		if pause > 0 {
			o.opt.Wait(context.Background(), pause, nil)
		}
		if err = o.commit(fn); err == nil {
			break
		}
		o.log.Error("outbox: cannot record delivery outcomes", "channel", l.channel, "count", len(batch), "try", i+1, "err", err)
	}
	now := o.clock.Now()
	l.mu.Lock()
	for i, e := range batch {
		switch {
		case err != nil:
			// The store still says in flight: try again much later (a
			// restart would too).
			e.due = now.Add(o.opt.MaxBackoff)
			l.push(e, now)
		case outs[i].state == StatePending:
			e.due = outs[i].next
			l.push(e, now)
		}
	}
	if l.limit != nil {
		l.release(batch[0].id)
	}
	l.notify()
	l.mu.Unlock()
	if err != nil {
		return
	}
	o.observe(batch, outs)
	for i, e := range batch {
		switch outs[i].state {
		case StateFailed:
			o.log.Warn("outbox: delivery failed", "notice", e.notice, "channel", e.channel, "kind", e.kind,
				"id", logID(e), "code", outs[i].code, "reason", outs[i].reason)
		case StatePending:
			o.log.Debug("outbox: delivery to retry", "notice", e.notice, "channel", e.channel, "kind", e.kind,
				"id", logID(e), "code", outs[i].code, "reason", outs[i].reason, "at", outs[i].next)
		}
	}
	for _, n := range completed {
		o.log.Info("outbox: notice delivered", "notice", n)
		o.done.push(n)
	}
}

// logID is a target ID fit for logs (see privacy.Redact).
func logID(e *entry) string { return privacy.Redact(e.id) }

type inFlightMark struct {
	job      jobRecord
	attempts []int // per entry; 0: not to send (missing or already terminal)
}

// markInFlight commits the batch as in flight, counting the attempt, and
// returns the notice's content.
func (o *Outbox) markInFlight(batch []*entry) (inFlightMark, error) {
	var m inFlightMark
	err := o.commit(func(tx *bolt.Tx) error {
		now := o.clock.Now()
		m = inFlightMark{attempts: make([]int, len(batch))}
		ok, err := getJSON(tx.Bucket(bucketJobs), []byte(batch[0].notice), &m.job)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("outbox: notice %s of a queued delivery is missing", batch[0].notice)
		}
		dels := tx.Bucket(bucketDeliveries)
		type put struct {
			key []byte
			r   record
		}
		puts := make([]put, 0, len(batch))
		for i, e := range batch {
			var r record
			ok, err := getJSON(dels, []byte(e.key), &r)
			if err != nil {
				return err
			}
			if !ok || r.State.terminal() {
				continue
			}
			r.State = StateInFlight
			r.Attempts++
			r.InFlight = now
			r.Updated = now
			r.Batch = batch[0].seq
			m.attempts[i] = r.Attempts
			puts = append(puts, put{[]byte(e.key), r})
		}
		for _, p := range puts {
			if err := putJSON(dels, p.key, &p.r); err != nil {
				return err
			}
		}
		return nil
	})
	return m, err
}

// applyOutcomes writes the outcomes, counts down the notices' remaining
// deliveries and records the send time of a rate-limited target.
func (o *Outbox) applyOutcomes(tx *bolt.Tx, batch []*entry, outs []outcome, limitedAt time.Time, completed *[]string) error {
	now := o.clock.Now()
	dels, jobs := tx.Bucket(bucketDeliveries), tx.Bucket(bucketJobs)
	finished := map[string]int{}
	for i, e := range batch {
		var r record
		ok, err := getJSON(dels, []byte(e.key), &r)
		if err != nil {
			return err
		}
		if !ok || r.State.terminal() {
			continue
		}
		out := outs[i]
		r.State = out.state
		r.Updated = now
		if out.via != "" {
			r.Via = out.via
		}
		if out.state != StateSent {
			r.Code, r.Reason = out.code, out.reason
		}
		if out.state == StatePending {
			r.NextAt = out.next
		} else {
			r.Finished = now
			finished[e.notice]++
		}
		if err := putJSON(dels, []byte(e.key), &r); err != nil {
			return err
		}
	}
	for notice, n := range finished {
		var jr jobRecord
		ok, err := getJSON(jobs, []byte(notice), &jr)
		if err != nil || !ok {
			return errors.Join(err, fmt.Errorf("outbox: notice %s missing", notice))
		}
		jr.Remaining = max(jr.Remaining-n, 0)
		if jr.Remaining == 0 && jr.Completed.IsZero() {
			jr.Completed = now
			*completed = append(*completed, notice)
		}
		if err := putJSON(jobs, []byte(notice), &jr); err != nil {
			return err
		}
	}
	if !limitedAt.IsZero() {
		b := tx.Bucket(bucketTargetSends)
		key := sendsKey(batch[0].channel, batch[0].id)
		var times []time.Time
		if _, err := getJSON(b, key, &times); err != nil {
			return err
		}
		if err := putJSON(b, key, appendSend(times, limitedAt, o.opt.RobotPerMinute)); err != nil {
			return err
		}
	}
	return nil
}

// commitReq is a write for the group committer.
type commitReq struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// commit runs fn in a write transaction shared with the workers' other
// pending writes (one fsync for all), and returns once it is durable.
func (o *Outbox) commit(fn func(*bolt.Tx) error) error {
	o.mu.Lock()
	ch := o.commits
	o.mu.Unlock()
	if ch == nil {
		return o.db.Update(fn)
	}
	req := commitReq{fn: fn, done: make(chan error, 1)}
	ch <- req
	return <-req.done
}

// maxGroupCommit bounds the writes sharing one transaction.
const maxGroupCommit = 256

// committer commits requests in groups: while one transaction commits, the
// next requests gather, and they commit together as soon as it is done.
func (o *Outbox) committer(reqs <-chan commitReq) {
	for r := range reqs {
		group := []commitReq{r}
	gather:
		for len(group) < maxGroupCommit {
			select {
			case r, ok := <-reqs:
				if !ok {
					break gather
				}
				group = append(group, r)
			default:
				break gather
			}
		}
		err := o.db.Update(func(tx *bolt.Tx) error {
			for _, r := range group {
				if err := r.fn(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil || len(group) == 1 {
			for _, r := range group {
				r.done <- err
			}
			continue
		}
		// One write failed and rolled the group back: commit each alone
		// so that the others do not share its fate.
		for _, r := range group {
			r.done <- o.db.Update(r.fn)
		}
	}
}

// doneQueue holds the notices whose OnDone is due, and the interrupted
// deliveries to tell OnUncertain of.
type doneQueue struct {
	mu        sync.Mutex
	notices   []string
	uncertain []uncertainCount
	signal    chan struct{} // capacity 1
}

// uncertainCount is what OnUncertain is told of one notice.
type uncertainCount struct {
	notice       string
	held, resent int
}

func (q *doneQueue) pushUncertain(u uncertainCount) {
	q.mu.Lock()
	q.uncertain = append(q.uncertain, u)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *doneQueue) takeUncertain() []uncertainCount {
	q.mu.Lock()
	defer q.mu.Unlock()
	u := q.uncertain
	q.uncertain = nil
	return u
}

func (q *doneQueue) init() { q.signal = make(chan struct{}, 1) }

func (q *doneQueue) push(notice string) {
	q.mu.Lock()
	q.notices = append(q.notices, notice)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *doneQueue) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.notices
	q.notices = nil
	return n
}

// notifier calls OnDone for completed notices and records that it did;
// at stop it signals those still queued, then returns.
func (o *Outbox) notifier(stop <-chan struct{}) {
	for {
		for _, u := range o.done.takeUncertain() {
			if o.opt.OnUncertain != nil {
				o.opt.OnUncertain(u.notice, u.held, u.resent)
			}
		}
		for _, n := range o.done.take() {
			o.signal(n)
		}
		select {
		case <-o.done.signal:
		case <-stop:
			for _, n := range o.done.take() {
				o.signal(n)
			}
			return
		}
	}
}

func (o *Outbox) signal(notice string) {
	if o.opt.OnDone != nil {
		ok := func() (ok bool) {
			defer func() {
				if p := recover(); p != nil {
					o.log.Error("outbox: OnDone panicked; it is called again on the next start", "notice", notice, "panic", p)
				}
			}()
			o.opt.OnDone(notice)
			return true
		}()
		if !ok {
			return
		}
	}
	err := o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		var jr jobRecord
		ok, err := getJSON(b, []byte(notice), &jr)
		if err != nil || !ok {
			return err
		}
		jr.Signalled = true
		if err := tx.Bucket(bucketOpen).Delete([]byte(notice)); err != nil {
			return err
		}
		return putJSON(b, []byte(notice), &jr)
	})
	if err != nil {
		o.log.Error("outbox: cannot record that OnDone was called; it is called again on the next start", "notice", notice, "err", err)
	}
}
