package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCheck(t *testing.T) {
	code, out, errOut := runGovbot(t, "", "config", "check", "--data", "data", "--state", t.TempDir())
	if code != 0 || !strings.Contains(out, "config built-in defaults: ok") || !strings.Contains(out, "listen") {
		t.Fatalf("defaults: exit %d\n%s%s", code, out, errOut)
	}
	// The single-dash long flags of Go's flag package still work.
	state := t.TempDir()
	code, out, errOut = runGovbot(t, "", "config", "check", "-data", "data", "-state="+state)
	if code != 0 || !strings.Contains(out, state) {
		t.Errorf("single-dash flags: exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "govbot.yaml")
	os.WriteFile(bad, []byte("search:\n  min_score: lots\nlisten: here\n"), 0o644)
	code, out, errOut = runGovbot(t, "", "config", "check", "--config", bad, "--data", "data")
	if code != 1 || out != "" || !strings.Contains(errOut, "2 problems:") ||
		!strings.Contains(errOut, `line 2: search.min_score: "lots" is not a number`) || !strings.Contains(errOut, `line 3: listen "here"`) {
		t.Errorf("bad file: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestConfigEnv(t *testing.T) {
	t.Setenv("GOVBOT_SEARCH_MIN_SCORE", "0.31")
	t.Setenv("GOVBOT_OA_APP_SECRET", "very-secret-value")
	code, out, _ := runGovbot(t, "", "config", "env")
	if code != 0 || !strings.Contains(out, "GOVBOT_WEBHOOK_MAX_CLOCK_SKEW") || !strings.Contains(out, "GOVBOT_TOKEN_<NAME>") {
		t.Fatalf("env: exit %d\n%s", code, out)
	}
	code, out, _ = runGovbot(t, "", "config", "env", "--set")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(out, "GOVBOT_SEARCH_MIN_SCORE") || !strings.Contains(out, "GOVBOT_OA_APP_SECRET") {
		t.Errorf("env --set: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "very-secret-value") || strings.Contains(out, "0.31") {
		t.Errorf("env printed a value:\n%s", out)
	}
}
