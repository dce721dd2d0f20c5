package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/hittest"
	"github.com/yingpu/govbot/indexjobs"
	"github.com/yingpu/govbot/lexicon"
)

// contentServices are the console's content side: the disclosures written
// and reviewed in the console, the lexicon as edited, reindex jobs and the
// hit test.
type contentServices struct {
	catalog *catalog.Catalog
	lexicon *lexicon.Store
	jobs    *indexjobs.Runner
	hittest *hittest.Tester
	// ctx bounds the jobs (the server's lifetime).
	ctx context.Context
}

// openContent opens the content services on d's database and index. A
// finished reindex or rollback is audited and counted in the metrics.
func openContent(ctx context.Context, d *serveDeps) (*contentServices, error) {
	cfg := d.cfg
	cat, err := catalog.New(catalog.Options{
		DB:         d.db,
		ExportDir:  consoleDisclosuresDir(cfg),
		AsksFile:   asksFile(cfg),
		SourceDirs: []string{cfg.DataDir, publishedDir(cfg), importedDir(cfg)},
		Clock:      d.clock,
	})
	if err != nil {
		return nil, err
	}
	lex, err := lexicon.New(lexicon.Options{DB: d.db, DataDir: cfg.DataDir, Dir: lexiconDir(cfg), Clock: d.clock})
	if err != nil {
		return nil, err
	}
	jobs, err := indexjobs.New(indexjobs.Options{
		DB:       d.db,
		Index:    d.index,
		Before:   lex.Materialize,
		OnFinish: d.jobFinished,
		Clock:    d.clock,
		Logger:   d.logger.With("component", "reindex"),
	})
	if err != nil {
		return nil, err
	}
	d.goBackground(func() {
		<-ctx.Done()
		jobs.Wait()
	})
	ht := hittest.New(hittest.Options{
		Answerer:      d.index,
		Topics:        cfg.SubscribableTopics(),
		Menu:          cfg.Menu,
		Hotline:       cfg.Search.Hotline,
		MaxReplyBytes: cfg.Search.MaxReplyBytes,
		Related:       cfg.Search.Related,
		Area:          cfg.Area.Name,
		Conversation:  bot.ConversationOptionsFor(cfg),
		WGS84:         cfg.Search.Datum == "wgs84",
		Clock:         d.clock,
	})
	return &contentServices{catalog: cat, lexicon: lex, jobs: jobs, hittest: ht, ctx: ctx}, nil
}

// jobFinished audits a finished reindex or rollback and counts a reindex in
// the metrics.
func (d *serveDeps) jobFinished(j indexjobs.Job) {
	if j.Kind == indexjobs.KindReindex && d.metrics != nil {
		var err error
		if j.State != indexjobs.StateDone {
			err = errors.New(j.State)
		}
		d.metrics.Reindex(j.Finished.Sub(j.Started), j.Indexed, err)
	}
	if d.audit == nil {
		return
	}
	rec := audit.Record{Actor: j.Actor, Action: "index." + j.Kind + ".done", Result: audit.ResultOK,
		Message: fmt.Sprintf("任务 %d：%s %s", j.ID, j.State, j.Generation)}
	if j.State != indexjobs.StateDone {
		rec.Result, rec.Message = audit.ResultError, fmt.Sprintf("任务 %d：%s %s", j.ID, j.State, j.Message)
	}
	if _, err := d.audit.Append(rec); err != nil {
		d.logger.Error("audit append failed", "err", err)
	}
}
