// Package cli is what every govbot subcommand shares: running a command
// tree with one behaviour for help, errors and exit statuses, and the flag
// helpers several commands use.
//
// The command tree is spf13/cobra. A subcommand is a *cobra.Command whose
// RunE returns an error; Execute prints that error once, as
// "govbot: message", and turns it into the exit status:
//
//	0  success (and --help)
//	1  failure (the work was tried and did not succeed)
//	2  usage: an unknown command or flag, a missing or malformed argument
//
// A RunE returns Usagef(…) for a usage problem it finds itself, Exit(code,
// err) for a specific status, and any other error for a failure. Errors
// cobra finds (unknown flags, wrong argument counts, required flags) are
// usage errors.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// UsageError is a problem with how a command was called: it exits 2 and is
// followed by a pointer to the command's --help.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// ExitError carries a specific exit status. A nil Err prints nothing (the
// command has said what went wrong already).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// Exit returns an error that exits with code, printing err unless nil.
func Exit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// ranError marks an error returned by a command's own code, as opposed to
// one cobra found while parsing.
type ranError struct{ err error }

func (e *ranError) Error() string { return e.err.Error() }
func (e *ranError) Unwrap() error { return e.err }

// IO is where a command reads and writes.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// Execute runs root with args and returns the exit status. It prints any
// error once to io.Err, prefixed with root's name; usage errors add a
// pointer to the --help of the command they concern.
func Execute(ctx context.Context, root *cobra.Command, args []string, std IO) int {
	prepare(root)
	// A group is runnable only to report a missing or unknown subcommand:
	// its usage shows "COMMAND [command]", not a usage line of its own.
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(),
		"Usage:{{if .Runnable}}", "Usage:{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))
	root.SetArgs(singleDashLong(root, args))
	root.SetIn(std.In)
	root.SetOut(std.Out)
	root.SetErr(std.Err)
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if cmd == nil {
		cmd = root
	}
	code := ExitUsage
	var ran *ranError
	if errors.As(err, &ran) {
		err = ran.err
		code = ExitFailure
	}
	var ue *UsageError
	var ee *ExitError
	switch {
	case errors.As(err, &ue):
		code = ExitUsage
	case errors.As(err, &ee):
		if ee.Err != nil {
			fmt.Fprintf(std.Err, "%s: %v\n", root.Name(), ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(std.Err, "%s: %v\n", root.Name(), err)
	if code == ExitUsage {
		fmt.Fprintf(std.Err, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// prepare walks the tree: commands with subcommands but no RunE of their
// own get one that reports an unknown or missing subcommand as a usage
// error; every RunE and PreRunE is wrapped so its errors are told apart
// from cobra's.
func prepare(c *cobra.Command) {
	c.SuggestionsMinimumDistance = 2
	if c.HasSubCommands() && c.RunE == nil && c.Run == nil {
		c.Args = cobra.ArbitraryArgs
		c.RunE = group
	}
	c.RunE = mark(c.RunE)
	c.PreRunE = mark(c.PreRunE)
	c.PersistentPreRunE = mark(c.PersistentPreRunE)
	for _, sub := range c.Commands() {
		prepare(sub)
	}
}

func mark(fn func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	if fn == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := fn(cmd, args); err != nil {
			var ran *ranError
			if errors.As(err, &ran) {
				return err
			}
			return &ranError{err: err}
		}
		return nil
	}
}

// group runs a command that only groups others: "help [COMMAND]" prints
// help, anything else is a usage error.
func group(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		cmd.SetOut(cmd.ErrOrStderr())
		cmd.Help()
		return Exit(ExitUsage, nil)
	}
	if args[0] == "help" {
		target := cmd
		if len(args) > 1 {
			if sub, _, err := cmd.Find(args[1:]); err == nil && sub != nil {
				target = sub
			}
		}
		return target.Help()
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return &UsageError{Err: errors.New(msg)}
}

// NoArgs rejects positional arguments as a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// ExactArgs wants n positional arguments, named what in the message.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return Usagef("%s needs %s, got %d arguments", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// singleDashLong rewrites "-name" and "-name=value" to "--name…" when name
// is a long flag of the tree (Go's flag package, which govbot used before,
// took both forms; scripts written then keep working). Arguments after
// "--", numbers (-31.2) and one-letter shorthands are left alone.
func singleDashLong(root *cobra.Command, args []string) []string {
	long := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if long[name] {
			out[i] = "-" + a
		}
	}
	return out
}
