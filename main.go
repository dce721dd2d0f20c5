// Command govbot answers residents' questions on WeChat from a subdistrict's
// published disclosures (政务公开) and delivers staff's approved, targeted
// notices to exactly their audience.
//
//	govbot serve    run the bot (webhooks, admin API, notice delivery)
//	govbot reindex  rebuild the index from the data directory, atomically
//	govbot ask      ask a question as a resident would, from the terminal
//	govbot import   read saved pages, Word, PDF, spreadsheets into disclosures
//	govbot sync     fetch what is new or changed on the sources' sites
//	govbot notice   manage notices through a running server's admin API
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/yingpu/govbot/config"
)

const usage = `govbot: WeChat answers from published disclosures, and targeted notices.

Usage:
  govbot serve    [--config FILE] [--data DIR] [--state DIR] [--listen ADDR]
  govbot reindex  [--config FILE] [--data DIR] [--state DIR] [--strict]
  govbot ask      [--config FILE] [--data DIR] [--state DIR] [--lat N --lon N] [--now YYYY-MM-DD] [--json] ["问题"]
  govbot import   [--config FILE] [--source NAME] [--approve-as NAME] [--dry-run] FILE|DIR...
  govbot sync     [--config FILE] [--source NAME] [--approve-as NAME] [--dry-run]
  govbot notice   [--server URL] [--token T] COMMAND ...   (notices, audit, unanswered, reindex: see govbot notice help)

Run "govbot COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case "reindex":
		err = runReindex(ctx, args[1:], stdout, stderr)
	case "ask":
		err = runAsk(ctx, args[1:], stdin, stdout, stderr)
	case "import":
		err = runImport(ctx, args[1:], stdout, stderr)
	case "sync":
		err = runSync(ctx, args[1:], stdout, stderr)
	case "notice":
		err = runNotice(ctx, args[1:], stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "govbot: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "govbot:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "govbot:", err)
	return 1
}

// commonFlags are the flags every subcommand that reads config takes.
type commonFlags struct {
	config, data, state string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "YAML configuration `file` (default: built-in defaults, sample data in ./data)")
	fs.StringVar(&c.data, "data", "", "data `dir`ectory with disclosures and lexicon (overrides data_dir)")
	fs.StringVar(&c.state, "state", "", "state `dir`ectory for the index and database (overrides state_dir)")
}

// load reads the configuration, applies the flag overrides and validates.
func (c *commonFlags) load() (config.Config, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return cfg, err
	}
	if c.data != "" {
		cfg.DataDir = c.data
	}
	if c.state != "" {
		cfg.StateDir = c.state
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}
