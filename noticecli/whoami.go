package noticecli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func whoamiCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "The user the token belongs to, and their roles",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out adminapi.UserView
			raw, err := c.do(cmd.Context(), "GET", "/api/me", nil, &out)
			if err != nil {
				return err
			}
			if g.json {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s（%s）\n", out.Name, strings.Join(out.Roles, "、"))
			return nil
		},
	}
}
