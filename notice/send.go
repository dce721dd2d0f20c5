package notice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/channel"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/outbox"
	bolt "go.etcd.io/bbolt"
)

// errSkip aborts a transaction that finds nothing to do.
var errSkip = errors.New("notice: nothing to do")

// Run hands approved notices to the outbox when they are due and publishes
// sent public notices, until ctx is done. It looks every Options.Interval,
// and at once after an approval.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
		s.Tick(ctx)
		t.Reset(s.opts.Interval)
	}
}

// Tick does one pass of Run: every approved notice whose send time (and
// retry time, after a failure) has come is handed to the outbox, and every
// sent public notice not yet published is published.
func (s *Service) Tick(ctx context.Context) {
	for _, id := range s.ids(bucketDue) {
		if ctx.Err() != nil {
			return
		}
		s.send(ctx, id)
	}
	for _, id := range s.ids(bucketPublish) {
		s.publish(id)
	}
}

func (s *Service) ids(bucket []byte) []string {
	var ids []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				ids = append(ids, fmt.Sprint(beUint(k)))
			}
			return nil
		})
	})
	if err != nil {
		s.log.Error("notice: list due notices", "err", err)
	}
	return ids
}

func beUint(k []byte) uint64 {
	var n uint64
	for _, b := range k {
		n = n<<8 | uint64(b)
	}
	return n
}

// send hands approved notice id to the outbox, addressed to the union of
// its audiences' targets, if it is due. On failure the notice stays
// approved and is tried again after a backoff.
func (s *Service) send(ctx context.Context, id string) {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	now := s.now()
	n, err := s.Get(id)
	if err != nil {
		s.log.Error("notice: load for sending", "notice", id, "err", err)
		return
	}
	if n.Status != StatusApproved || n.SendAt.After(now) || n.NextAttempt.After(now) {
		return
	}
	targets, err := s.expand(ctx, n.Audiences)
	if err != nil {
		s.sendFailed(id, now, err)
		return
	}
	var sent Notice
	err = s.db.Update(func(tx *bolt.Tx) error {
		cur, k, err := load(tx, id)
		if err != nil {
			return err
		}
		if cur.Status != StatusApproved {
			return errSkip // cancelled meanwhile
		}
		cur.SentAt, cur.Recipients = now, len(targets)
		cur.LastError, cur.NextAttempt = "", time.Time{}
		if len(targets) == 0 {
			cur.Status, cur.DoneAt = StatusDone, now
			cur.record(ActionSend, SystemActor, now, "受众目前没有任何接收对象，未发送")
			cur.record(ActionDone, SystemActor, now, "")
		} else {
			err := s.opts.Outbox.Enqueue(tx, outbox.Job{
				NoticeID: cur.ID, Urgent: cur.Urgent,
				Title: cur.Title, Body: cur.Body, Markdown: cur.Markdown,
				Targets: targets,
			})
			if err != nil {
				return err
			}
			cur.Status = StatusSending
			cur.record(ActionSend, SystemActor, now, fmt.Sprintf("已交付发送，共 %d 个接收对象", len(targets)))
		}
		if err := tx.Bucket(bucketDue).Delete(k); err != nil {
			return err
		}
		if cur.Public {
			if err := tx.Bucket(bucketPublish).Put(k, []byte{}); err != nil {
				return err
			}
		}
		sent = cur
		return save(tx, k, &cur)
	})
	switch {
	case errors.Is(err, errSkip):
		return
	case err != nil:
		s.sendFailed(id, now, err)
		return
	}
	s.audit(ActionSend, id, audit.ResultOK, fmt.Sprintf("%d recipients", len(targets)))
	if sent.Status == StatusDone {
		s.audit(ActionDone, id, audit.ResultOK, "no recipients")
	}
	if sent.Public {
		s.publish(id)
	}
}

// sendFailed records a failed hand-over and when to try again.
func (s *Service) sendFailed(id string, now time.Time, cause error) {
	s.log.Warn("notice: send failed", "notice", id, "err", cause)
	msg := cause.Error()
	_, err := s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		if n.Status != StatusApproved {
			return errSkip
		}
		n.SendAttempts++
		if n.LastError != msg {
			n.record(ActionSendFailed, SystemActor, now, msg)
		}
		n.LastError = msg
		n.NextAttempt = now.Add(s.backoff(n.SendAttempts))
		return nil
	})
	if err != nil && !errors.Is(err, errSkip) {
		s.log.Error("notice: record send failure", "notice", id, "err", err)
	}
	s.audit(ActionSendFailed, id, audit.ResultError, msg)
}

func (s *Service) backoff(attempts int) time.Duration {
	d := s.opts.RetryMin
	for i := 1; i < attempts && d < s.opts.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.opts.RetryMax)
}

