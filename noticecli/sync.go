package noticecli

import (
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

// syncPoll is how often `notice sync` asks whether the sync is done.
const syncPoll = time.Second

func syncCommand(g *globals) *cobra.Command {
	var dry, noWait bool
	cmd := &cobra.Command{
		Use:   "sync SOURCE",
		Short: "Sync a source's site on the running server now, then reindex (admins)",
		Long: `Start a sync of SOURCE (an entry of the server's sources: with a site) on the
running server, wait for it (a sync fetches politely, so it may take minutes)
and print what changed: new, changed, withdrawn, restored, approved, failed
with reasons. --no-wait only starts it; run the command with --status later.`,
		Example: `  govbot notice sync yingpu-site --dry-run
  govbot notice sync yingpu-site
  govbot notice sync yingpu-site --status`,
		Args: cli.ExactArgs(1, "a SOURCE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			path := "/api/sources/" + url.PathEscape(args[0]) + "/sync"
			var st adminapi.SyncStatus
			var raw []byte
			if !cmd.Flags().Changed("status") {
				q := ""
				if dry {
					q = "?dry_run=true"
				}
				if raw, err = c.do(ctx, "POST", path+q, nil, &st); err != nil {
					return err
				}
			}
			for !noWait || cmd.Flags().Changed("status") {
				if raw, err = c.do(ctx, "GET", path, nil, &st); err != nil {
					return err
				}
				if st.State != adminapi.SyncRunning || cmd.Flags().Changed("status") {
					break
				}
				t := time.NewTimer(syncPoll)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
			w := cmd.OutOrStdout()
			if g.json {
				return printJSON(w, raw)
			}
			return printSync(w, st)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "print what would change and change nothing")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "start the sync and return")
	cmd.Flags().Bool("status", false, "only show the running or last sync")
	return cmd
}

func printSync(w io.Writer, st adminapi.SyncStatus) error {
	switch st.State {
	case adminapi.SyncIdle:
		_, err := fmt.Fprintf(w, "%s：服务启动以来未同步\n", st.Source)
		return err
	case adminapi.SyncRunning:
		_, err := fmt.Fprintf(w, "%s：正在同步（%s 开始）\n", st.Source, st.Started.Format(time.DateTime))
		return err
	case adminapi.SyncFailed:
		return fmt.Errorf("同步 %s 失败：%s", st.Source, st.Error)
	}
	out := st.Report
	if out == nil {
		return fmt.Errorf("同步 %s 无报告", st.Source)
	}
	verb := ""
	if out.DryRun {
		verb = "将"
	}
	list := func(label string, cs []adminapi.SyncChange) {
		for _, ch := range cs {
			fmt.Fprintf(w, "%s%s  %s  %s  %s\n", verb, label, ch.ID, ch.Title, ch.URL)
		}
	}
	list("新增", out.New)
	list("更新", out.Changed)
	list("撤下", out.Withdrawn)
	list("恢复", out.Restored)
	list("批准", out.Approved)
	for _, f := range out.Failed {
		fmt.Fprintf(w, "失败  %s  %s\n", f.URL, f.Reason)
	}
	for _, m := range out.Missing {
		fmt.Fprintf(w, "缺少  %s\n", m)
	}
	for _, n := range out.Notes {
		fmt.Fprintf(w, "附件  %s\n", n)
	}
	for _, b := range out.Blocked {
		fmt.Fprintf(w, "拦截  %s\n", b)
	}
	if out.ReindexErr != "" {
		fmt.Fprintf(w, "重建索引失败，线上索引未变：%s\n", out.ReindexErr)
	}
	_, err := fmt.Fprintln(w, out.Summary)
	return err
}
