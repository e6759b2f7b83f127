package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/daemon"
)

func newACME(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "acme",
		Short: "Show and drive the automatic certificates of the domains (ACME)",
		Long: `Show and drive the ACME client over the local store (--config, --data as for
serve). The CA is the one of acme.directory in the configuration.`,
	}
	var state stateFlags
	var asJSON bool
	status := &cobra.Command{
		Use:   "status",
		Short: "Every domain with acme_enabled: state, certificate expiry, next renewal, last error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withACME(cmd.Context(), state, stderr, func(m *acme.Manager) error {
				list, err := m.Status(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					if list == nil {
						list = []acme.Status{}
					}
					enc := json.NewEncoder(stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(list)
				}
				printACMEStatus(stdout, list)
				return nil
			})
		},
	}
	state.add(status)
	status.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var renewState stateFlags
	renew := &cobra.Command{
		Use:   "renew DOMAIN",
		Short: "Order a certificate for DOMAIN now, due or not",
		Long: `Order a certificate for DOMAIN now from this process, due or not. The
running gateways answer the HTTP-01 challenge from the shared store, so at
least one must serve the plain listener the CA reaches. A domain that is
not in the tree, lacks acme_enabled or an acme_account_email, or holds a
certificate_pem written by hand is refused; so is an order over the weekly
budget of its registered domain.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withACME(cmd.Context(), renewState, stderr, func(m *acme.Manager) error {
				d, err := m.Renew(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				s, err := m.DomainStatus(cmd.Context(), d)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s: certificate issued, valid until %s, renewed from %s\norder: %s\n",
					d.Name, stamp(s.NotAfter), stamp(s.NextRenewal), s.Order)
				return nil
			})
		},
	}
	renewState.add(renew)
	root.AddCommand(status, renew)
	return root
}

// withACME opens the ACME client over the local state and runs fn; an
// error of fn is printed and exits 1.
func withACME(ctx context.Context, state stateFlags, stderr io.Writer, fn func(*acme.Manager) error) error {
	cfg, err := state.load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError(1)
	}
	m, closer, err := daemon.OpenACME(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError(1)
	}
	defer closer.Close()
	if err := fn(m); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError(1)
	}
	return nil
}

func printACMEStatus(w io.Writer, list []acme.Status) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no domain has acme_enabled")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tSTATE\tNOT AFTER\tNEXT RENEWAL\tFAILURES\tWHY")
	for _, s := range list {
		why := s.Reason
		if s.LastError != "" && s.State != acme.StateFailing {
			why += "; last error: " + s.LastError
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", s.Domain, s.State, stamp(s.NotAfter), stamp(s.NextRenewal), s.Failures, why)
	}
	_ = tw.Flush()
}

// stamp writes t in UTC to the second, or "-" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
