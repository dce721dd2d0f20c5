// Command govbot answers residents' questions on WeChat from a subdistrict's
// published disclosures (政务公开) and delivers staff's approved, targeted
// notices to exactly their audience.
//
// Each subcommand is one file (cmd_*.go here, or its own package) with a
// constructor returning a *cobra.Command, and one line in commands below;
// docs/cli.md says how to add one.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/noticecli"
)

// commands are govbot's subcommands, in the order --help lists them.
func commands() []*cobra.Command {
	return []*cobra.Command{
		serveCommand(),
		reindexCommand(),
		askCommand(),
		importCommand(),
		syncCommand(),
		noticecli.Command(),
		userCommand(),
		versionCommand(),
		configCommand(),
	}
}

// rootCommand is the govbot command tree.
func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "govbot",
		Short: "WeChat answers from published disclosures, and targeted notices",
		Long: `govbot answers residents on WeChat from a subdistrict's published disclosures
(政务公开), and delivers staff's approved, targeted notices to exactly their audience.
Every command and flag: docs/cli.md.`,
		Example: `  govbot serve                  # the bot on the sample data: http://127.0.0.1:8080/console/
  govbot ask "低保标准是多少"   # a question from the terminal, beside serve or alone
  govbot notice list            # notices, through the running server (GOVBOT_TOKEN)`,
	}
	root.AddCommand(commands()...)
	return root
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs govbot with args and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cli.Execute(ctx, rootCommand(), args, cli.IO{In: stdin, Out: stdout, Err: stderr})
}
