package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/index"
)

// askHit and askLineOut read `govbot ask --json` output as a consumer would.
type askHit struct {
	ID         string   `json:"id"`
	Score      float64  `json:"score"`
	Title      string   `json:"title"`
	URL        string   `json:"url"`
	DistanceKm *float64 `json:"distance_km"`
}

type askLineOut struct {
	Q        string   `json:"q"`
	Answered bool     `json:"answered"`
	Text     string   `json:"text"`
	Hits     []askHit `json:"hits"`
}

// askIDs make a small corpus: two editions of the 低保 standard and the
// guide, unemployment insurance, a current typhoon warning and places to
// eat with their locations.
var askIDs = []string{
	"ben-001", "ben-002", "ben-003", "ben-007", "emp-003", "emp-004", "emg-003",
	"eld-001", "eld-002", "eld-003", "eld-008", "eld-009",
}

func decodeAskLines(t *testing.T, out string) []askLineOut {
	t.Helper()
	var res []askLineOut
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		var r askLineOut
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("output line is not one JSON object: %v\n%s", err, line)
		}
		for _, k := range []string{"q", "answered", "text", "hits"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("output line lacks %q: %s", k, line)
			}
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		res = append(res, r)
	}
	return res
}

func checkRanked(t *testing.T, r askLineOut) {
	t.Helper()
	for i := 1; i < len(r.Hits); i++ {
		if r.Hits[i].Score > r.Hits[i-1].Score {
			t.Errorf("%q: hits not by score descending: %v", r.Q, r.Hits)
			return
		}
	}
}

