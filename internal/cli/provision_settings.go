package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/provision"
)

func newProvisioning(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := newProvCmd(stdin, stdout, stderr, "provisioning settings")
	root := &cobra.Command{
		Use:   "provisioning",
		Short: "Show or replace the provisioning settings; list the supported phone models",
		Long: `Show or replace the provisioning settings of the platform and of the tenants
in the local store (--config, --data as for serve), and list the supported
phone models.`,
	}
	c.stateCommands(root, c.provSettings(), c.provTenant())
	root.AddCommand(c.provModels())
	return root
}

func (c *provCmd) provSettings() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "settings [--file FILE]",
		Short: "Show the platform's provisioning settings, or replace them with JSON",
		Long: `Show the platform's provisioning settings, or replace them with JSON
(--file, the body of PUT /api/v1/provisioning/settings):

  {"sip_server_address": "sip.example.com", "tftp_server_address": "",
   "server_hostname": "prov.example.com",
   "auto_create": {"enabled": true, "whitelist": ["10.0.0.0/8"]}}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var in provision.Settings
			if file != "" {
				if err := c.load(file, &in); err != nil {
					return err
				}
			}
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out := svc.Settings()
				if file != "" {
					var err error
					if out, err = svc.PutSettings(cmd.Context(), in); err != nil {
						return err
					}
				}
				if c.json {
					return c.writeJSON(out)
				}
				auto := "off"
				if out.AutoCreate.Enabled {
					auto = "on"
				}
				fmt.Fprintf(c.stdout, "sip server address:  %s\ntftp server address: %s\nserver hostname:     %s\nauto create:         %s\nauto create from:    %s\nunprovisioned pin:   %s\n",
					dash(out.SIPServerAddress), dash(out.TFTPServerAddress), dash(out.ServerHostname), auto,
					dash(strings.Join(out.AutoCreate.Whitelist, ", ")), dash(out.UnprovisionedPIN))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "replace the settings with this JSON; - reads standard input")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) provTenant() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "tenant DOMAIN [--file FILE]",
		Short: "Show a tenant's provisioning settings, or replace them with JSON",
		Long: `Show a tenant's provisioning settings, or replace them with JSON (--file, the
body of PUT /api/v1/domains/DOMAIN/provisioning):

  {"bootstrap": {"username": "boot-example", "password": ""},
   "allow": ["192.0.2.0/24"], "lock_bootstrap": true}

A bootstrap password is generated when a user name is given without one. It
is shown in the answer to the replacement only; reads show "(set)".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in provision.TenantSettings
			if file != "" {
				if err := c.load(file, &in); err != nil {
					return err
				}
			}
			in.Domain = args[0]
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out := api.TenantView(svc.Tenant(args[0]))
				if file != "" {
					var err error
					if out, err = svc.PutTenant(cmd.Context(), in); err != nil {
						return err
					}
				}
				if c.json {
					return c.writeJSON(out)
				}
				fmt.Fprintf(c.stdout, "domain:             %s\nbootstrap username: %s\nbootstrap password: %s\nallow:              %s\nlock bootstrap:     %v\n",
					out.Domain, dash(out.Bootstrap.Username), dash(out.Bootstrap.Password), dash(strings.Join(out.Allow, ", ")), out.LockBootstrap)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "replace the settings with this JSON; - reads standard input")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) provModels() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the supported vendor/models and the files they request",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			models := api.Models()
			if c.json {
				return c.writeJSON(map[string]any{"models": models})
			}
			tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MODEL\tNAME\tLINES\tFILES (MAC 001565a1b2c3)")
			for _, m := range models {
				files := make([]string, len(m.Files))
				for i, f := range m.Files {
					files[i] = f.Name
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", m.Model, m.Name, m.Lines, strings.Join(files, " "))
			}
			return tw.Flush()
		},
	}
	c.jsonFlag(cmd)
	return cmd
}
