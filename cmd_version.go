package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
)

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and build of this binary",
		Long: `Print govbot's version (the module version, or "(devel)" from a checkout, with
the VCS revision when the build recorded it), the Go version and the platform.`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), buildReport())
			return err
		},
	}
}
