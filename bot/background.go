package bot

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/yingpu/govbot/querylog"
	"github.com/yingpu/govbot/subscribe"
)

// BatchLog stores query-log records in one write.
type BatchLog interface {
	AppendAll(rs []querylog.Record) error
}

// BatchSeen stores followers' last-message times in one write.
type BatchSeen interface {
	TouchAll(ts []subscribe.Touch) error
}

// Background writes what does not decide a reply (the query log and the
// followers' last-message times) off the request path, in batches: a reply
// must not wait for a disk sync. Append and Touch never block; when the
// queue is full (the disk far behind) a record is dropped and counted. Run
// drains the queue, and flushes it when its context ends.
type Background struct {
	log     BatchLog
	seen    BatchSeen
	logger  *slog.Logger
	queue   chan bgItem
	dropped atomic.Int64
	done    chan struct{}
}

type bgItem struct {
	rec   *querylog.Record
	touch *subscribe.Touch
}

// backgroundQueue bounds what waits to be written (about a minute of a busy
// account's messages).
const (
	backgroundQueue = 8192
	backgroundBatch = 512
)

// NewBackground returns a Background writing to log and seen.
func NewBackground(log BatchLog, seen BatchSeen, logger *slog.Logger) *Background {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Background{log: log, seen: seen, logger: logger, queue: make(chan bgItem, backgroundQueue), done: make(chan struct{})}
}

// Append queues a query-log record.
func (b *Background) Append(r querylog.Record) error {
	b.put(bgItem{rec: &r})
	return nil
}

// Touch queues a follower's last-message time.
func (b *Background) Touch(openid, platform string, at time.Time) error {
	b.put(bgItem{touch: &subscribe.Touch{OpenID: openid, Platform: platform, At: at}})
	return nil
}

func (b *Background) put(it bgItem) {
	select {
	case b.queue <- it:
	default:
		if n := b.dropped.Add(1); n == 1 || n%1000 == 0 {
			b.logger.Error("bot: background queue full, records dropped", "dropped", n)
		}
	}
}

// Dropped is how many records were dropped because the queue was full.
func (b *Background) Dropped() int64 { return b.dropped.Load() }

// Run writes queued records until ctx is done, then writes what is left.
func (b *Background) Run(ctx context.Context) {
	defer close(b.done)
	for {
		select {
		case it := <-b.queue:
			b.flush(it)
		case <-ctx.Done():
			for {
				select {
				case it := <-b.queue:
					b.flush(it)
				default:
					return
				}
			}
		}
	}
}

// Wait returns when Run has returned.
func (b *Background) Wait() { <-b.done }

// flush writes first and whatever else is queued, up to a batch.
func (b *Background) flush(first bgItem) {
	var recs []querylog.Record
	var touches []subscribe.Touch
	add := func(it bgItem) {
		if it.rec != nil {
			recs = append(recs, *it.rec)
		}
		if it.touch != nil {
			touches = append(touches, *it.touch)
		}
	}
	add(first)
more:
	for n := 1; n < backgroundBatch; n++ {
		select {
		case it := <-b.queue:
			add(it)
		default:
			break more
		}
	}
	if len(touches) > 0 {
		if err := b.seen.TouchAll(touches); err != nil {
			b.logger.Error("bot: recording last-message times", "err", err, "count", len(touches))
		}
	}
	if len(recs) > 0 {
		if err := b.log.AppendAll(recs); err != nil {
			b.logger.Error("bot: query log", "err", err, "count", len(recs))
		}
	}
}
