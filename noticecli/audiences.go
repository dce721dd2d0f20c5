package noticecli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
)

func audiencesCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "audiences",
		Short: "The configured audiences and how many recipients each has",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out adminapi.AudienceList
			raw, err := c.do(cmd.Context(), "GET", "/api/audiences", nil, &out)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if g.json {
				return printJSON(w, raw)
			}
			if len(out.Audiences) == 0 {
				fmt.Fprintln(w, "没有配置受众（config: audiences）。")
				return nil
			}
			for _, a := range out.Audiences {
				kinds := make([]string, 0, len(a.Counts))
				for k := range a.Counts {
					kinds = append(kinds, k)
				}
				sort.Strings(kinds)
				parts := make([]string, len(kinds))
				for i, k := range kinds {
					parts[i] = fmt.Sprintf("%s %d", targetKindName(k), a.Counts[k])
				}
				fmt.Fprintf(w, "%s：%s\n", a.Name, strings.Join(parts, "，"))
				if a.Unavailable != "" {
					fmt.Fprintf(w, "  不可用：%s\n", a.Unavailable)
				}
			}
			return nil
		},
	}
}
