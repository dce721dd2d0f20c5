package main

import (
	"context"
	"fmt"
	"time"

	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/importstore"
	"github.com/yingpu/govbot/ingest"
	"github.com/yingpu/govbot/sitesync"
)

// startSourceSync runs the sync of every source that has a schedule, in
// the background, on the server's database and index; each sync that
// changes something rebuilds the served index.
func startSourceSync(ctx context.Context, d *serveDeps) error {
	var scheduled []config.Source
	for _, s := range d.cfg.Sources {
		if s.Schedule != "" {
			scheduled = append(scheduled, s)
		}
	}
	if len(scheduled) == 0 {
		return nil
	}
	st, err := importstore.New(d.db, importedDir(d.cfg), d.clock)
	if err != nil {
		return err
	}
	logger := d.logger.With("component", "sync")
	svc := &ingest.Service{
		Store:   st,
		Audit:   d.audit,
		Crawler: sitesync.New(sitesync.Options{Clock: d.clock, Logger: logger}),
		Clock:   d.clock,
		Sources: d.cfg.Sources,
		Reindex: func(ctx context.Context) (string, error) {
			rep, err := d.index.Rebuild(ctx)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("indexed %d disclosures into %s in %s", rep.Indexed, rep.Generation, rep.Took.Round(time.Millisecond)), nil
		},
	}
	if d.audit == nil {
		svc.Audit = nil
	}
	for _, s := range scheduled {
		sched, err := config.ParseSchedule(s.Schedule)
		if err != nil {
			return fmt.Errorf("sources[%s]: %w", s.Name, err)
		}
		name := s.Name
		d.goBackground(func() { svc.Schedule(ctx, name, sched, logger, nil) })
		logger.Info("sync scheduled", "source", name, "schedule", s.Schedule)
	}
	return nil
}
