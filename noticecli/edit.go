package noticecli

import (
	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func editCommand(g *globals) *cobra.Command {
	var f contentFlags
	cmd := &cobra.Command{
		Use:   "edit ID [--title T] [--body B | --body-file F] [--audience A ...] [--urgent=false] ...",
		Short: "Change a draft or rejected notice (only the flags given)",
		Args:  needOne,
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := f.input(cmd, false)
			if err != nil {
				return err
			}
			if in == (adminapi.NoticeInput{}) {
				return cli.Usagef("edit: nothing to change")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			raw, err := c.call(cmd.Context(), "PATCH", noticePath(args[0]), in)
			if err != nil {
				return err
			}
			return printChanged(cmd.OutOrStdout(), g, raw, "已修改通知 %s，状态：%s")
		},
	}
	f.register(cmd)
	return cmd
}
