package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
)

// Schedule runs the sync of source on its schedule until ctx is done: at
// each due time (sched.Next of the clock's now, Asia/Shanghai) it syncs and
// logs the summary. A sync that fails is logged and tried again at the
// next due time. after waits (nil: time.After; tests pass a fake); run
// runs one sync (nil: Sync as actor "system").
func (s *Service) Schedule(ctx context.Context, source string, sched config.Schedule, logger *slog.Logger,
	after func(time.Duration) <-chan time.Time, run func(ctx context.Context) (*Report, error)) {
	if after == nil {
		after = time.After
	}
	if run == nil {
		run = func(ctx context.Context) (*Report, error) {
			return s.Sync(ctx, Options{Source: source, Actor: "system"})
		}
	}
	for {
		now := s.clock().Now()
		next := sched.Next(now, clock.Shanghai)
		if next.IsZero() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-after(next.Sub(now)):
		}
		rep, err := run(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Error("sync failed", "source", source, "err", err)
		default:
			attrs := []any{"source", source, "summary", rep.Summary(), "requests", rep.Requests}
			if rep.ReindexErr != "" {
				attrs = append(attrs, "reindex_err", rep.ReindexErr)
			}
			if len(rep.Failures) > 0 || rep.ReindexErr != "" {
				logger.Warn("sync done with failures", attrs...)
			} else {
				logger.Info("sync done", attrs...)
			}
		}
	}
}
