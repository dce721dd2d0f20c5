package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/yingpu/govbot/ingest"
)

func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f ingestFlags
	f.register(fs, "")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: govbot sync [--source NAME] [--approve-as NAME] [--dry-run]")
		fmt.Fprintln(stderr, "Fetches what is new or changed on the sites of the configured sources (all, or NAME), then reindexes.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return &exitError{code: 2, err: fmt.Errorf("sync: unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := f.cf.load()
	if err != nil {
		return err
	}
	var names []string
	if f.source != "" {
		src, ok := cfg.FindSource(f.source)
		if !ok {
			return &exitError{code: 2, err: fmt.Errorf("sync: no source %q in the configuration", f.source)}
		}
		if !src.Synced() {
			return &exitError{code: 2, err: fmt.Errorf("sync: source %q has no list_pages or sitemap (import its files with govbot import --source %s)", f.source, f.source)}
		}
		names = []string{f.source}
	} else {
		for _, s := range cfg.Sources {
			if s.Synced() {
				names = append(names, s.Name)
			}
		}
	}
	if len(names) == 0 {
		return &exitError{code: 2, err: errors.New("sync: no source with list_pages or a sitemap is configured (sources:)")}
	}
	svc, closeDB, err := openIngest(cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	failed, changed := 0, false
	for _, name := range names {
		// One reindex after all the sources, not one per source.
		rep, err := svc.Sync(ctx, ingest.Options{
			Source: name, ApproveAs: f.approveAs, DryRun: f.dryRun, NoReindex: true, Actor: "cli",
		})
		if err != nil {
			fmt.Fprintf(stdout, "sync %s failed: %v\n", name, err)
			failed++
			continue
		}
		if err := rep.Write(stdout); err != nil {
			return err
		}
		if len(rep.Failures) > 0 {
			failed++
		}
		changed = changed || (!rep.DryRun && !rep.Result.Empty())
	}
	if changed && !f.noReindex && svc.Reindex != nil {
		msg, err := svc.Reindex(ctx)
		if err != nil {
			return fmt.Errorf("sync: reindex failed, the live index is unchanged: %w", err)
		}
		fmt.Fprintln(stdout, msg)
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("sync: %d of %d sources had failures (listed above)", failed, len(names))}
	}
	return nil
}
