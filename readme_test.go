package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeExample is one `go run . …` line of README.md's shell blocks.
type readmeExample struct {
	line  string
	args  []string
	stdin string // the file after <, if any
}

// readmeExamples reads every `go run . …` line of README.md's ```sh blocks.
func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeExample
	inSh := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			inSh = true
			continue
		case strings.HasPrefix(line, "```"):
			inSh = false
			continue
		}
		if !inSh || !strings.HasPrefix(line, "go run . ") {
			continue
		}
		words, err := shellWords(strings.TrimPrefix(line, "go run . "))
		if err != nil {
			t.Fatalf("README line %q: %v", line, err)
		}
		ex := readmeExample{line: line}
		for i := 0; i < len(words); i++ {
			if words[i] == "<" && i+1 < len(words) {
				ex.stdin = words[i+1]
				i++
				continue
			}
			ex.args = append(ex.args, words[i])
		}
		out = append(out, ex)
	}
	return out
}

// shellWords splits a command line as a POSIX shell would for the simple
// lines a README holds: words, "double" and 'single' quotes, < redirection
// and a # comment.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == '#' && !inWord:
			return words, nil
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '<' && !inWord:
			words = append(words, "<")
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	for in, want := range map[string][]string{
		`ask "低保标准是多少"`:                              {"ask", "低保标准是多少"},
		`ask --json < examples/questions.txt   # 注释`: {"ask", "--json", "<", "examples/questions.txt"},
		`serve      # 启动`:                            {"serve"},
		`ask 'a b' c#d`:                              {"ask", "a b", "c#d"},
	} {
		got, err := shellWords(in)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("shellWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := shellWords(`ask "open`); err == nil {
		t.Error("an unclosed quote is no error")
	}
}

// TestREADMEExamples runs README.md's `go run . …` lines as written, on the
// sample data, with the state in a temporary directory: serve until it
// answers, each other command beside the running serve and then on its
// own. Each must exit 0 and print something.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the sample index")
	}
	examples := readmeExamples(t)
	var serves, others []readmeExample
	for _, ex := range examples {
		if len(ex.args) > 0 && ex.args[0] == "serve" {
			serves = append(serves, ex)
		} else {
			others = append(others, ex)
		}
	}
	if len(serves) == 0 || len(others) < 3 {
		t.Fatalf("README has %d serve and %d other examples; the quick start lost its commands?", len(serves), len(others))
	}
	// The state directory and the listen address are the test's own: a
	// config file carries them, as an operator's would.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	cfg := filepath.Join(t.TempDir(), "govbot.yaml")
	state := filepath.Join(t.TempDir(), "state")
	wd, _ := os.Getwd()
	yaml := fmt.Sprintf("listen: %s\ndata_dir: %s\nstate_dir: %s\n", listen, filepath.Join(wd, "data"), state)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	// runExample runs ex; an ask must say on stderr where it answered from.
	runExample := func(t *testing.T, ex readmeExample, wantStderr string) {
		stdin := ""
		if ex.stdin != "" {
			b, err := os.ReadFile(ex.stdin)
			if err != nil {
				t.Fatalf("%s: the file it reads: %v", ex.line, err)
			}
			stdin = string(b)
		}
		code, out, errOut := runGovbot(t, stdin, append(ex.args, "--config", cfg)...)
		if code != 0 || strings.TrimSpace(out) == "" {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", ex.line, code, out, errOut)
		}
		if ex.args[0] == "ask" && !regexp.MustCompile(wantStderr).MatchString(errOut) {
			t.Errorf("%s: stderr does not match %q:\n%s", ex.line, wantStderr, errOut)
		}
	}
	for i, ex := range serves {
		addr, stop := startServe(t, append(ex.args[1:], "--config", cfg)...)
		resp, err := http.Get("http://" + addr + "/console/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: /console/ answers %d", ex.line, resp.StatusCode)
		}
		for _, ex := range others {
			if i > 0 {
				break // once is enough: each waits out the index lock
			}
			t.Run("beside serve: "+ex.line, func(t *testing.T) { runExample(t, ex, "asking it at http://"+regexp.QuoteMeta(listen)) })
		}
		stop()
	}
	for _, ex := range others {
		t.Run("alone: "+ex.line, func(t *testing.T) { runExample(t, ex, "answering from the index in "+regexp.QuoteMeta(state)) })
	}
}
