package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
)

func indexOptions(cfg config.Config, clk clock.Clock, logger *slog.Logger) index.Options {
	return index.Options{
		Dir:       indexDir(cfg),
		DataDir:   cfg.DataDir,
		ExtraDirs: []string{publishedDir(cfg)},
		Search:    cfg.Search,
		Clock:     clk,
		Logger:    logger,
	}
}

func indexDir(cfg config.Config) string     { return cfg.StateDir + "/index" }
func publishedDir(cfg config.Config) string { return cfg.StateDir + "/published" }

func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf commonFlags
	cf.register(fs)
	strict := fs.Bool("strict", false, "exit non-zero when any record has an error")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	opts := indexOptions(cfg, clock.System{}, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if !*quiet && isTerminal(stderr) {
		opts.Progress = progressBar(stderr)
	}
	rep, err := index.Rebuild(ctx, opts)
	if err != nil {
		return fmt.Errorf("reindex failed, the live index is unchanged: %w", err)
	}
	res := rep.Load
	fmt.Fprintf(stdout, "indexed %d disclosures into %s in %s\n", rep.Indexed, rep.Generation, rep.Took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "drafts skipped: %d, blocked by the privacy check: %d, errors: %d\n", len(res.Drafts), len(res.Blocked), len(res.Errors))
	for _, d := range res.Drafts {
		fmt.Fprintln(stdout, "  draft  ", d.String())
	}
	for _, b := range res.Blocked {
		fmt.Fprintln(stdout, "  blocked", b.String())
	}
	for _, e := range res.Errors {
		fmt.Fprintln(stdout, "  error  ", e.Error())
	}
	if *strict && len(res.Errors) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d records have errors (--strict)", len(res.Errors))}
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws a one-line bar, redrawn at most every 1%.
func progressBar(w io.Writer) index.Progress {
	last := -1
	return func(done, total int) {
		if total == 0 {
			return
		}
		pct := done * 100 / total
		if pct == last && done != total {
			return
		}
		last = pct
		const width = 30
		filled := pct * width / 100
		fmt.Fprintf(w, "\r[%s%s] %3d%% %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), pct, done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}
