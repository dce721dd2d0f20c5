package noticecli

import (
	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/handlers/adminapi"
)

func getCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "get ID",
		Short: "A notice, its history and its delivery report",
		Args:  needOne,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var n adminapi.NoticeView
			raw, err := c.do(cmd.Context(), "GET", noticePath(args[0]), nil, &n)
			if err != nil {
				return err
			}
			if g.json {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			writeNotice(cmd.OutOrStdout(), n)
			return nil
		},
	}
}
