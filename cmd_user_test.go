package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/yingpu/govbot/auth"
	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
	"github.com/yingpu/govbot/metrics"
)

func TestUserHash(t *testing.T) {
	code, out, errOut := runGovbot(t, "一个足够长的密码 2026\n", "user", "hash")
	h := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(h, "$argon2id$") || !auth.VerifyPassword(h, "一个足够长的密码 2026") {
		t.Fatalf("user hash: %d %q %q", code, out, errOut)
	}
	if err := auth.CheckHash(h); err != nil {
		t.Errorf("printed hash does not check: %v", err)
	}
	// The hash is what config accepts.
	cfg := config.Default()
	cfg.Users = []config.User{{Name: "li", Roles: []string{config.RoleStaff}, PasswordHash: h}}
	if err := cfg.Validate(); err != nil {
		t.Errorf("config with only a password hash: %v", err)
	}
	for _, in := range []string{"", "short\n"} {
		if code, _, errOut := runGovbot(t, in, "user", "hash"); code != 2 || errOut == "" {
			t.Errorf("stdin %q: exit %d %q, want a usage error", in, code, errOut)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runGovbot(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "govbot ") || !strings.Contains(out, "go: go1.") {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestLogFormat(t *testing.T) {
	var buf bytes.Buffer
	l, err := newLogger(config.Log{Format: "json", Level: "warn"}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hidden")
	l.Warn("shown", "k", "v")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec["msg"] != "shown" || rec["k"] != "v" {
		t.Fatalf("json log %q: %v", buf.String(), err)
	}
	if _, err := newLogger(config.Log{Format: "xml", Level: "info"}, io.Discard); err == nil {
		t.Error("log.format xml accepted")
	}
	if code, _, errOut := runGovbot(t, "", "serve", "--log-format", "yaml"); code != 2 || !strings.Contains(errOut, "--log-format") {
		t.Errorf("serve --log-format yaml: %d %q", code, errOut)
	}
}

// TestMetricsOwnAddress: with metrics.listen, /metrics is served there,
// without a token.
func TestMetricsOwnAddress(t *testing.T) {
	cfg := config.Default()
	cfg.Metrics.Listen = "127.0.0.1:0"
	d := &serveDeps{cfg: cfg, logger: slog.New(slog.DiscardHandler), metrics: metrics.New("test", clock.System{})}
	logs := &syncBuffer{}
	d.logger = slog.New(slog.NewTextHandler(logs, nil))
	stop, err := startMetricsServer(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	addr := ""
	for _, line := range strings.Split(logs.String(), "\n") {
		if i := strings.Index(line, "addr="); i >= 0 && strings.Contains(line, "metrics on") {
			addr = strings.Fields(line[i+len("addr="):])[0]
		}
	}
	if addr == "" {
		t.Fatalf("no address logged: %s", logs.String())
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "govbot_build_info") {
		t.Errorf("metrics on its own address: %d", resp.StatusCode)
	}
}
