package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/daemon"
)

func newConfig(stdout, stderr io.Writer) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Check or show the configuration"}
	c.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Check a configuration file (YAML or security.xml); print every error",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			cfg, err := daemon.CheckConfig(args[0])
			if err != nil {
				fmt.Fprintln(stderr, err)
				return exitError(1)
			}
			fmt.Fprintf(stdout, "%s: ok\n", cfg.Source)
			return nil
		},
	})
	var f stateFlags
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration, secrets redacted",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			cfg, err := f.load()
			if err != nil {
				fmt.Fprintln(stderr, err)
				return exitError(1)
			}
			return showConfig(stdout, cfg)
		},
	}
	f.add(show)
	c.AddCommand(show)
	return c
}

func showConfig(w io.Writer, cfg *config.Config) error {
	b, err := cfg.Redacted().YAML()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
