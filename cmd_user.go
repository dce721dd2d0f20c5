package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/auth"
	"github.com/yingpu/govbot/cli"
)

func userCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Console users: make a password hash",
		Args:  cli.NoArgs,
	}
	cmd.AddCommand(userHashCommand())
	return cmd
}

func userHashCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "hash",
		Short: "Read a password from standard input and print its hash for password_hash",
		Long: fmt.Sprintf(`Read a password (the first line of standard input) and print its argon2id hash,
to paste into the user's password_hash in the config. The password must be at
least %d characters. Nothing is stored.`, auth.MinPasswordRunes),
		Example: `  govbot user hash              # type the password, then Enter
  printf '%s\n' "$PW" | govbot user hash`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUserHash(cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
}

func runUserHash(stdin io.Reader, stdout io.Writer) error {
	line, err := bufio.NewReaderSize(stdin, auth.MaxPasswordBytes+2).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return cli.Usagef("no password on standard input")
	}
	h, err := auth.HashPassword(pw)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	_, err = fmt.Fprintln(stdout, h)
	return err
}
