package noticecli

import (
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func syncCommand(g *globals) *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "sync SOURCE",
		Short: "Sync a source's site on the running server now, then reindex (admins)",
		Example: `  govbot notice sync yingpu-site --dry-run
  govbot notice sync yingpu-site`,
		Args: cli.ExactArgs(1, "a SOURCE name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			path := "/api/sources/" + url.PathEscape(args[0]) + "/sync"
			if dry {
				path += "?dry_run=true"
			}
			var out adminapi.SyncReport
			raw, err := c.get(cmd.Context(), "POST", path, nil, &out)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if g.json {
				return printJSON(w, raw)
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
			fmt.Fprintln(w, out.Summary)
			return nil
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "print what would change and change nothing")
	return cmd
}
