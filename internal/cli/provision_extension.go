package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/provision"
)

func newExtension(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := newProvCmd(stdin, stdout, stderr, "extension")
	root := &cobra.Command{
		Use:   "extension",
		Short: "Manage the SIP extensions of the tenants (what device lines bind to)",
		Long: `Manage the extensions of a tenant in the local store (--config, --data as for serve).
The password of an extension is shown once, when it is added.`,
	}
	c.stateCommands(root, c.extAdd(), c.extList(), c.extRm())
	return root
}

func (c *provCmd) extAdd() *cobra.Command {
	var e provision.Extension
	cmd := &cobra.Command{
		Use:   "add DOMAIN NUMBER",
		Short: "Add an extension to a tenant (prints its password, generated when not given)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			e.Domain, e.Number = args[0], args[1]
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out, err := svc.AddExtension(cmd.Context(), e)
				if err != nil {
					return err
				}
				if c.json {
					return c.writeJSON(out)
				}
				c.printExtension(out)
				fmt.Fprintf(c.stdout, "password:      %s\n", out.Password)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&e.DisplayName, "display-name", "", "name shown on the phone and to callees")
	cmd.Flags().StringVar(&e.AuthUsername, "auth-username", "", "SIP digest user name (default: the number)")
	cmd.Flags().StringVar(&e.Password, "password", "", "SIP password, 8 to 128 characters (default: generated)")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) printExtension(e provision.Extension) {
	fmt.Fprintf(c.stdout, "domain:        %s\nnumber:        %s\ndisplay name:  %s\nauth username: %s\nupdated:       %s\n",
		e.Domain, e.Number, dash(e.DisplayName), e.AuthUsername, timeText(e.Updated))
}

func (c *provCmd) extList() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list DOMAIN",
		Short: "List the extensions of a tenant (never their passwords)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				list := []provision.Extension{}
				for _, e := range svc.Extensions(args[0]) {
					list = append(list, api.ExtensionView(e))
				}
				if c.json {
					return c.writeJSON(map[string]any{"extensions": list})
				}
				tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NUMBER\tDISPLAY NAME\tAUTH USERNAME\tUPDATED")
				for _, e := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Number, dash(e.DisplayName), e.AuthUsername, timeText(e.Updated))
				}
				return tw.Flush()
			})
		},
	}
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) extRm() *cobra.Command {
	return &cobra.Command{
		Use:   "rm DOMAIN NUMBER",
		Short: "Remove an extension that no device line uses",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				if err := svc.DeleteExtension(cmd.Context(), args[0], args[1]); err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, "removed", args[1])
				return nil
			})
		},
	}
}
