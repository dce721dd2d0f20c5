package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/yingpu/govbot/cli"
	"github.com/yingpu/govbot/config"
)

func configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check the configuration; list the environment variables it reads",
	}
	cmd.AddCommand(configCheckCommand(), configEnvCommand())
	return cmd
}

func configCheckCommand() *cobra.Command {
	var cf cli.ConfigFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the configuration as serve would, reporting every problem at once",
		Long: `Read the configuration file, the environment and the flags as serve, reindex
and ask do, and report every problem at once (exit 1), or print what it
resolved to (exit 0). Nothing is opened, built or bound.`,
		Example: `  govbot config check --config /etc/govbot/config.yaml`,
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cf.Load((*config.Config).CheckPaths)
			if err != nil {
				return err
			}
			src := cf.Config
			if src == "" {
				src = "built-in defaults"
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "config %s: ok\n", src)
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "  data_dir\t%s\n  state_dir\t%s\n  listen\t%s\n  public_base_url\t%s\n", cfg.DataDir, cfg.StateDir, cfg.Listen, cfg.PublicBaseURL)
			fmt.Fprintf(tw, "  official account webhook\t%s\n  WeCom callback\t%s\n", onOff(cfg.OfficialAccount.WebhookEnabled()), onOff(cfg.Work.CallbackEnabled()))
			fmt.Fprintf(tw, "  users\t%d\n  audiences\t%d\n", len(cfg.Users), len(cfg.Audiences))
			return tw.Flush()
		},
	}
	cf.Register(cmd.Flags())
	return cmd
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func configEnvCommand() *cobra.Command {
	var set bool
	cmd := &cobra.Command{
		Use:   "env",
		Short: "List the environment variables the configuration reads (GOVBOT_<SECTION>_<KEY>)",
		Long: `List every environment variable the configuration reads, by one rule: GOVBOT_
and the key's path in upper case with "." as "_". Values are never printed;
--set lists only the variables set now.`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VARIABLE\tKEY\tTAKES\tSET")
			for _, v := range config.EnvVars() {
				name, isSet := v.Name, os.Getenv(v.Name) != ""
				for _, a := range v.Aliases {
					if os.Getenv(a) != "" && !isSet {
						name, isSet = a, true
					}
				}
				if set && !isSet {
					continue
				}
				mark := ""
				if isSet {
					mark = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, v.Key, v.Kind, mark)
			}
			if !set {
				fmt.Fprintf(tw, "%s<NAME>\tusers[].token\tstring\t\n", config.EnvPrefix+"TOKEN_")
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&set, "set", false, "only the variables set in this environment")
	return cmd
}
