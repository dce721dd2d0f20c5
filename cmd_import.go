package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yingpu/govbot/cli"
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

// ingestOptions are the flags import and sync share.
type ingestOptions struct {
	cli.ConfigFlags
	source    string
	approveAs string
	dryRun    bool
	noReindex bool
}

func (o *ingestOptions) register(fs *pflag.FlagSet, sourceHelp string) {
	o.ConfigFlags.Register(fs)
	fs.StringVar(&o.source, "source", "", sourceHelp)
	fs.StringVar(&o.approveAs, "approve-as", "", "mark the disclosures reviewed by this named `reviewer` (recorded in each and in the audit log)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would change and change nothing")
	fs.BoolVar(&o.noReindex, "no-reindex", false, "do not rebuild the index afterwards")
}

// openIngest opens the database and the import service; close releases
// the database.
func openIngest(cfg config.Config, stderr io.Writer) (*ingest.Service, func() error, error) {
	db, err := store.Open(dbFile(cfg))
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, nil, fmt.Errorf("%w: a running govbot serve holds the state: sync through it with govbot notice sync SOURCE, or stop it to import files", err)
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
	log, err := openAudit(db, cfg, clk, logger)
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

func importCommand() *cobra.Command {
	var o ingestOptions
	cmd := &cobra.Command{
		Use:   "import FILE|DIR...",
		Short: "Read saved pages, Word, PDF and spreadsheets into disclosures",
		Long: `Read HTML pages (UTF-8, GBK or GB18030), .docx, .pdf (its text layer), .xlsx and
.csv tables, .jsonl and .md files into disclosures, kept in
state_dir/imported/SOURCE.jsonl, then reindex. A page's attachments are read
from the files it links to and appended to its body. What a page does not
state is filled from the source's entry in sources:, else reported as
missing. A file that cannot be read is reported with the reason; the rest
still import. Importing the same source again updates its disclosures.
Imported disclosures are drafts for the console's review queue unless
--approve-as names their reviewer.`,
		Example: `  govbot import --source yingpu-site --dry-run saved-pages/
  govbot import --source yingpu-site --approve-as 张敏 saved-pages/ 公示/低保.xlsx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cli.Usagef("%s needs at least one FILE or DIR", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), o, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.register(cmd.Flags(), "source `name` (its sources: entry fills what pages do not state; default \"files\")")
	return cmd
}

func runImport(ctx context.Context, o ingestOptions, paths []string, stdout, stderr io.Writer) error {
	cfg, err := o.Load()
	if err != nil {
		return err
	}
	if o.source == "" {
		o.source = "files"
	}
	svc, closeDB, err := openIngest(cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := svc.ImportFiles(ctx, paths, ingest.Options{
		Source: o.source, ApproveAs: o.approveAs, DryRun: o.dryRun, NoReindex: o.noReindex, Actor: "cli",
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := rep.Write(stdout); err != nil {
		return err
	}
	if rep.ReindexErr != "" {
		return errors.New("import: the reindex failed")
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("import: %d files could not be imported (listed above); the rest were", len(rep.Failures))
	}
	return nil
}
