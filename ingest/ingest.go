// Package ingest runs an import of files or a sync of a site end to end:
// it reads the documents (importer, sitesync), records what changed
// (importstore), puts an entry in the audit log, rebuilds the index and
// reports what it did. Each step is behind a small interface, so that the
// command line and the server's scheduled job share it.
package ingest

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/content"
	"github.com/yingpu/govbot/importer"
	"github.com/yingpu/govbot/importstore"
	"github.com/yingpu/govbot/sitesync"
)

// Auditor appends to the audit log (*audit.Log).
type Auditor interface {
	Append(audit.Record) (audit.Record, error)
}

// Reindexer rebuilds the index from the data directory and the imported
// files, and says what it indexed (e.g. "indexed 131 disclosures").
type Reindexer func(ctx context.Context) (string, error)

// Crawler reads a site source into a batch of pages (*sitesync.Syncer).
type Crawler interface {
	Crawl(ctx context.Context, src config.Source, d importer.Defaults, known sitesync.Known) (*sitesync.Result, error)
}

// Service runs imports and syncs, one at a time.
type Service struct {
	mu sync.Mutex // one run at a time: they share the store and the index

	Store   *importstore.Store
	Audit   Auditor   // nil: no audit entry
	Reindex Reindexer // nil: no reindex
	Crawler Crawler   // nil: sync is unavailable
	Clock   clock.Clock
	Sources []config.Source
	// Withdrawn, when set, is told of the disclosures a run withdrew (a
	// version of them kept elsewhere, e.g. approved in the console, must
	// stop being answered too). Its error is reported as a note.
	Withdrawn func(ctx context.Context, withdrawn []importstore.Change) error
	// Changed, when set, is told of the disclosures whose text a run
	// changed, with their new version (one approved in the console must be
	// reviewed again). Its error is reported as a note.
	Changed func(ctx context.Context, changed []content.Disclosure) error
}

// Options of one run.
type Options struct {
	// Source names the source: its configuration fills what the documents
	// do not state. For an import of files it need not be configured.
	Source string
	// ApproveAs marks the disclosures reviewed by this named reviewer
	// (overrides the source's approve_as).
	ApproveAs string
	// Actor is who runs it, for the audit log ("system" for the schedule).
	Actor string
	// DryRun changes nothing and reports what would change.
	DryRun bool
	// NoReindex skips the reindex after a change.
	NoReindex bool
}

// Report is what one run did (or would do).
type Report struct {
	Source   string
	Kind     string // "import" or "sync"
	DryRun   bool
	Result   *importstore.Result
	Failures []importer.Failure
	// Missing lists, per new or changed disclosure, the fields neither it
	// nor the source states.
	Missing []string
	// Notes are attachments that could not be read.
	Notes []string
	// Drafts counts the new or changed disclosures awaiting review;
	// Blocked lists those the privacy check withholds.
	Drafts  int
	Blocked []string
	// Reindexed is what the reindex said; ReindexErr why it failed.
	Reindexed  string
	ReindexErr string
	Requests   int
	Attached   int
}

// Summary is one line, e.g. "sync yingpu: 3 new, 1 changed, 1 withdrawn,
// 0 restored, 2 unchanged, 1 failed".
func (r *Report) Summary() string {
	res := r.Result
	if res == nil {
		res = &importstore.Result{}
	}
	s := fmt.Sprintf("%s %s: %d new, %d changed, %d withdrawn, %d restored, %d approved, %d unchanged, %d failed",
		r.Kind, r.Source, len(res.New), len(res.Changed), len(res.Withdrawn), len(res.Restored), len(res.Approved),
		res.Unchanged, len(r.Failures))
	if r.DryRun {
		s += " (dry run: nothing changed)"
	}
	return s
}

