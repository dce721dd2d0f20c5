package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/importstore"
	"github.com/yingpu/govbot/indexjobs"
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
		Store:     st,
		Crawler:   sitesync.New(sitesync.Options{Clock: d.clock, Logger: logger}),
		Clock:     d.clock,
		Sources:   d.cfg.Sources,
		Reindex:   func(ctx context.Context) (string, error) { return syncReindex(ctx, d) },
		Withdrawn: func(ctx context.Context, cs []importstore.Change) error { return endWithdrawn(d, cs) },
		Changed:   func(ctx context.Context, ds []content.Disclosure) error { return reviewChanged(d, ds) },
	}
	if d.audit != nil {
		svc.Audit = d.audit
	}
	d.sync = &syncJobs{d: d, svc: svc, ctx: ctx, status: map[string]adminapi.SyncStatus{}}
	for _, s := range d.cfg.Sources {
		if s.Schedule == "" {
			continue
		}
		sched, err := config.ParseSchedule(s.Schedule)
		if err != nil {
			return fmt.Errorf("sources[%s]: %w", s.Name, err)
		}
		name := s.Name
		d.goBackground(func() {
			svc.Schedule(ctx, name, sched, logger, nil, func(ctx context.Context) (*ingest.Report, error) {
				return d.sync.run(ctx, name, "system", false)
			})
		})
		logger.Info("sync scheduled", "source", name, "schedule", s.Schedule)
	}
	return nil
}

// syncJobs runs the syncs of serve (scheduled, or started through the
// admin API) and keeps each source's last status.
type syncJobs struct {
	d   *serveDeps
	svc *ingest.Service
	ctx context.Context // the server's lifetime

	mu     sync.Mutex
	status map[string]adminapi.SyncStatus
}

// serveSyncer is the admin API's Syncer: d.sync, or none configured.
type serveSyncer struct{ d *serveDeps }

func (s serveSyncer) Start(source, actor string, dry bool) (adminapi.SyncStatus, error) {
	if s.d.sync == nil {
		return adminapi.SyncStatus{}, fmt.Errorf("%w: no source has a site to sync", adminapi.ErrUnknownSource)
	}
	return s.d.sync.Start(source, actor, dry)
}

func (s serveSyncer) Status(source string) (adminapi.SyncStatus, error) {
	if s.d.sync == nil {
		return adminapi.SyncStatus{}, fmt.Errorf("%w: no source has a site to sync", adminapi.ErrUnknownSource)
	}
	return s.d.sync.Status(source)
}

func (j *syncJobs) known(source string) error {
	if src, ok := j.d.cfg.FindSource(source); !ok || !src.Synced() {
		return fmt.Errorf("%w %q", adminapi.ErrUnknownSource, source)
	}
	return nil
}

// Start runs a sync of source in the background.
func (j *syncJobs) Start(source, actor string, dry bool) (adminapi.SyncStatus, error) {
	if err := j.known(source); err != nil {
		return adminapi.SyncStatus{}, err
	}
	j.mu.Lock()
	if j.status[source].State == adminapi.SyncRunning {
		j.mu.Unlock()
		return adminapi.SyncStatus{}, adminapi.ErrSyncRunning
	}
	st := j.begin(source, actor, dry)
	j.mu.Unlock()
	j.d.goBackground(func() { _, _ = j.finish(j.ctx, source, actor, dry) })
	return st, nil
}

// run syncs source now, as the schedule does.
func (j *syncJobs) run(ctx context.Context, source, actor string, dry bool) (*ingest.Report, error) {
	j.mu.Lock()
	if j.status[source].State == adminapi.SyncRunning {
		j.mu.Unlock()
		return nil, adminapi.ErrSyncRunning
	}
	j.begin(source, actor, dry)
	j.mu.Unlock()
	return j.finish(ctx, source, actor, dry)
}

// begin marks source running; j.mu is held.
func (j *syncJobs) begin(source, actor string, dry bool) adminapi.SyncStatus {
	now := j.d.clock.Now()
	st := adminapi.SyncStatus{Source: source, State: adminapi.SyncRunning, Actor: actor, DryRun: dry, Started: &now}
	j.status[source] = st
	return st
}

