package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/provision"
)

func newTemplate(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := newProvCmd(stdin, stdout, stderr, "template")
	root := &cobra.Command{
		Use:   "template",
		Short: "Manage the phone settings templates",
		Long: `Manage the templates in the local store (--config, --data as for serve).
A template is a named set of settings for one vendor/model, global (in the
master domain) or of a tenant; a device layers the master domain's and its
tenant's template of its name ("default" when it names none) under its own
settings.`,
	}
	c.stateCommands(root, c.tplPut(), c.tplList(), c.tplRm())
	return root
}

func (c *provCmd) tplPut() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "put --file FILE",
		Short: "Create or replace a template from JSON (the body of POST /api/v1/templates)",
		Long: `Create or replace a template from JSON, the body of POST /api/v1/templates:

  {"name": "default", "domain": "example.com", "model": "yealink/t46s",
   "settings": {"language": "fr", "tones": "FR"}}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var t provision.Template
			if err := c.load(file, &t); err != nil {
				return err
			}
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out, err := svc.PutTemplate(cmd.Context(), t)
				if err != nil {
					return err
				}
				if c.json {
					return c.writeJSON(out)
				}
				fmt.Fprintf(c.stdout, "name:     %s\ndomain:   %s\nmodel:    %s\nupdated:  %s\nsettings: %s\n",
					out.Name, out.Domain, out.Model, timeText(out.Updated), compactJSON(out.Settings))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "JSON file; - reads standard input")
	_ = cmd.MarkFlagRequired("file")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) tplList() *cobra.Command {
	var domain string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the templates",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				list := svc.Templates(domain)
				if list == nil {
					list = []provision.Template{}
				}
				if c.json {
					return c.writeJSON(map[string]any{"templates": list})
				}
				tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "DOMAIN\tMODEL\tNAME\tUPDATED")
				for _, t := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Domain, t.Model, t.Name, timeText(t.Updated))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "only the templates of this domain")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) tplRm() *cobra.Command {
	return &cobra.Command{
		Use:   "rm DOMAIN VENDOR/MODEL NAME",
		Short: "Remove a template",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				if err := svc.DeleteTemplate(cmd.Context(), args[0], args[1], args[2]); err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, "removed", args[0], args[1], args[2])
				return nil
			})
		},
	}
}
