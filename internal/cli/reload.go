package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/ctl"
)

func newReload(stdout, stderr io.Writer) *cobra.Command {
	var f stateFlags
	c := &cobra.Command{
		Use:   "reload",
		Short: "Make the running gateway reload its configuration",
		Long: `Make the gateway running on the data directory reload its configuration and
print the result. A refused configuration keeps the old one serving; the
reasons are printed and the exit status is 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			defer cancel()
			rep, err := ctl.Call(ctx, f.dataDir(), "reload")
			if err != nil {
				return err
			}
			if !rep.OK {
				fmt.Fprintln(stderr, "reload refused:", rep.Error)
				return exitError(1)
			}
			fmt.Fprintln(stdout, rep.Message)
			return nil
		},
	}
	f.add(c)
	return c
}