func TestAsk(t *testing.T) {
	data := copyDataDir(t, askIDs)
	state := t.TempDir()

	// First use: no index yet, so ask builds one.
	code, out, errOut := runGovbot(t, "", "ask", "--data", data, "--state", state, "--now", "2026-11-26", "--json", "低保标准")
	if code != 0 {
		t.Fatalf("ask exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if strings.Count(strings.TrimRight(out, "\n"), "\n") != 0 {
		t.Fatalf("want exactly one output line, got:\n%s", out)
	}
	res := decodeAskLines(t, out)[0]
	if res.Q != "低保标准" || !res.Answered || res.Text == "" {
		t.Errorf("got q=%q answered=%v text=%q", res.Q, res.Answered, res.Text)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != "ben-002" {
		t.Fatalf("hits %+v, want ben-002 (the standard in force on 2026-11-26) first", res.Hits)
	}
	if !strings.Contains(res.Text, res.Hits[0].Title) || !strings.Contains(res.Text, res.Hits[0].URL) {
		t.Errorf("text does not name and link the best hit:\n%s", res.Text)
	}
	checkRanked(t, res)

	// --explain: each hit's matched terms and factors, and what was left
	// out and why (the 2022 edition, superseded).
	code, out, errOut = runGovbot(t, "", "ask", "--data", data, "--state", state, "--now", "2026-11-26", "--json", "--explain", "低保标准")
	if code != 0 {
		t.Fatalf("ask --explain exit %d\n%s", code, errOut)
	}
	var ex struct {
		Hits []struct {
			ID      string             `json:"id"`
			Matched []index.Match      `json:"matched"`
			Factors map[string]float64 `json:"factors"`
		} `json:"hits"`
		Skipped []index.Skipped `json:"skipped"`
	}
	if err := json.Unmarshal([]byte(out), &ex); err != nil || len(ex.Hits) == 0 {
		t.Fatalf("ask --explain output %q: %v", out, err)
	}
	if len(ex.Hits[0].Matched) == 0 || ex.Hits[0].Factors["coverage"] <= 0 {
		t.Errorf("--explain: top hit lacks matched/factors: %+v", ex.Hits[0])
	}
	superseded := false
	for _, s := range ex.Skipped {
		superseded = superseded || s.ID == "ben-001" && s.Reason == "superseded"
	}
	if !superseded {
		t.Errorf("--explain: ben-001 not skipped as superseded: %+v", ex.Skipped)
	}

	// Flags may follow the question, as people type them.
	code, out, errOut = runGovbot(t, "", "ask", "--data", data, "--state", state, "附近的长者食堂", "--lat", "31.1516", "--lon", "121.1179", "--now", "2026-11-26", "--json")
	if code != 0 {
		t.Fatalf("ask with flags after the question: exit %d\n%s", code, errOut)
	}
	if geo := decodeAskLines(t, out)[0]; geo.Q != "附近的长者食堂" || !geo.Answered || len(geo.Hits) == 0 || geo.Hits[0].DistanceKm == nil {
		t.Errorf("flags after the question were not read as flags: %+v", geo)
	}
	if _, err := os.Stat(filepath.Join(state, "index", "CURRENT")); err != nil {
		t.Errorf("ask did not leave its index in the state dir: %v", err)
	}

	// --now decides what is current: before 2023-07-01 the 2022 edition.
	// Stdin: one question a line, plain or JSON (unknown fields ignored),
	// blank lines skipped; a bad JSON line is reported by number and
	// skipped, and the lines after it are still answered.
	stdin := strings.Join([]string{
		"低保标准",
		"",
		`{"q":"附近的长者食堂","lat":31.1516,"lon":121.1179,"source":"wechat","n":3}`,
		`{"q":"失业保险金领取期限","note":"x"}`,
		`{"lat":31.1516,"lon":121.1179}`,
		`{"q":"没写完"`,
		"失业金怎么领",
	}, "\n") + "\n"
	code, out, errOut = runGovbot(t, stdin, "ask", "--data", data, "--state", state, "--now", "2023-01-15", "--json")
	if code == 0 {
		t.Errorf("a bad stdin line exited 0")
	}
	if !strings.Contains(errOut, "stdin line 6") {
		t.Errorf("stderr does not name the bad line 6:\n%s", errOut)
	}
	lines := decodeAskLines(t, out)
	if len(lines) != 5 || lines[4].Q != "失业金怎么领" {
		t.Fatalf("want 5 answers (the bad line skipped), got %d:\n%s", len(lines), out)
	}
	// Answers to text questions are ranked by score; places by distance.
	checkRanked(t, lines[0])
	checkRanked(t, lines[2])
	if r := lines[0]; r.Q != "低保标准" || len(r.Hits) == 0 || r.Hits[0].ID != "ben-001" {
		t.Errorf("低保标准 as of 2023-01-15: q=%q hits %+v, want ben-001 first", r.Q, r.Hits)
	}
	geo := lines[1]
	if geo.Q != "附近的长者食堂" || !geo.Answered || len(geo.Hits) < 2 {
		t.Fatalf("geo question: %+v", geo)
	}
	for i, h := range geo.Hits[:2] {
		if h.DistanceKm == nil {
			t.Fatalf("geo hit %d (%s) has no distance_km", i, h.ID)
		}
	}
	if *geo.Hits[0].DistanceKm > *geo.Hits[1].DistanceKm {
		t.Errorf("geo hits not nearest first: %+v", geo.Hits)
	}
	if !strings.Contains(geo.Text, "米") && !strings.Contains(geo.Text, "公里") {
		t.Errorf("geo text names no distance:\n%s", geo.Text)
	}
	if r := lines[2]; r.Q != "失业保险金领取期限" || len(r.Hits) == 0 || r.Hits[0].ID != "emp-004" {
		t.Errorf("失业保险金领取期限: q=%q hits %+v, want emp-004 first", r.Q, r.Hits)
	}
	if r := lines[3]; r.Q != "" || !r.Answered || len(r.Hits) == 0 || r.Hits[0].DistanceKm == nil {
		t.Errorf("bare location: %+v, want nearby places", r)
	}

	// Without --json: the words make one question, and the reply is the
	// text a resident reads.
	code, out, errOut = runGovbot(t, "", "ask", "--data", data, "--state", state, "--now", "2026-11-26", "失业保险金", "领取期限")
	if code != 0 {
		t.Fatalf("plain ask exit %d\nstderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "【失业保险金申领办事指南】") || !strings.Contains(out, "最长可领取12个月") {
		t.Errorf("plain reply:\n%s", out)
	}
	if strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Errorf("plain mode printed JSON:\n%s", out)
	}
}

func TestAskRejectsBadFlags(t *testing.T) {
	data := copyDataDir(t, askIDs[:1])
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"lat without lon", []string{"--lat", "31.15"}, "--lat and --lon"},
		{"lon without lat", []string{"--lon", "121.1"}, "--lat and --lon"},
		{"lat out of range", []string{"--lat", "95", "--lon", "121.1"}, "out of range"},
		{"bad --now", []string{"--now", "2026-13-01"}, "--now"},
		{"--now not a date", []string{"--now", "tomorrow"}, "YYYY-MM-DD"},
		{"not a number", []string{"--lat", "north", "--lon", "121.1"}, "lat"},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			args := append([]string{"ask", "--data", data, "--state", state}, c.args...)
			args = append(args, "低保标准")
			code, out, errOut := runGovbot(t, "", args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (usage)\nstdout:\n%s", code, out)
			}
			if n := strings.Count(errOut, "govbot:"); n != 1 {
				t.Errorf("the error is printed %d times:\n%s", n, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr does not mention %q:\n%s", c.want, errOut)
			}
			if entries, _ := os.ReadDir(filepath.Join(state, "index")); len(entries) > 0 {
				t.Error("a refused ask built an index")
			}
		})
	}
}

