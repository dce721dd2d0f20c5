package noticecli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func auditCommand(g *globals) *cobra.Command {
	var actor, action, noticeID, from, to string
	var limit int
	cmd := &cobra.Command{
		Use:   "audit [--limit N] [--actor A] [--action X] [--notice ID] [--from D] [--to D]",
		Short: "The audit log, newest first (admins)",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := params(map[string]string{"actor": actor, "action": action, "notice": noticeID, "from": from, "to": to, "limit": positive(limit)})
			c, err := g.client()
			if err != nil {
				return err
			}
			var out adminapi.AuditList
			raw, err := c.do(cmd.Context(), "GET", "/api/audit"+q, nil, &out)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if g.json {
				return printJSON(w, raw)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "序号\t时间\t用户\t操作\t通知\t来源\t结果\t说明")
			for _, r := range out.Records {
				who := r.Actor
				if who == "" {
					who = "（未认证）"
				}
				result := r.Result
				if r.Code != 0 {
					result = fmt.Sprintf("%s %d", r.Result, r.Code)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.At.In(clock.Shanghai).Format("2006-01-02 15:04:05"),
					who, r.Action, dash(r.NoticeID), dash(r.Remote), result, oneLine(r.Message))
			}
			return tw.Flush()
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&limit, "limit", 0, "at most `N` records (default 100)")
	fs.StringVar(&actor, "actor", "", "only records by this `user`")
	fs.StringVar(&action, "action", "", "only this `action` (notice.approve, ...)")
	fs.StringVar(&noticeID, "notice", "", "only records about this notice `ID`")
	dateRangeFlags(cmd, &from, &to)
	return cmd
}

// dateRangeFlags are --from and --to, passed to the API as given.
func dateRangeFlags(cmd *cobra.Command, from, to *string) {
	cmd.Flags().StringVar(from, "from", "", "from this `date` (YYYY-MM-DD) or RFC 3339 time")
	cmd.Flags().StringVar(to, "to", "", "up to this `date` (YYYY-MM-DD, inclusive) or RFC 3339 time")
}
