package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/ingest"
)

func syncCommand() *cobra.Command {
	var o ingestOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Fetch what is new or changed on the sources' sites, then reindex",
		Long: `Read the list pages (or sitemap) of every source in sources: that has them (or
of --source NAME), fetch each article that is new or changed (ETag,
Last-Modified, then a hash of its content), read it and its attachments,
update its disclosure (keeping what admins added to it, which is kept
apart), mark the pages gone from the site withdrawn, print what changed
(new, changed, withdrawn, failed with reasons), record it in the audit log
and reindex. A site that cannot be read withdraws nothing. serve runs the
same on each source's schedule.`,
		Example: `  govbot sync --dry-run
  govbot sync --source yingpu-site`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSync(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.register(cmd.Flags(), "sync only the source of this `name` (default: every source with list_pages or a sitemap)")
	return cmd
}

func runSync(ctx context.Context, o ingestOptions, stdout, stderr io.Writer) error {
	cfg, err := o.Load()
	if err != nil {
		return err
	}
	var names []string
	if o.source != "" {
		src, ok := cfg.FindSource(o.source)
		if !ok {
			return cli.Usagef("sync: no source %q in the configuration (sources:)", o.source)
		}
		if !src.Synced() {
			return cli.Usagef("sync: source %q has no list_pages or sitemap (import its files with govbot import --source %s)", o.source, o.source)
		}
		names = []string{o.source}
	} else {
		for _, s := range cfg.Sources {
			if s.Synced() {
				names = append(names, s.Name)
			}
		}
	}
	if len(names) == 0 {
		return cli.Exit(1, errors.New("sync: no source with list_pages or a sitemap is configured (sources:)"))
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
			Source: name, ApproveAs: o.approveAs, DryRun: o.dryRun, NoReindex: true, Actor: "cli",
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
	if changed && !o.noReindex && svc.Reindex != nil {
		msg, err := svc.Reindex(ctx)
		if err != nil {
			return fmt.Errorf("sync: reindex failed, the live index is unchanged: %w", err)
		}
		fmt.Fprintln(stdout, msg)
	}
	if failed > 0 {
		return fmt.Errorf("sync: %d of %d sources had failures (listed above)", failed, len(names))
	}
	return nil
}
