package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/provision"
)

func newIPDNS(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := newProvCmd(stdin, stdout, stderr, "IP/DNS mapping")
	root := &cobra.Command{
		Use:   "ipdns",
		Short: "Manage the IP/DNS mappings of the rendered phone files",
		Long: `Manage the IP/DNS mappings in the local store (--config, --data as for serve).
In every file rendered for a tenant, a mapped (dummy) IP address is replaced
by its host name; the master domain's mappings apply to every tenant, a
tenant's own win over them for the same address.`,
	}
	c.stateCommands(root, c.ipdnsAdd(), c.ipdnsList(), c.ipdnsRm())
	return root
}

func (c *provCmd) ipdnsAdd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add DOMAIN IP FQDN",
		Short: "Map an IP address to a host name in the files of a domain",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out, err := svc.AddIPDNS(cmd.Context(), provision.IPDNS{Domain: args[0], IP: args[1], FQDN: args[2]})
				if err != nil {
					return err
				}
				if c.json {
					return c.writeJSON(out)
				}
				fmt.Fprintf(c.stdout, "%s: %s -> %s\n", out.Domain, out.IP, out.FQDN)
				return nil
			})
		},
	}
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) ipdnsList() *cobra.Command {
	var domain string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the IP/DNS mappings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				list := svc.IPDNSList(domain)
				if list == nil {
					list = []provision.IPDNS{}
				}
				if c.json {
					return c.writeJSON(map[string]any{"ipdns": list})
				}
				tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "DOMAIN\tIP\tFQDN")
				for _, m := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Domain, m.IP, m.FQDN)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "only the mappings of this domain")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) ipdnsRm() *cobra.Command {
	return &cobra.Command{
		Use:   "rm DOMAIN IP",
		Short: "Remove an IP/DNS mapping",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				if err := svc.DeleteIPDNS(cmd.Context(), args[0], args[1]); err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, "removed", args[0], args[1])
				return nil
			})
		},
	}
}
