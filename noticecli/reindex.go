package noticecli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/handlers/adminapi"
	"github.com/yingpu/govbot/indexjobs"
)

func reindexCommand(g *globals) *cobra.Command {
	var (
		noWait   bool
		job      uint64
		interval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the running server's index from its data directory and swap it in (admins)",
		Long: `Start a reindex on the running server: it runs there as a job, and the command
follows its progress (documents done of how many) until it ends, then prints
the outcome; it exits 1 if the job failed or was refused. --no-wait prints
the job and returns at once; --job ID follows a job already started.`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, w := cmd.Context(), cmd.OutOrStdout()
			var j adminapi.ReindexJob
			var raw []byte
			if job != 0 {
				raw, err = c.do(ctx, "GET", "/api/reindex/"+strconv.FormatUint(job, 10), nil, &j)
			} else {
				raw, err = c.do(ctx, "POST", "/api/reindex", nil, &j)
			}
			if err != nil {
				return err
			}
			if !noWait {
				if j, raw, err = follow(ctx, c, j, interval, cmd.ErrOrStderr()); err != nil {
					return err
				}
			}
			if g.json {
				return printJSON(w, raw)
			}
			return printJob(w, j)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&noWait, "no-wait", false, "print the job started and return at once")
	fs.Uint64Var(&job, "job", 0, "follow the reindex job `ID` instead of starting one")
	fs.DurationVar(&interval, "interval", time.Second, "how often to ask for the job's progress")
	return cmd
}

// follow polls the job until it ends, telling its progress on progress.
func follow(ctx context.Context, c *client, j adminapi.ReindexJob, interval time.Duration, progress io.Writer) (adminapi.ReindexJob, []byte, error) {
	var raw []byte
	last := ""
	for j.Running {
		if s := fmt.Sprintf("重建索引任务 %d：已处理 %d / %d 条", j.ID, j.Done, j.Total); s != last {
			fmt.Fprintln(progress, s)
			last = s
		}
		select {
		case <-ctx.Done():
			return j, raw, ctx.Err()
		case <-time.After(interval):
		}
		var err error
		if raw, err = c.do(ctx, "GET", j.Location, nil, &j); err != nil {
			return j, raw, err
		}
	}
	if raw == nil {
		var err error
		if raw, err = c.do(ctx, "GET", j.Location, nil, &j); err != nil {
			return j, raw, err
		}
	}
	return j, raw, nil
}

func printJob(w io.Writer, j adminapi.ReindexJob) error {
	switch {
	case j.Running:
		fmt.Fprintf(w, "重建索引任务 %d 已开始（%s），进度：%d / %d；用 --job %d 跟踪\n", j.ID, j.Started.Format(time.RFC3339), j.Done, j.Total, j.ID)
		return nil
	case j.State == indexjobs.StateDone:
		fmt.Fprintf(w, "已重建索引 %s（任务 %d）：收录 %d 条，草稿 %d 条，隐私检查拦截 %d 条，错误 %d 条\n",
			j.Generation, j.ID, j.Indexed, j.Drafts, j.Blocked, j.Errors)
		for _, p := range j.Problems {
			fmt.Fprintln(w, "  "+p)
		}
		return nil
	}
	fmt.Fprintf(w, "重建索引任务 %d 未完成（%s）：%s\n", j.ID, j.State, j.Message)
	for _, p := range j.Problems {
		fmt.Fprintln(w, "  "+p)
	}
	return cli.Exit(1, fmt.Errorf("reindex job %d: %s", j.ID, j.State))
}
