package noticecli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func unansweredCommand(g *globals) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "unanswered [--from D] [--to D]",
		Short: "What residents asked that nothing answered (admins; default: the last 30 days)",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := params(map[string]string{"from": from, "to": to})
			c, err := g.client()
			if err != nil {
				return err
			}
			var out adminapi.UnansweredList
			raw, err := c.do(cmd.Context(), "GET", "/api/queries/unanswered"+q, nil, &out)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if g.json {
				return printJSON(w, raw)
			}
			if len(out.Questions) == 0 {
				fmt.Fprintln(w, "这段时间没有未能回答的问题。")
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "次数\t人数\t最近\t问题")
			for _, d := range out.Questions {
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", d.Count, d.Senders, d.Last.In(clock.Shanghai).Format("2006-01-02"), oneLine(d.Example))
			}
			return tw.Flush()
		},
	}
	dateRangeFlags(cmd, &from, &to)
	return cmd
}
