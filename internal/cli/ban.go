package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/daemon"
)

func newBan(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "ban",
		Short: "List, add and lift the guard's bans",
		Long: `List, add and lift the guard's bans in the local store (--config, --data as
for serve). A running gateway on the same store applies the change within
seconds; bans survive restarts.`,
	}
	with := func(ctx context.Context, state stateFlags, fn func(*daemon.LocalBans) error) error {
		cfg, err := state.load()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitError(1)
		}
		bans, err := daemon.OpenBans(ctx, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			return err
		}
		defer func() { _ = bans.Close() }()
		if err := fn(bans); err != nil {
			fmt.Fprintln(stderr, err)
			return exitError(1)
		}
		return nil
	}
	parseIP := func(s string) (netip.Addr, error) {
		ip, err := netip.ParseAddr(s)
		if err != nil || ip.Zone() != "" {
			return netip.Addr{}, fmt.Errorf("ip: %q is not an IP address", s)
		}
		return ip.Unmap(), nil
	}

	var listState stateFlags
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "The bans in force",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return with(cmd.Context(), listState, func(b *daemon.LocalBans) error {
				bans, err := b.List(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					enc := json.NewEncoder(stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(map[string]any{"bans": bans})
				}
				tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "IP\tUNTIL\tCOUNT\tMANUAL\tREASON")
				for _, x := range bans {
					fmt.Fprintf(tw, "%s\t%s\t%d\t%v\t%s\n", x.IP, x.Until.UTC().Format(time.RFC3339), x.Count, x.Manual, x.Reason)
				}
				return tw.Flush()
			})
		},
	}
	listState.add(list)
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var addState stateFlags
	var dur time.Duration
	var reason string
	add := &cobra.Command{
		Use:   "add IP",
		Short: "Ban IP (refused for an address of guard.allowlist)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ip, err := parseIP(args[0])
			if err != nil {
				fmt.Fprintln(stderr, err)
				return exitError(1)
			}
			if dur <= 0 {
				fmt.Fprintln(stderr, "duration: must be more than 0")
				return exitError(1)
			}
			return with(cmd.Context(), addState, func(b *daemon.LocalBans) error {
				x, err := b.Add(cmd.Context(), ip, dur, reason)
				if errors.Is(err, api.ErrAllowlisted) {
					return fmt.Errorf("ip: %w", err)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "banned %s until %s\n", x.IP, x.Until.UTC().Format(time.RFC3339))
				return nil
			})
		},
	}
	addState.add(add)
	add.Flags().DurationVar(&dur, "duration", time.Hour, "how long")
	add.Flags().StringVar(&reason, "reason", "banned by an operator", "why (shown in the list and the log)")

	var rmState stateFlags
	rm := &cobra.Command{
		Use:   "rm IP",
		Short: "Lift the ban of IP",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ip, err := parseIP(args[0])
			if err != nil {
				fmt.Fprintln(stderr, err)
				return exitError(1)
			}
			return with(cmd.Context(), rmState, func(b *daemon.LocalBans) error {
				ok, err := b.Remove(cmd.Context(), ip)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("%s is not banned", ip)
				}
				fmt.Fprintf(stdout, "lifted the ban of %s\n", ip)
				return nil
			})
		},
	}
	rmState.add(rm)
	root.AddCommand(list, add, rm)
	return root
}
