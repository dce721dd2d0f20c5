package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/yingpu/govbot/audit"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
	"github.com/yingpu/govbot/ingest"
	"github.com/yingpu/govbot/sitesync"
	"github.com/yingpu/govbot/store"
	bolt "go.etcd.io/bbolt"

	"github.com/yingpu/govbot/importstore"
)

// importedDir holds the imported disclosures, one JSONL file per source,
// which every reindex reads.
func importedDir(cfg config.Config) string { return filepath.Join(cfg.StateDir, "imported") }

// ingestFlags are the flags import and sync share.
type ingestFlags struct {
	cf        commonFlags
	source    string
	approveAs string
	dryRun    bool
	noReindex bool
}

func (f *ingestFlags) register(fs *flag.FlagSet, defaultSource string) {
	f.cf.register(fs)
	fs.StringVar(&f.source, "source", defaultSource, "source `name` (its sources: entry fills what pages do not state)")
	fs.StringVar(&f.approveAs, "approve-as", "", "mark the disclosures reviewed by this named `reviewer` (recorded in each and in the audit log)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would change and change nothing")
	fs.BoolVar(&f.noReindex, "no-reindex", false, "do not rebuild the index afterwards")
}

// openIngest opens the database and the import service; close releases
// the database.
func openIngest(cfg config.Config, stderr io.Writer) (*ingest.Service, func() error, error) {
	db, err := store.Open(dbFile(cfg))
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, nil, fmt.Errorf("%w: a running govbot serve holds the state; stop it, or let its sources' schedule sync them", err)
		}
		return nil, nil, err
	}
	svc, err := newIngestService(db, cfg, clock.System{}, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		func(ctx context.Context) (string, error) {
			opts := indexOptions(cfg, clock.System{}, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
			rep, err := index.Rebuild(ctx, opts)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("indexed %d disclosures into %s in %s", rep.Indexed, rep.Generation, rep.Took.Round(time.Millisecond)), nil
		})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, db.Close, nil
}

// newIngestService wires the import service over db.
func newIngestService(db *bolt.DB, cfg config.Config, clk clock.Clock, logger *slog.Logger, reindex ingest.Reindexer) (*ingest.Service, error) {
	st, err := importstore.New(db, importedDir(cfg), clk)
	if err != nil {
		return nil, err
	}
	log, err := audit.New(db, clk)
	if err != nil {
		return nil, err
	}
	return &ingest.Service{
		Store:   st,
		Audit:   log,
		Reindex: reindex,
		Crawler: sitesync.New(sitesync.Options{Clock: clk, Logger: logger}),
		Clock:   clk,
		Sources: cfg.Sources,
	}, nil
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f ingestFlags
	f.register(fs, "files")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: govbot import [--source NAME] [--approve-as NAME] [--dry-run] FILE|DIR...")
		fmt.Fprintln(stderr, "Reads HTML pages, .docx, .pdf, .xlsx, .csv, .jsonl and .md files into disclosures kept in state_dir/imported.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &exitError{code: 2, err: errors.New("import: no FILE or DIR given")}
	}
	cfg, err := f.cf.load()
	if err != nil {
		return err
	}
	svc, closeDB, err := openIngest(cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := svc.ImportFiles(ctx, fs.Args(), ingest.Options{
		Source: f.source, ApproveAs: f.approveAs, DryRun: f.dryRun, NoReindex: f.noReindex, Actor: "cli",
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := rep.Write(stdout); err != nil {
		return err
	}
	if rep.ReindexErr != "" {
		return &exitError{code: 1, err: errors.New("import: the reindex failed")}
	}
	return nil
}
