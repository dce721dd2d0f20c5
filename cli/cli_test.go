package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// tree is a small command tree: a leaf with a flag, a failing leaf, a
// group with one leaf.
func tree() *cobra.Command {
	root := &cobra.Command{Use: "tool"}
	var n int
	leaf := &cobra.Command{
		Use:  "leaf",
		Args: NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 0 {
				return Usagef("--n must not be negative")
			}
			if cmd.Flags().Changed("count") {
				cmd.Println("ran", n, "count")
				return nil
			}
			cmd.Println("ran", n)
			return nil
		},
	}
	leaf.Flags().IntVar(&n, "n", 0, "a number")
	leaf.Flags().IntVar(&n, "count", 0, "the same number, by a longer name")
	fail := &cobra.Command{Use: "fail", RunE: func(*cobra.Command, []string) error { return errors.New("it broke") }}
	quiet := &cobra.Command{Use: "quiet", RunE: func(*cobra.Command, []string) error { return Exit(3, nil) }}
	group := &cobra.Command{Use: "group"}
	group.AddCommand(&cobra.Command{Use: "one", Args: ExactArgs(1, "one ID"), RunE: func(*cobra.Command, []string) error { return nil }})
	root.AddCommand(leaf, fail, quiet, group)
	return root
}

func TestExecute(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		out, err   string // substrings of stdout and stderr
		errOnce    string // appears exactly once in stderr
		noPointer  bool   // no "Run '… --help'" line
		stdoutNone bool
	}{
		{args: []string{"leaf", "--n", "4"}, code: 0, out: "ran 4"},
		{args: []string{"leaf", "-n", "5"}, code: 2, errOnce: "unknown shorthand flag: 'n' in -n"},
		{args: []string{"leaf", "--n=6"}, code: 0, out: "ran 6"},
		{args: []string{"leaf", "-count", "7"}, code: 0, out: "ran 7 count"},
		{args: []string{"leaf", "-count=8"}, code: 0, out: "ran 8 count"},
		{args: []string{"leaf", "--n", "-9"}, code: 2, errOnce: "--n must not be negative"},
		{args: []string{"leaf", "--help"}, code: 0, out: "--n int"},
		{args: []string{"leaf", "--nope"}, code: 2, err: "Run 'tool leaf --help' for usage.", errOnce: "unknown flag: --nope", stdoutNone: true},
		{args: []string{"leaf", "--n", "x"}, code: 2, errOnce: "invalid argument", stdoutNone: true},
		{args: []string{"leaf", "extra"}, code: 2, errOnce: `tool leaf takes no arguments, got ["extra"]`},
		{args: []string{"leaf", "--n", "-1"}, code: 2, errOnce: "--n must not be negative", err: "Run 'tool leaf --help'"},
		{args: []string{"fail"}, code: 1, errOnce: "tool: it broke", noPointer: true},
		{args: []string{"quiet"}, code: 3, noPointer: true},
		{args: []string{"lef"}, code: 2, errOnce: `unknown command "lef" for "tool"; did you mean leaf?`},
		{args: []string{}, code: 2, err: "Available Commands", noPointer: true, stdoutNone: true},
		{args: []string{"group"}, code: 2, err: "one", noPointer: true, stdoutNone: true},
		{args: []string{"group", "two"}, code: 2, errOnce: `unknown command "two" for "tool group"`},
		{args: []string{"group", "help", "one"}, code: 0, out: "tool group one"},
		{args: []string{"group", "one"}, code: 2, errOnce: "tool group one needs one ID, got 0 arguments"},
		{args: []string{"help", "leaf"}, code: 0, out: "Usage:\n  tool leaf [flags]"},
		{args: []string{"--help"}, code: 0, out: "Usage:\n  tool [command]"},
		{args: []string{"completion", "bash"}, code: 0, out: "bash completion"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Execute(context.Background(), tree(), tc.args, IO{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
			so, se := stdout.String(), stderr.String()
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, so, se)
			}
			if !strings.Contains(so, tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, so)
			}
			if !strings.Contains(se, tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, se)
			}
			if tc.errOnce != "" && strings.Count(se, tc.errOnce) != 1 {
				t.Errorf("stderr has %q %d times, want once:\n%s", tc.errOnce, strings.Count(se, tc.errOnce), se)
			}
			if tc.noPointer && strings.Contains(se, "--help' for usage") {
				t.Errorf("stderr points to --help:\n%s", se)
			}
			if tc.stdoutNone && so != "" {
				t.Errorf("stdout should be empty:\n%s", so)
			}
		})
	}
}
