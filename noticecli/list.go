package noticecli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func listCommand(g *globals) *cobra.Command {
	var status, author string
	var limit int
	cmd := &cobra.Command{
		Use:   "list [--status S] [--author A] [--limit N]",
		Short: "The latest notices",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := params(map[string]string{"status": status, "author": author, "limit": positive(limit)})
			c, err := g.client()
			if err != nil {
				return err
			}
			var out adminapi.NoticeList
			raw, err := c.do(cmd.Context(), "GET", "/api/notices"+q, nil, &out)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if g.json {
				return printJSON(w, raw)
			}
			if len(out.Notices) == 0 {
				fmt.Fprintln(w, "没有通知。")
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "编号\t状态\t紧急\t作者\t更新时间\t标题")
			for _, n := range out.Notices {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, n.Status, yesNo(n.Urgent), n.Author, fmtWhen(n.Updated), n.Title)
			}
			return tw.Flush()
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&status, "status", "", "only notices in this `status` (draft, submitted, approved, rejected, sending, done, cancelled)")
	fs.StringVar(&author, "author", "", "only notices by this `user`")
	fs.IntVar(&limit, "limit", 0, "at most `N` notices (default 50)")
	cli.CompleteValues(cmd, "status", "draft", "submitted", "approved", "rejected", "sending", "done", "cancelled")
	return cmd
}
