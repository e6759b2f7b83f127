package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/daemon"
)

func newServe(stderr io.Writer) *cobra.Command {
	var f stateFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the gateway",
		Long: `Run the gateway. With no flags it runs on the embedded defaults: data in
./pbxgate-data, HTTPS on :8443, HTTP on :8080, realm auth on the API and the
admin UI with user admin and a password generated on first start.

SIGHUP, a change of the configuration file and "pbxgate reload" reload the
configuration; SIGTERM and SIGINT stop the gateway gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.load()
			if err != nil {
				fmt.Fprintln(stderr, err)
				return exitError(1)
			}
			log, level := newLogger(stderr, cfg)
			d, err := daemon.New(daemon.Options{
				ConfigPath: f.config, DataDir: f.data, Log: log, LogLevel: level,
				Console: stderr, Version: Version, Watch: true,
			})
			if err != nil {
				fmt.Fprintln(stderr, err)
				return exitError(1)
			}
			// Signals are ours before the start begins: a SIGHUP during
			// a long start (migrations) must not kill the process.
			sig := make(chan os.Signal, 4)
			signal.Notify(sig, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
			defer signal.Stop(sig)
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			if err := d.Start(ctx); err != nil {
				return err
			}
			for s := range sig {
				if s == syscall.SIGHUP {
					_ = d.Reload(ctx)
					continue
				}
				log.Info("shutting down", "signal", s.String())
				break
			}
			sctx, scancel := context.WithTimeout(context.Background(), d.Config().HTTP.ShutdownTimeout.Std())
			defer scancel()
			return d.Shutdown(sctx)
		},
	}
	f.add(c)
	return c
}