// Write prints the report: every change, failure, missing field, note and
// blocked disclosure, then the summary.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	verb := ""
	if r.DryRun {
		verb = "would be "
	}
	if res := r.Result; res != nil {
		list := func(label string, cs []importstore.Change) {
			for _, c := range cs {
				fmt.Fprintf(&b, "%s%-9s %s %s (%s)\n", verb, label, c.ID, c.Title, c.Key)
			}
		}
		list("new", res.New)
		list("changed", res.Changed)
		list("withdrawn", res.Withdrawn)
		list("restored", res.Restored)
		list("approved", res.Approved)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "failed    %s\n", f.String())
	}
	for _, m := range r.Missing {
		fmt.Fprintf(&b, "missing   %s\n", m)
	}
	if len(r.Missing) > 0 {
		fmt.Fprintln(&b, "(a source's category, department and audience in sources: fill what its pages do not state)")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note      %s\n", n)
	}
	for _, x := range r.Blocked {
		fmt.Fprintf(&b, "blocked   %s\n", x)
	}
	if r.Drafts > 0 && !r.DryRun {
		fmt.Fprintf(&b, "%d disclosures await review (approve them in the console, or import with --approve-as NAME)\n", r.Drafts)
	}
	if r.Attached > 0 {
		fmt.Fprintf(&b, "attachments read from %d files beside their pages\n", r.Attached)
	}
	if r.Reindexed != "" {
		fmt.Fprintln(&b, r.Reindexed)
	}
	if r.ReindexErr != "" {
		fmt.Fprintf(&b, "reindex failed, the live index is unchanged: %s\n", r.ReindexErr)
	}
	fmt.Fprintln(&b, r.Summary())
	_, err := io.WriteString(w, b.String())
	return err
}

// defaults builds the importer defaults of a source; an unconfigured name
// gets none but its name.
func (s *Service) defaults(name, approveAs string) (config.Source, importer.Defaults, error) {
	if !importstore.ValidSource(name) {
		return config.Source{}, importer.Defaults{}, fmt.Errorf("source name %q: want a-z, 0-9, - and _", name)
	}
	var src config.Source
	for _, c := range s.Sources {
		if c.Name == name {
			src = c
		}
	}
	if src.Name == "" {
		src.Name = name
	}
	src = src.WithDefaults()
	d := importer.Defaults{
		Source:     name,
		Category:   src.Category,
		Department: src.Department,
		Audience:   src.Audience,
		URLPrefix:  src.URLPrefix,
		ApproveAs:  src.ApproveAs,
		Today:      content.NewDate(clock.Today(s.clock())),
	}
	if approveAs != "" {
		d.ApproveAs = approveAs
	}
	for _, r := range src.Categories {
		cr := importer.CategoryRule{Column: r.Column, Category: r.Category}
		if r.URL != "" {
			re, err := regexp.Compile(r.URL)
			if err != nil {
				return src, d, fmt.Errorf("source %s: categories: %w", name, err)
			}
			cr.URL = re
		}
		d.Rules = append(d.Rules, cr)
	}
	return src, d, nil
}

func (s *Service) clock() clock.Clock {
	if s.Clock == nil {
		return clock.System{}
	}
	return s.Clock
}

func selectors(src config.Source) importer.Selectors {
	return importer.Selectors{
		Title:       src.Selectors.Title,
		Date:        src.Selectors.Date,
		Department:  src.Selectors.Department,
		Body:        src.Selectors.Body,
		Attachments: src.Selectors.Attachments,
	}
}

// ImportFiles imports files and folders into source opts.Source.
func (s *Service) ImportFiles(ctx context.Context, paths []string, opts Options) (*Report, error) {
	src, d, err := s.defaults(opts.Source, opts.ApproveAs)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fr := importer.ImportFiles(paths, d, selectors(src))
	rep := &Report{Source: opts.Source, Kind: "import", DryRun: opts.DryRun, Failures: fr.Failures, Attached: fr.Attached}
	batch := importstore.Batch{Source: opts.Source}
	for _, it := range fr.Items {
		batch.Entries = append(batch.Entries, importstore.Entry{Item: it})
	}
	return rep, s.finish(ctx, rep, batch, opts)
}

