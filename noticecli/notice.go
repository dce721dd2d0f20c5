// Package noticecli is `govbot notice`: a client of a running server's
// admin API (handlers/adminapi) for writing, reviewing and following
// notices, reading the audit log and what residents asked that nothing
// answered, and reindexing. It sends and decodes the API's own request and
// response types.
//
// Each subcommand is one file here with a constructor taking the shared
// *globals; Command registers them.
package noticecli

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
)

// DefaultServer is the server asked when neither --server nor
// GOVBOT_SERVER is set.
const DefaultServer = "http://127.0.0.1:8080"

// requestTimeout bounds one API call (a reindex can take a while).
const requestTimeout = 2 * time.Minute

// globals are the flags every notice subcommand takes.
type globals struct {
	server, token string
	json          bool
}

// client returns the API client of the flags, the environment and the
// defaults; no token is a usage error.
func (g *globals) client() (*client, error) {
	server := g.server
	if server == "" {
		server = os.Getenv("GOVBOT_SERVER")
	}
	if server == "" {
		server = DefaultServer
	}
	token := g.token
	if token == "" {
		token = os.Getenv("GOVBOT_TOKEN")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, cli.Usagef("no token: set GOVBOT_TOKEN or pass --token")
	}
	return newClient(server, token, requestTimeout), nil
}

// Command returns `govbot notice` and its subcommands.
func Command() *cobra.Command {
	g := &globals{}
	cmd := &cobra.Command{
		Use:   "notice",
		Short: "Write, review and follow notices through a running server's admin API",
		Long: `Write, review and follow notices through a running server's admin API.

The server is --server, or GOVBOT_SERVER, or ` + DefaultServer + `.
The token is --token, or GOVBOT_TOKEN (prefer the variable: command lines are
visible to others).`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&g.server, "server", "", "admin API `URL` of the running govbot (default $GOVBOT_SERVER or "+DefaultServer+")")
	pf.StringVar(&g.token, "token", "", "bearer `token` (default $GOVBOT_TOKEN)")
	pf.BoolVar(&g.json, "json", false, "print the server's JSON")
	cmd.AddCommand(
		createCommand(g),
		editCommand(g),
		submitCommand(g),
		approveCommand(g),
		rejectCommand(g),
		cancelCommand(g),
		getCommand(g),
		listCommand(g),
		audiencesCommand(g),
		auditCommand(g),
		whoamiCommand(g),
		unansweredCommand(g),
		reindexCommand(g),
		syncCommand(g),
	)
	return cmd
}