func (j *syncJobs) finish(ctx context.Context, source, actor string, dry bool) (*ingest.Report, error) {
	rep, err := j.svc.Sync(ctx, ingest.Options{Source: source, Actor: actor, DryRun: dry})
	now := j.d.clock.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	st := j.status[source]
	st.Finished = &now
	if err != nil {
		st.State, st.Error = adminapi.SyncFailed, err.Error()
	} else {
		r := syncReport(rep)
		st.State, st.Report = adminapi.SyncDone, &r
	}
	j.status[source] = st
	return rep, err
}

// Status is the source's running or last sync.
func (j *syncJobs) Status(source string) (adminapi.SyncStatus, error) {
	if err := j.known(source); err != nil {
		return adminapi.SyncStatus{}, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	st, ok := j.status[source]
	if !ok {
		return adminapi.SyncStatus{Source: source, State: adminapi.SyncIdle}, nil
	}
	return st, nil
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

// syncReindexPoll is how often a sync looks at the reindex job it started.
const syncReindexPoll = 200 * time.Millisecond

// syncReindex rebuilds the served index after a sync, as a reindex job of
// the console (so it shows in its history, and never two run at once):
// it waits for a running job to end, starts one and waits for it.
func syncReindex(ctx context.Context, d *serveDeps) (string, error) {
	if d.content == nil || d.content.jobs == nil {
		rep, err := d.index.Rebuild(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("indexed %d disclosures into %s in %s", rep.Indexed, rep.Generation, rep.Took.Round(time.Millisecond)), nil
	}
	jobs := d.content.jobs
	wait := func() error {
		t := time.NewTimer(syncReindexPoll)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	var job indexjobs.Job
	for {
		var err error
		job, err = jobs.Start(ctx, "sync")
		if err == nil {
			break
		}
		if !errors.Is(err, indexjobs.ErrBusy) {
			return "", err
		}
		if err := wait(); err != nil {
			return "", err
		}
	}
	for job.State == indexjobs.StateRunning {
		if err := wait(); err != nil {
			return "", err
		}
		j, ok, err := jobs.Get(job.ID)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("reindex job %d vanished", job.ID)
		}
		job = j
	}
	if job.State != indexjobs.StateDone {
		return "", fmt.Errorf("reindex job %d %s: %s", job.ID, job.State, job.Message)
	}
	return fmt.Sprintf("indexed %d disclosures into %s (reindex job %d)", job.Indexed, job.Generation, job.ID), nil
}

// endWithdrawn ends the console's published version of each withdrawn
// disclosure (one approved in the console replaces the imported file's
// version), so that a page gone from the site is no longer presented as
// current.
func endWithdrawn(d *serveDeps, cs []importstore.Change) error {
	if d.content == nil || d.content.catalog == nil {
		return nil
	}
	var errs []error
	for _, c := range cs {
		e, err := d.content.catalog.Get(c.ID)
		if err != nil || e.Live == nil || e.Status == catalog.StatusEnded {
			continue
		}
		actor := catalog.Actor{Name: "sync", Roles: []string{catalog.RoleAdmin}}
		if _, err := d.content.catalog.End(actor, c.ID, "来源网站已撤下该页面"); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.ID, err))
		}
	}
	return errors.Join(errs...)
}

// reviewChanged puts the new version of each changed disclosure that the
// console published into its review queue (the published version stays
// live until a reviewer approves the new one), so an edit in the console
// does not hide a change on the site. An entry being edited is left alone.
func reviewChanged(d *serveDeps, ds []content.Disclosure) error {
	if d.content == nil || d.content.catalog == nil {
		return nil
	}
	var errs []error
	for _, dis := range ds {
		e, err := d.content.catalog.Get(dis.ID)
		if err != nil || e.Live == nil || e.Status != catalog.StatusPublished {
			continue
		}
		actor := catalog.Actor{Name: "sync", Roles: []string{catalog.RoleStaff}}
		if _, err := d.content.catalog.Save(actor, dis, "data", true); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", dis.ID, err))
		}
	}
	return errors.Join(errs...)
}
