package cli

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yingpu/govbot/clock"
	"github.com/yingpu/govbot/config"
)

// ConfigFlags are the flags of every command that reads the configuration:
// --config, --data and --state.
type ConfigFlags struct {
	Config, Data, State string
}

// Register adds the flags to fs.
func (c *ConfigFlags) Register(fs *pflag.FlagSet) {
	fs.StringVar(&c.Config, "config", "", "YAML configuration `file` (default: built-in defaults, sample data in ./data)")
	fs.StringVar(&c.Data, "data", "", "data `dir`ectory with disclosures and lexicon (overrides data_dir)")
	fs.StringVar(&c.State, "state", "", "state `dir`ectory for the index and database (overrides state_dir)")
	// Shell completion: YAML files and directories.
	_ = cobra.MarkFlagFilename(fs, "config", "yaml", "yml")
	_ = cobra.MarkFlagDirname(fs, "data")
	_ = cobra.MarkFlagDirname(fs, "state")
}

// CompleteValues offers values as the shell completions of a flag of cmd.
func CompleteValues(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// Load reads the configuration, applies the flag overrides, validates and
// runs the further checks given (such as (*config.Config).CheckPaths for a
// command that reads data_dir), reporting every problem at once
// (config.Problems).
func (c *ConfigFlags) Load(checks ...func(*config.Config) error) (config.Config, error) {
	return c.LoadWith(nil, checks...)
}

// LoadWith is Load with more overrides (a command's own flags; may be nil)
// applied before validation, so that what they set is checked too.
func (c *ConfigFlags) LoadWith(adjust func(*config.Config), checks ...func(*config.Config) error) (config.Config, error) {
	return config.LoadValid(c.Config, func(cfg *config.Config) {
		if c.Data != "" {
			cfg.DataDir = c.Data
		}
		if c.State != "" {
			cfg.StateDir = c.State
		}
		if adjust != nil {
			adjust(cfg)
		}
	}, checks...)
}

// DateClock is the clock of a --now flag: midday (Asia/Shanghai) of the
// date YYYY-MM-DD, or the system clock when s is empty. A malformed date
// is a usage error naming flag.
func DateClock(flag, s string) (clock.Clock, error) {
	if s == "" {
		return clock.System{}, nil
	}
	day, err := clock.ParseDate(s)
	if err != nil {
		return nil, Usagef("--%s: %q is not a date YYYY-MM-DD", flag, s)
	}
	return clock.Fixed(day.Add(12 * time.Hour)), nil
}
