package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/handlers/console"
	"github.com/yingpu/govbot/index"
)

// askLine is one question read from stdin as JSON. Lines with the same
// User are one conversation, in order, as messages from one follower; a
// line without one is a conversation of its own.
type askLine struct {
	Q    string   `json:"q"`
	Lat  *float64 `json:"lat"`
	Lon  *float64 `json:"lon"`
	User string   `json:"user"`
}

// askResult is one line of `govbot ask --json`: the same as a running
// server's console answers (with "choices": the disclosures the reply
// numbers, in order; a bare "2" on the next line of the same user picks
// choices[1]).
type askResult = console.Reply

// askOptions are the flags of `govbot ask`.
type askOptions struct {
	cli.ConfigFlags
	lat, lon float64
	now      string
	json     bool
	explain  bool
	server   string
}

func askCommand() *cobra.Command {
	var o askOptions
	cmd := &cobra.Command{
		Use:   "ask [\"问题\"]",
		Short: "Ask a question as a resident would, from the terminal",
		Long: `Print the answer a resident would get, as of --now (default today,
Asia/Shanghai). Without a question, read one a line from standard input: plain
text, or JSON {"q":…, "lat":…, "lon":…}; a bad line is reported and skipped.`,
		Example: `  govbot ask "低保标准是多少"
  govbot ask --lat 31.1516 --lon 121.1179 "附近的长者食堂"
  govbot ask --now 2026-11-26 --json < examples/questions.txt`,
		RunE: func(cmd *cobra.Command, words []string) error {
			fs := cmd.Flags()
			if fs.Changed("lat") != fs.Changed("lon") {
				return cli.Usagef("--lat and --lon go together")
			}
			var geo *index.Point
			if fs.Changed("lat") {
				if o.lat < -90 || o.lat > 90 || o.lon < -180 || o.lon > 180 {
					return cli.Usagef("--lat/--lon out of range")
				}
				geo = &index.Point{Lat: o.lat, Lon: o.lon}
			}
			clk, err := cli.DateClock("now", o.now)
			if err != nil {
				return err
			}
			return runAsk(cmd.Context(), o, clk, geo, words, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	o.ConfigFlags.Register(fs)
	fs.Float64Var(&o.lat, "lat", 0, "latitude of the resident's shared location (with --lon)")
	fs.Float64Var(&o.lon, "lon", 0, "longitude of the resident's shared location (with --lat)")
	fs.StringVar(&o.now, "now", "", "answer as of this `date` (YYYY-MM-DD, Asia/Shanghai; default today)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object a question")
	fs.BoolVar(&o.explain, "explain", false, "with --json: each hit gains the terms it matched (\"matched\") and its ranking factors (\"factors\"), the answer the disclosures left out and why (\"skipped\"); needs the index itself, not --server")
	fs.StringVar(&o.server, "server", "", "ask the running govbot at this `URL` (its console) instead of opening the index")
	return cmd
}

func runAsk(ctx context.Context, o askOptions, clk clock.Clock, geo *index.Point, words []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := o.Load((*config.Config).CheckPaths)
	if err != nil {
		return err
	}
	answer, closeAnswerer, err := openAnswerer(ctx, o, cfg, clk, stderr)
	if err != nil {
		return err
	}
	defer closeAnswerer()

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	ask := func(user, q string, geo *index.Point) error {
		res, err := answer(ctx, user, q, geo)
		if err != nil {
			return err
		}
		if o.json {
			b, err := json.Marshal(res)
			if err != nil {
				return err
			}
			out.Write(b)
			out.WriteByte('\n')
			return nil
		}
		fmt.Fprintf(out, "%s\n\n", res.Text)
		return nil
	}
	if len(words) > 0 {
		return ask("argv", strings.Join(words, " "), geo)
	}
	if cli.IsTerminal(stdin) {
		fmt.Fprintln(stderr, "govbot: type one question a line; Ctrl-D ends (or: govbot ask \"问题\")")
	}
	// One question a line: plain text, or JSON {"q":…, "lat":…, "lon":…}.
	// A bad line is reported and skipped; the rest are still answered, and
	// the exit status says that some were not.
	bad := 0
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		q, g, user := line, geo, fmt.Sprintf("line-%d", n)
		if strings.HasPrefix(line, "{") {
			var al askLine
			if err := json.Unmarshal([]byte(line), &al); err != nil {
				fmt.Fprintf(stderr, "govbot: stdin line %d skipped: not valid JSON: %v\n", n, err)
				bad++
				continue
			}
			q = al.Q
			if al.User != "" {
				user = "user-" + al.User
			}
			if al.Lat != nil && al.Lon != nil {
				g = &index.Point{Lat: *al.Lat, Lon: *al.Lon}
			}
		}
		if err := ask(user, q, g); err != nil {
			return fmt.Errorf("stdin line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("%d stdin lines were not questions", bad)
	}
	return nil
}

// answerer answers one message of a conversation (user) for ask.
type answerer func(ctx context.Context, user, q string, geo *index.Point) (askResult, error)

// openAnswerer opens the index read for ask, or, when --server is given or
// a running serve holds the index, asks that server's console; it says on
// stderr which.
func openAnswerer(ctx context.Context, o askOptions, cfg config.Config, clk clock.Clock, stderr io.Writer) (answerer, func() error, error) {
	server, fallback := o.server, false
	if server == "" {
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		opts := indexOptions(cfg, clk, logger)
		// A serve holds the index for as long as it runs: waiting for it
		// is pointless when its console can answer.
		opts.LockWait = askLockWait
		ix, err := index.OpenOrBuild(ctx, opts)
		if err == nil {
			fmt.Fprintf(stderr, "govbot: answering from the index in %s\n", indexDir(cfg))
			render := bot.NewRenderer(bot.RenderOptionsFor(cfg))
			talk := bot.NewDialogue(ix, render, clk, bot.ConversationOptionsFor(cfg))
			return func(ctx context.Context, user, q string, geo *index.Point) (askResult, error) {
				t, err := talk.Reply(ctx, bot.Input{User: user, Text: q, Geo: geo})
				res := askResult{Q: q, Kind: t.Kind, Answered: t.Answered, Confidence: t.Confidence, Text: t.Text, Hits: t.Hits, Choices: t.Choices}
				if err == nil && o.explain {
					err = explain(ctx, ix, q, geo, &res)
				}
				return res, err
			}, ix.Close, nil
		}
		if !errors.Is(err, index.ErrInUse) {
			return nil, nil, err
		}
		server, fallback = localURL(cfg.Listen), true
		fmt.Fprintf(stderr, "govbot: the index is held by a running govbot serve: asking it at %s/console/ask\n", server)
	} else {
		fmt.Fprintf(stderr, "govbot: asking the running govbot at %s/console/ask\n", strings.TrimRight(server, "/"))
	}
	if o.explain {
		fmt.Fprintln(stderr, "govbot: --explain needs the index itself; the running server's answers carry no explanation")
	}
	c := console.Client{BaseURL: server, HTTP: &http.Client{Timeout: askServerTimeout}}
	return func(ctx context.Context, user, q string, geo *index.Point) (askResult, error) {
		req := console.AskRequest{Q: q, Now: o.now, User: user}
		if geo != nil {
			req.Lat, req.Lon = &geo.Lat, &geo.Lon
		}
		r, err := c.Ask(ctx, req)
		if err != nil && fallback {
			err = fmt.Errorf("the index in %s is held by another govbot process, and asking the server at %s failed: %w", indexDir(cfg), server, err)
		}
		return r, err
	}, func() error { return nil }, nil
}

// askLockWait is how long ask waits for an index another process holds
// before asking the running server instead.
const askLockWait = 300 * time.Millisecond

// explain adds the index's explanation of q to res: each hit's matched
// terms and ranking factors, and what was left out and why.
func explain(ctx context.Context, ix *index.Index, q string, geo *index.Point, res *askResult) error {
	ex, err := ix.Ask(ctx, index.Query{Text: q, Geo: geo, Explain: true})
	if err != nil {
		return err
	}
	byID := map[string]index.Hit{}
	for _, h := range ex.Hits {
		byID[h.ID] = h
	}
	for i, h := range res.Hits {
		if e, ok := byID[h.ID]; ok {
			res.Hits[i].Matched, res.Hits[i].Factors = e.Matched, e.Factors
		}
	}
	res.Skipped = ex.Skipped
	if res.Skipped == nil {
		res.Skipped = []index.Skipped{}
	}
	return nil
}

// askServerTimeout bounds one question asked of a running server.
const askServerTimeout = 30 * time.Second

// localURL is the URL of a server listening on addr, as reached from this
// machine: an unspecified host (":8080", "0.0.0.0:8080") is 127.0.0.1.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
