package noticecli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func reindexCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the running server's index from its data directory and swap it in (admins)",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out adminapi.ReindexResult
			raw, err := c.do(cmd.Context(), "POST", "/api/reindex", nil, &out)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if g.json {
				return printJSON(w, raw)
			}
			fmt.Fprintf(w, "已重建索引 %s：收录 %d 条，草稿 %d 条，隐私检查拦截 %d 条，错误 %d 条\n",
				out.Generation, out.Indexed, out.Drafts, out.Blocked, out.Errors)
			for _, p := range out.Problems {
				fmt.Fprintln(w, "  "+p)
			}
			return nil
		},
	}
}
