package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/catalog"
	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
)

// reindexMemoryLimit is the soft heap limit of a `govbot reindex` process
// unless GOMEMLIMIT sets one: a build allocates a great deal for a short
// while, and the garbage collector then works harder near the limit rather
// than let the heap grow on a small server (4 GB beside a running serve).
// Below the limit the collector runs at reindexGCPercent unless GOGC is
// set: half as often as by default, which saves about a tenth of a build's
// CPU for some 100 MiB more of peak RSS (still within the limit).
const (
	reindexMemoryLimit = 400 << 20
	reindexGCPercent   = 200
)

func boundBuildMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(reindexMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(reindexGCPercent)
	}
}

func indexOptions(cfg config.Config, clk clock.Clock, logger *slog.Logger) index.Options {
	return index.Options{
		Dir:          indexDir(cfg),
		DataDir:      cfg.DataDir,
		ExtraDirs:    []string{importedDir(cfg)},
		PublishDir:   publishedDir(cfg),
		OverrideDirs: []string{consoleDisclosuresDir(cfg)},
		LexiconDir:   lexiconDir(cfg),
		Asks:         func() (map[string][]string, error) { return catalog.ReadAsksFile(asksFile(cfg)) },
		Search:       cfg.Search,
		Area:         cfg.Area,
		Clock:        clk,
		Logger:       logger,
		AnswerCache:  cacheSize(cfg.Search.AnswerCache),
		DocCache:     cacheSize(cfg.Search.DisclosureCache),
	}
}

// cacheSize is a configured cache size as index.Options take it: 0 (none)
// becomes negative, as 0 there means the default.
func cacheSize(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// What the console keeps beside the database, for any reindex to read: the
// disclosures it published, their 常见问法, and the lexicon as edited.
func consoleDisclosuresDir(cfg config.Config) string {
	return filepath.Join(cfg.StateDir, "console", "disclosures")
}
func asksFile(cfg config.Config) string   { return filepath.Join(cfg.StateDir, "console", "asks.json") }
func lexiconDir(cfg config.Config) string { return filepath.Join(cfg.StateDir, "lexicon") }

func indexDir(cfg config.Config) string     { return cfg.StateDir + "/index" }
func publishedDir(cfg config.Config) string { return cfg.StateDir + "/published" }

// reindexOptions are the flags of `govbot reindex`.
type reindexOptions struct {
	cli.ConfigFlags
	strict, quiet, force, all, rollback bool
}

func reindexCommand() *cobra.Command {
	var o reindexOptions
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the index from the data directory and swap it in atomically",
		Long: `Build a new index from data_dir (and the published public notices) beside the
live one and swap it in atomically; a running serve picks it up within 30 s.
A failed or killed build leaves the live index serving. With --rollback,
the previous generation (the one the last reindex replaced) is made live
again instead; a second --rollback undoes it.`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReindex(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	o.ConfigFlags.Register(fs)
	fs.BoolVar(&o.strict, "strict", false, "exit non-zero when any record has an error")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.BoolVar(&o.force, "force", false, "replace the live index even if the new one holds less than half as many disclosures")
	fs.BoolVar(&o.all, "all", false, "list every draft, blocked disclosure and error (default: the first 50 of each)")
	fs.BoolVar(&o.rollback, "rollback", false, "make the previous index generation live again instead of building")
	return cmd
}

func runReindex(ctx context.Context, o reindexOptions, stdout, stderr io.Writer) error {
	cfg, err := o.Load((*config.Config).CheckPaths)
	if err != nil {
		return err
	}
	opts := indexOptions(cfg, clock.System{}, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if o.rollback {
		from, to, err := index.Rollback(opts)
		if err != nil {
			return fmt.Errorf("rollback failed, the live index is unchanged: %w", err)
		}
		fmt.Fprintf(stdout, "rolled back from %s to %s; a running serve swaps within %s\n", from, to, indexWatchInterval)
		return nil
	}
	opts.Force = o.force
	if !o.quiet && cli.IsTerminal(stderr) {
		opts.Progress = cli.ProgressBar(stderr, clock.System{})
	}
	boundBuildMemory()
	rep, err := index.Rebuild(ctx, opts)
	var shrink *index.ShrinkError
	if err != nil && !errors.As(err, &shrink) {
		return fmt.Errorf("reindex failed, the live index is unchanged: %w", err)
	}
	res := rep.Load
	if shrink != nil {
		fmt.Fprintf(stdout, "loaded %d publishable disclosures; the live index has %d\n", rep.Indexed, shrink.Live)
	} else {
		fmt.Fprintf(stdout, "indexed %d disclosures into %s in %s\n", rep.Indexed, rep.Generation, rep.Took.Round(time.Millisecond))
	}
	fmt.Fprintf(stdout, "drafts skipped: %d, blocked by the privacy check: %d, errors: %d\n", len(res.Drafts), len(res.Blocked), len(res.Errors))
	limit := reindexListLimit
	if o.all {
		limit = -1
	}
	listSome(stdout, "draft  ", len(res.Drafts), limit, func(i int) string { return res.Drafts[i].String() })
	listSome(stdout, "blocked", len(res.Blocked), limit, func(i int) string { return res.Blocked[i].String() })
	listSome(stdout, "error  ", len(res.Errors), limit, func(i int) string { return res.Errors[i].Error() })
	if shrink != nil {
		return fmt.Errorf("reindex refused, the live index is unchanged: %w (--force)", shrink)
	}
	if o.strict && len(res.Errors) > 0 {
		return fmt.Errorf("%d records have errors (--strict)", len(res.Errors))
	}
	return nil
}

// reindexListLimit is how many drafts, blocked disclosures and errors
// reindex lists of each kind unless --all is given.
const reindexListLimit = 50

// listSome prints up to limit (all when negative) of n lines, then how many
// more there are.
func listSome(w io.Writer, label string, n, limit int, line func(int) string) {
	for i := 0; i < n; i++ {
		if limit >= 0 && i >= limit {
			fmt.Fprintf(w, "  %s … and %d more (--all lists them all)\n", label, n-limit)
			return
		}
		fmt.Fprintf(w, "  %s %s\n", label, line(i))
	}
}
