// Package cli is pbxgate's command line, on spf13/cobra. Every command that
// reads local state takes the same --config FILE and --data DIR as serve.
package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/daemon"
)

// Version is set at build time with -ldflags "-X …/cli.Version=…".
var Version = "dev"

// exitError carries an exit status without a message of its own (the
// command has printed what went wrong).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return int(ee)
	}
	fmt.Fprintln(stderr, "pbxgate:", err)
	return 1
}

// stateFlags are the flags of every command that reads local state.
type stateFlags struct {
	config string
	data   string
}

func (f *stateFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.config, "config", "", "configuration file (YAML, or an iSymphony security.xml); embedded defaults when empty")
	c.Flags().StringVar(&f.data, "data", "", "data directory (overrides data_dir of the configuration)")
}

// load reads the configuration as serve would.
func (f *stateFlags) load() (*config.Config, error) {
	return daemon.LoadConfig(f.config, f.data)
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "pbxgate",
		Short:         "pbxgate is the security gateway of a VoIP platform",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServe(stderr), newConfig(stdout, stderr), newPasswd(stdin, stdout), newReload(stdout, stderr), newDomain(stdin, stdout, stderr), newCert(stdin, stdout, stderr), newACME(stdout, stderr), newBan(stdout, stderr), newExtension(stdin, stdout, stderr), newTemplate(stdin, stdout, stderr), newDevice(stdin, stdout, stderr), newIPDNS(stdin, stdout, stderr), newProvisioning(stdin, stdout, stderr))
	return root
}

// newLogger makes the process logger; the level follows log.level and
// changes on reload.
func newLogger(w io.Writer, cfg *config.Config) (*slog.Logger, *slog.LevelVar) {
	lv := new(slog.LevelVar)
	_ = lv.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lv}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), lv
	}
	return slog.New(slog.NewTextHandler(w, opts)), lv
}

// dataDir finds the data directory without validating the configuration,
// so that a command can reach a daemon whose new configuration is broken.
func (f *stateFlags) dataDir() string {
	if f.data != "" {
		return f.data
	}
	if f.config != "" {
		if cfg, err := config.Load(f.config); err == nil {
			return cfg.DataDir
		}
	}
	return config.Default().DataDir
}
