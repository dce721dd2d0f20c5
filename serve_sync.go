package main

import (
	"context"
	"fmt"
	"time"

	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/importstore"
	"github.com/yingpu/govbot/ingest"
	"github.com/yingpu/govbot/sitesync"
)

// startSourceSync opens the import service on the server's database and
// index when a source has a site to sync, and runs the sync of every
// source that has a schedule in the background; each sync that changes
// something rebuilds the served index. Admins can also sync a source at
// once: POST /api/sources/{name}/sync.
func startSourceSync(ctx context.Context, d *serveDeps) error {
	synced := false
	for _, s := range d.cfg.Sources {
		synced = synced || s.Synced()
	}
	if !synced {
		return nil
	}
	st, err := importstore.New(d.db, importedDir(d.cfg), d.clock)
	if err != nil {
		return err
	}
	logger := d.logger.With("component", "sync")
	svc := &ingest.Service{
		Store:   st,
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
	if d.audit != nil {
		svc.Audit = d.audit
	}
	d.sync = svc
	for _, s := range d.cfg.Sources {
		if s.Schedule == "" {
			continue
		}
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

// serveSyncer runs POST /api/sources/{name}/sync.
type serveSyncer struct{ d *serveDeps }

func (s serveSyncer) Sync(ctx context.Context, source, actor string, dry bool) (adminapi.SyncReport, error) {
	if s.d.sync == nil {
		return adminapi.SyncReport{}, fmt.Errorf("%w: no source has a site to sync", adminapi.ErrUnknownSource)
	}
	src, ok := s.d.cfg.FindSource(source)
	if !ok || !src.Synced() {
		return adminapi.SyncReport{}, fmt.Errorf("%w %q", adminapi.ErrUnknownSource, source)
	}
	rep, err := s.d.sync.Sync(ctx, ingest.Options{Source: source, Actor: actor, DryRun: dry})
	if err != nil {
		return adminapi.SyncReport{}, err
	}
	return syncReport(rep), nil
}

// syncReport is the API's form of a report.
func syncReport(rep *ingest.Report) adminapi.SyncReport {
	out := adminapi.SyncReport{
		Source: rep.Source, DryRun: rep.DryRun, Failed: []adminapi.SyncFailure{},
		Missing: nonNil(rep.Missing), Notes: nonNil(rep.Notes), Blocked: nonNil(rep.Blocked),
		Drafts: rep.Drafts, Reindexed: rep.Reindexed, ReindexErr: rep.ReindexErr,
		Summary: rep.Summary(), Requests: rep.Requests,
	}
	changes := func(cs []importstore.Change) []adminapi.SyncChange {
		out := []adminapi.SyncChange{}
		for _, c := range cs {
			out = append(out, adminapi.SyncChange{ID: c.ID, Title: c.Title, URL: c.Key})
		}
		return out
	}
	res := rep.Result
	if res == nil {
		res = &importstore.Result{}
	}
	out.New, out.Changed, out.Withdrawn = changes(res.New), changes(res.Changed), changes(res.Withdrawn)
	out.Restored, out.Approved, out.Unchanged = changes(res.Restored), changes(res.Approved), res.Unchanged
	for _, f := range rep.Failures {
		out.Failed = append(out.Failed, adminapi.SyncFailure{URL: f.Key, Reason: f.Reason})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
