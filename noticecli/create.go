package noticecli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func createCommand(g *globals) *cobra.Command {
	var f contentFlags
	var submit bool
	cmd := &cobra.Command{
		Use:   "create --title T (--body B | --body-file F) --audience A [--audience B ...]",
		Short: "Write a notice (a draft, or submitted at once with --submit)",
		Example: `  govbot notice create --title 防汛预警 --body-file notice.txt --audience 防汛 --urgent --submit
  govbot notice create --title 停水通知 --body-file - --audience 楼组长 --public --expires 2024-06-30 < body.txt`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := f.input(cmd, true)
			if err != nil {
				return err
			}
			if f.title == "" || f.body == "" || len(f.audiences) == 0 {
				return cli.Usagef("create needs --title, --body (or --body-file) and at least one --audience")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var n adminapi.NoticeView
			raw, err := c.do(cmd.Context(), "POST", "/api/notices", in, &n)
			if err != nil {
				return err
			}
			if !submit {
				return printChanged(cmd.OutOrStdout(), g, raw, "已创建通知 %s，状态：%s。提交审核：govbot notice submit <ID>")
			}
			raw, err = c.call(cmd.Context(), "POST", noticePath(n.ID, "submit"), nil)
			if err != nil {
				return fmt.Errorf("通知 %s 已创建为草稿，但提交审核失败：%w", n.ID, err)
			}
			return printChanged(cmd.OutOrStdout(), g, raw, "已创建并提交通知 %s，状态：%s")
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&submit, "submit", false, "submit for review at once")
	return cmd
}