// Sync crawls the site of source opts.Source and records what changed.
func (s *Service) Sync(ctx context.Context, opts Options) (*Report, error) {
	if s.Crawler == nil {
		return nil, fmt.Errorf("sync is not available")
	}
	src, d, err := s.defaults(opts.Source, opts.ApproveAs)
	if err != nil {
		return nil, err
	}
	if _, ok := s.find(opts.Source); !ok {
		return nil, fmt.Errorf("no source %q in the configuration (sources:)", opts.Source)
	}
	if !src.Synced() {
		return nil, fmt.Errorf("source %q has no list_pages or sitemap to sync; import its files with govbot import --source %s", opts.Source, opts.Source)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cr, err := s.Crawler.Crawl(ctx, src, d, s.Store)
	if err != nil {
		rep := &Report{Source: opts.Source, Kind: "sync", DryRun: opts.DryRun}
		s.audit(opts, "import.sync", rep, err)
		return nil, err
	}
	rep := &Report{Source: opts.Source, Kind: "sync", DryRun: opts.DryRun, Failures: cr.Failures, Requests: cr.Requests}
	cr.Batch.Source = opts.Source
	if d.ApproveAs != "" {
		cr.Batch.Approve = importer.ReviewFor(d)
	}
	return rep, s.finish(ctx, rep, cr.Batch, opts)
}

func (s *Service) find(name string) (config.Source, bool) {
	for _, c := range s.Sources {
		if c.Name == name {
			return c, true
		}
	}
	return config.Source{}, false
}

// finish applies the batch, audits and reindexes.
func (s *Service) finish(ctx context.Context, rep *Report, batch importstore.Batch, opts Options) error {
	action := "import.files"
	if rep.Kind == "sync" {
		action = "import.sync"
	}
	res, err := s.Store.Apply(batch, opts.DryRun)
	if err != nil {
		s.audit(opts, action, rep, err)
		return err
	}
	rep.Result = res
	byKey := map[string]importer.Item{}
	for _, e := range batch.Entries {
		byKey[e.Item.Key] = e.Item
	}
	for _, cs := range [][]importstore.Change{res.New, res.Changed, res.Restored, res.Approved} {
		for _, c := range cs {
			it, ok := byKey[c.Key]
			if !ok {
				continue
			}
			if len(it.Missing) > 0 {
				rep.Missing = append(rep.Missing, fmt.Sprintf("%s %s: states no %s", c.ID, c.Key, strings.Join(it.Missing, ", ")))
			}
			for _, n := range it.Notes {
				rep.Notes = append(rep.Notes, c.ID+" "+n)
			}
			dis := it.Disclosure
			if fs := content.CheckPrivacy(&dis); len(fs) > 0 {
				parts := make([]string, len(fs))
				for i, f := range fs {
					parts[i] = f.String()
				}
				rep.Blocked = append(rep.Blocked, fmt.Sprintf("%s %s: %s", c.ID, c.Title, strings.Join(parts, "; ")))
			} else if dis.ReviewProblem() != "" {
				rep.Drafts++
			}
		}
	}
	sort.Strings(rep.Missing)
	if opts.DryRun {
		return nil
	}
	if s.Changed != nil && len(res.Changed) > 0 {
		var ds []content.Disclosure
		for _, c := range res.Changed {
			if it, ok := byKey[c.Key]; ok {
				ds = append(ds, it.Disclosure)
			}
		}
		if err := s.Changed(ctx, ds); err != nil {
			rep.Notes = append(rep.Notes, "updating elsewhere: "+err.Error())
		}
	}
	if s.Withdrawn != nil && len(res.Withdrawn) > 0 {
		if err := s.Withdrawn(ctx, res.Withdrawn); err != nil {
			rep.Notes = append(rep.Notes, "withdrawing elsewhere: "+err.Error())
		}
	}
	s.audit(opts, action, rep, nil)
	if s.Reindex != nil && !opts.NoReindex && !res.Empty() {
		msg, err := s.Reindex(ctx)
		if err != nil {
			rep.ReindexErr = err.Error()
		} else {
			rep.Reindexed = msg
		}
	}
	return nil
}

func (s *Service) audit(opts Options, action string, rep *Report, err error) {
	if s.Audit == nil || opts.DryRun {
		return
	}
	actor := opts.Actor
	if actor == "" {
		actor = "cli"
	}
	r := audit.Record{Actor: actor, Action: action, Message: rep.Summary()}
	if opts.ApproveAs != "" {
		r.Message += "; approved as " + opts.ApproveAs
	}
	if err != nil {
		r.Result = audit.ResultError
		r.Message = err.Error()
	}
	if len(rep.Failures) > 0 {
		var fs []string
		for i, f := range rep.Failures {
			if i == 5 {
				fs = append(fs, fmt.Sprintf("and %d more", len(rep.Failures)-5))
				break
			}
			fs = append(fs, f.String())
		}
		r.Message += "; failed: " + strings.Join(fs, "; ")
	}
	_, _ = s.Audit.Append(r)
}