// TestAskHelp: --help exits 0 and shows no meaningless defaults.
func TestAskHelp(t *testing.T) {
	code, out, errOut := runGovbot(t, "", "ask", "--help")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"--lat", "--lon", "--now", "--json", "--config"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "NaN") || strings.Contains(out, "(default 0)") {
		t.Errorf("help shows a meaningless default:\n%s", out)
	}
}

// TestAskBesideServe: with a serve holding the index, ask asks that
// server (at the configured listen address) and says so; --server asks a
// server by its URL; both answer as ask does on its own, as of --now.
func TestAskBesideServe(t *testing.T) {
	data := copyDataDir(t, askIDs)
	state := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	cfgFile := filepath.Join(t.TempDir(), "govbot.yaml")
	if err := os.WriteFile(cfgFile, []byte("listen: "+listen+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"--config", cfgFile, "--data", data, "--state", state}

	code, alone, errOut := runGovbot(t, "", append([]string{"ask", "--json", "--now", "2026-11-26", "低保标准是多少"}, common...)...)
	if code != 0 || !strings.Contains(errOut, "answering from the index in "+state) {
		t.Fatalf("ask alone: exit %d\n%s", code, errOut)
	}

	addr, stop := startServe(t, common...)
	defer stop()
	if addr != listen {
		t.Fatalf("serve listens on %s, configured %s", addr, listen)
	}
	code, beside, errOut := runGovbot(t, "", append([]string{"ask", "--json", "--now", "2026-11-26", "低保标准是多少"}, common...)...)
	if code != 0 {
		t.Fatalf("ask beside serve: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "held by a running govbot serve: asking it at http://"+listen+"/console/ask") {
		t.Errorf("ask does not say it asked the server:\n%s", errOut)
	}
	a, b := decodeAskLines(t, alone), decodeAskLines(t, beside)
	if len(a) != 1 || len(b) != 1 || !b[0].Answered || b[0].Text != a[0].Text || len(b[0].Hits) == 0 || b[0].Hits[0].ID != a[0].Hits[0].ID {
		t.Errorf("beside serve the answer differs:\nalone  %+v\nbeside %+v", a, b)
	}

	code, out, errOut := runGovbot(t, `{"q":"附近的长者食堂","lat":31.1516,"lon":121.1179}`+"\n", "ask", "--server", "http://"+listen, "--json")
	if code != 0 || !strings.Contains(errOut, "asking the running govbot at http://"+listen) {
		t.Fatalf("ask --server: exit %d\n%s", code, errOut)
	}
	if r := decodeAskLines(t, out); len(r) != 1 || len(r[0].Hits) == 0 || r[0].Hits[0].DistanceKm == nil {
		t.Errorf("ask --server with a location: %s", out)
	}
}

// TestAskIndexHeldNoServer: when another process holds the index and no
// server answers at the listen address, ask fails at once saying both.
func TestAskIndexHeldNoServer(t *testing.T) {
	data := copyDataDir(t, askIDs[:3])
	state := t.TempDir()
	if code, _, errOut := runGovbot(t, "", "reindex", "--data", data, "--state", state); code != 0 {
		t.Fatalf("reindex: %s", errOut)
	}
	cfg := config.Default()
	cfg.DataDir, cfg.StateDir = data, state
	held, err := index.OpenOrBuild(context.Background(), indexOptions(cfg, clock.System{}, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	cfgFile := filepath.Join(t.TempDir(), "govbot.yaml")
	os.WriteFile(cfgFile, []byte("listen: "+free+"\n"), 0o644)

	start := time.Now()
	code, _, errOut := runGovbot(t, "", "ask", "--config", cfgFile, "--data", data, "--state", state, "低保标准")
	if code != 1 || !strings.Contains(errOut, "is held by another govbot process, and asking the server at http://"+free+" failed") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}
