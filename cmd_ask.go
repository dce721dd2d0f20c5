package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"

	"github.com/yingpu/govbot/bot"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/index"
)

// askLine is one question read from stdin as JSON.
type askLine struct {
	Q   string   `json:"q"`
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
}

// askResult is one line of `govbot ask --json`.
type askResult struct {
	Q          string      `json:"q"`
	Answered   bool        `json:"answered"`
	Confidence float64     `json:"confidence"`
	Text       string      `json:"text"`
	Hits       []index.Hit `json:"hits"`
}

func runAsk(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf commonFlags
	cf.register(fs)
	lat := fs.Float64("lat", math.NaN(), "latitude of the resident's shared location")
	lon := fs.Float64("lon", math.NaN(), "longitude of the resident's shared location")
	nowFlag := fs.String("now", "", "answer as of this `date` (YYYY-MM-DD, Asia/Shanghai; default today)")
	asJSON := fs.Bool("json", false, "print one JSON object a question")
	// Flags may come before or after the question.
	words, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	var clk clock.Clock = clock.System{}
	if *nowFlag != "" {
		day, err := clock.ParseDate(*nowFlag)
		if err != nil {
			return fmt.Errorf("--now: %q is not a date YYYY-MM-DD", *nowFlag)
		}
		clk = clock.Fixed(day.Add(12 * 3600e9)) // midday of that day
	}
	if math.IsNaN(*lat) != math.IsNaN(*lon) {
		return fmt.Errorf("--lat and --lon go together")
	}
	var geo *index.Point
	if !math.IsNaN(*lat) {
		if *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180 {
			return fmt.Errorf("--lat/--lon out of range")
		}
		geo = &index.Point{Lat: *lat, Lon: *lon}
	}
	ix, err := index.OpenOrBuild(ctx, indexOptions(cfg, clk, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		return err
	}
	defer ix.Close()

	render := bot.NewRenderer(bot.RenderOptionsFor(cfg))
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	ask := func(q string, geo *index.Point) error {
		ans, err := ix.Ask(ctx, index.Query{Text: q, Geo: geo})
		if err != nil {
			return err
		}
		text := render.AnswerText(ans)
		if *asJSON {
			b, err := json.Marshal(askResult{Q: q, Answered: ans.Answered, Confidence: ans.Confidence, Text: text, Hits: ans.Hits})
			if err != nil {
				return err
			}
			out.Write(b)
			out.WriteByte('\n')
			return nil
		}
		fmt.Fprintf(out, "%s\n\n", text)
		return nil
	}
	if len(words) > 0 {
		return ask(strings.Join(words, " "), geo)
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
		q, g := line, geo
		if strings.HasPrefix(line, "{") {
			var al askLine
			if err := json.Unmarshal([]byte(line), &al); err != nil {
				fmt.Fprintf(stderr, "govbot: stdin line %d skipped: not valid JSON: %v\n", n, err)
				bad++
				continue
			}
			q = al.Q
			if al.Lat != nil && al.Lon != nil {
				g = &index.Point{Lat: *al.Lat, Lon: *al.Lon}
			}
		}
		if err := ask(q, g); err != nil {
			return fmt.Errorf("stdin line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if bad > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d stdin lines were not questions", bad)}
	}
	return nil
}