// expand turns audiences into delivery targets, each target once however
// many of the audiences name it.
func (s *Service) expand(ctx context.Context, names []string) ([]outbox.Target, error) {
	seen := map[outbox.Target]bool{}
	out := []outbox.Target{}
	add := func(channel, kind string, ids ...string) {
		for _, id := range ids {
			t := outbox.Target{Channel: channel, Kind: kind, ID: id}
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	for _, name := range names {
		a, ok := s.audience(name)
		if !ok {
			return nil, fmt.Errorf("受众“%s”已不在配置中", name)
		}
		if why := s.unavailable(a); why != "" {
			return nil, errors.New(why)
		}
		for _, f := range channel.Fields() {
			add(f.Channel.Name, f.Kind.Name, a.IDs(f.Kind.Field)...)
		}
		if a.Followers && s.opts.Subscribers != nil {
			ids, err := s.opts.Subscribers.Subscribers(a.Name)
			if err != nil {
				return nil, fmt.Errorf("受众“%s”的订阅者读取失败：%w", a.Name, err)
			}
			add(outbox.ChannelOA, outbox.KindFollower, ids...)
		}
		for _, tag := range a.OATags {
			ids, err := s.tags.TagFollowers(ctx, tag)
			if err != nil {
				return nil, fmt.Errorf("受众“%s”的公众号标签 %d 读取失败：%w", a.Name, tag, err)
			}
			add(outbox.ChannelOA, outbox.KindFollower, ids...)
		}
	}
	return out, nil
}

// MarkDone marks a sending notice done; the outbox calls it when every
// delivery is terminal. Calling it again, or for another status, does
// nothing.
func (s *Service) MarkDone(id string) {
	now := s.now()
	note := ""
	if r, err := s.opts.Outbox.Report(id); err == nil {
		note = fmt.Sprintf("送达 %d，失败 %d，无法送达 %d（共 %d）", r.Sent, r.Failed, r.Unreachable, r.Total)
	}
	_, err := s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		if n.Status != StatusSending {
			return errSkip
		}
		n.Status, n.DoneAt = StatusDone, now
		n.record(ActionDone, SystemActor, now, note)
		return nil
	})
	switch {
	case errors.Is(err, errSkip):
	case err != nil:
		s.log.Error("notice: mark done", "notice", id, "err", err)
	default:
		s.audit(ActionDone, id, audit.ResultOK, note)
	}
}

// publish hands a sent public notice to OnPublic, once.
func (s *Service) publish(id string) {
	if s.opts.OnPublic == nil {
		return
	}
	n, err := s.Get(id)
	if err != nil {
		s.log.Error("notice: load for publishing", "notice", id, "err", err)
		return
	}
	now := s.now()
	if n.Published || !n.Public {
		s.unpublishable(id)
		return
	}
	if err := s.opts.OnPublic(s.Disclosure(n)); err != nil {
		s.log.Warn("notice: publish failed", "notice", id, "err", err)
		_, uerr := s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
			if len(n.History) > 0 && n.History[len(n.History)-1].Action == ActionPublishFailed {
				return errSkip // recorded once until it succeeds
			}
			n.record(ActionPublishFailed, SystemActor, now, err.Error())
			return nil
		})
		if uerr == nil {
			s.audit(ActionPublishFailed, id, audit.ResultError, err.Error())
		}
		return
	}
	_, err = s.update(id, func(tx *bolt.Tx, k []byte, n *Notice) error {
		n.Published = true
		n.record(ActionPublish, SystemActor, now, "已作为政务公开信息发布，可被检索")
		return tx.Bucket(bucketPublish).Delete(k)
	})
	if err != nil {
		s.log.Error("notice: record publish", "notice", id, "err", err)
		return
	}
	s.audit(ActionPublish, id, audit.ResultOK, "notice-"+id)
}

func (s *Service) unpublishable(id string) {
	k, ok := idKey(id)
	if !ok {
		return
	}
	_ = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketPublish).Delete(k) })
}

// Disclosure is the disclosure a public notice is published as: id
// "notice-<id>", published on its send date, expiring on its expiry date,
// reviewed by its approver.
func (s *Service) Disclosure(n Notice) content.Disclosure {
	dept := ""
	if s.opts.Department != nil {
		dept = s.opts.Department(n.Author)
	}
	if dept == "" {
		dept = n.Author
	}
	// Categories follow the disclosure import's codes: urgent notices are
	// warnings, presented as ended once they expire.
	category := "notice"
	if n.Urgent {
		category = "emergency"
	}
	d := content.Disclosure{
		ID:         "notice-" + n.ID,
		Title:      n.Title,
		Category:   category,
		Department: dept,
		Published:  content.NewDate(n.SentAt),
		Effective:  content.NewDate(n.SentAt),
		Expires:    n.Expires,
		Review: content.Review{
			Status:   "approved",
			Reviewer: n.Reviewer,
			Date:     content.NewDate(n.ReviewedAt),
		},
		Body: n.Body,
	}
	if s.opts.URL != nil {
		d.URL = s.opts.URL(n)
	}
	return d
}
