package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/provision"
	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// defaultFetches is how many fetches device show lists, as the REST API.
const defaultFetches = 20

func newDevice(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := newProvCmd(stdin, stdout, stderr, "device")
	root := &cobra.Command{
		Use:   "device",
		Short: "Manage the provisioned phones",
		Long: `Manage the devices (phones) in the local store (--config, --data as for serve).
A device always belongs to a tenant. Its HTTP provisioning password is shown
once, when the device is added or its credentials are rotated.`,
	}
	c.stateCommands(root, c.devAdd(), c.devList(), c.devShow(), c.devSet(), c.devRm(), c.devRotate())
	return root
}

// parseLine reads a --line value: N=EXTENSION[:LABEL].
func parseLine(s string) (provision.DeviceLine, error) {
	n, rest, ok := strings.Cut(s, "=")
	line, err := strconv.Atoi(n)
	if !ok || err != nil || rest == "" {
		return provision.DeviceLine{}, fmt.Errorf("--line %q: want N=EXTENSION[:LABEL]", s)
	}
	ext, label, _ := strings.Cut(rest, ":")
	return provision.DeviceLine{Line: line, Extension: ext, Label: label}, nil
}

func (c *provCmd) devAdd() *cobra.Command {
	var d provision.Device
	var file, settings string
	var lines []string
	cmd := &cobra.Command{
		Use:   "add {MAC --domain DOMAIN --model VENDOR/MODEL | --file FILE}",
		Short: "Add a device (prints its HTTP credentials)",
		Long: `Add a device, from flags or from JSON (--file: the body of POST /api/v1/devices).
It prints the device with its generated HTTP credentials, written into its
files; the password is not shown again (device rotate makes a new one).`,
		Example: `  pbxgate device add 00:15:65:a1:b2:c3 --domain example.com --model yealink/t46s \
      --line 1=100:Reception --line 2=101`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file != "" {
				for _, f := range []string{"domain", "model", "template", "label", "line", "settings"} {
					if cmd.Flags().Changed(f) {
						return c.fail("--file and --%s exclude each other", f)
					}
				}
				if len(args) > 0 {
					return c.fail("--file and the MAC argument exclude each other: the MAC is in the file")
				}
				if err := c.load(file, &d); err != nil {
					return err
				}
			} else {
				if len(args) == 0 {
					return c.fail("give the MAC address, or the device as JSON with --file")
				}
				d.MAC = model.MAC(args[0]) // parsed by AddDevice, which names the field
				d.Lines = []provision.DeviceLine{}
				for _, s := range lines {
					l, err := parseLine(s)
					if err != nil {
						return c.fail("%v", err)
					}
					d.Lines = append(d.Lines, l)
				}
				if settings != "" {
					if err := c.load(settings, &d.Settings); err != nil {
						return err
					}
				}
			}
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out, err := svc.AddDevice(cmd.Context(), d)
				if err != nil {
					return err
				}
				return c.printSecret(out)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&file, "file", "", "the device as JSON; - reads standard input")
	f.StringVar(&d.Domain, "domain", "", "tenant of the device")
	f.StringVar(&d.Model, "model", "", "vendor/model (pbxgate provisioning models)")
	f.StringVar(&d.Template, "template", "", `template name (default "default")`)
	f.StringVar(&d.Label, "label", "", "label of the device")
	f.StringArrayVar(&lines, "line", nil, "bind line N to an extension: N=EXTENSION[:LABEL] (repeatable)")
	f.StringVar(&settings, "settings", "", "the device's own settings as JSON; - reads standard input")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) devList() *cobra.Command {
	var domain string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the devices (never their passwords)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				list := []api.DeviceView{}
				for _, d := range svc.Devices(domain) {
					list = append(list, api.DeviceView{Device: d})
				}
				if c.json {
					return c.writeJSON(map[string]any{"devices": list})
				}
				tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "MAC\tDOMAIN\tMODEL\tTEMPLATE\tLABEL\tLINES")
				for _, v := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.MAC, v.Domain, v.Model, dash(v.Template), dash(v.Label), linesText(v.Lines))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "only the devices of this tenant")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) devShow() *cobra.Command {
	var n int
	cmd := &cobra.Command{
		Use:   "show MAC",
		Short: "Show a device and its last fetches (never its password)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 || n > 1000 {
				return c.fail("--fetches: %d is not between 1 and 1000", n)
			}
			mac, err := c.parseMAC(args[0])
			if err != nil {
				return err
			}
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				d, ok := svc.Device(mac)
				if !ok {
					return provision.ErrNotFound
				}
				fetches, err := svc.DeviceFetches(cmd.Context(), mac, n)
				if err != nil {
					return fmt.Errorf("read the fetches: %w", err)
				}
				if fetches == nil {
					fetches = []provision.Fetch{}
				}
				v := api.DeviceView{Device: d, Fetches: fetches}
				if c.json {
					return c.writeJSON(v)
				}
				c.printDevice(v.Device, false)
				if len(v.Fetches) == 0 {
					fmt.Fprintln(c.stdout, "fetches:       none")
					return nil
				}
				fmt.Fprintln(c.stdout, "fetches:")
				tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "  TIME\tIP\tFILE\tRESULT\tUSER AGENT")
				for _, f := range v.Fetches {
					fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", timeText(f.Time), f.IP, f.File, f.Result, dash(f.UserAgent))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&n, "fetches", defaultFetches, "how many of the last fetches to show (1 to 1000)")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) devSet() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "set MAC --file FILE",
		Short: "Replace a device's tenant, model, template, label, lines and settings (as PUT); credentials stay",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			mac, err := c.parseMAC(args[0])
			if err != nil {
				return err
			}
			var d provision.Device
			if err := c.load(file, &d); err != nil {
				return err
			}
			d.MAC = mac
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out, err := svc.UpdateDevice(cmd.Context(), d)
				if err != nil {
					return err
				}
				if c.json {
					return c.writeJSON(api.DeviceView{Device: out})
				}
				c.printDevice(out, false)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the device as JSON (the body of PUT /api/v1/devices/MAC); - reads standard input")
	_ = cmd.MarkFlagRequired("file")
	c.jsonFlag(cmd)
	return cmd
}

func (c *provCmd) devRm() *cobra.Command {
	return &cobra.Command{
		Use:   "rm MAC",
		Short: "Remove a device",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			mac, err := c.parseMAC(args[0])
			if err != nil {
				return err
			}
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				if err := svc.DeleteDevice(cmd.Context(), mac); err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, "removed", mac)
				return nil
			})
		},
	}
}

func (c *provCmd) devRotate() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotate MAC",
		Short: "Give a device a new HTTP password (the old one stops working at once)",
		Long: `Give a device a new HTTP password and print it; the old one stops working at once.
The phone gets its new file through the tenant's bootstrap credentials from
an allowed network, or the new password is entered on the phone.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			mac, err := c.parseMAC(args[0])
			if err != nil {
				return err
			}
			return c.with(cmd.Context(), func(svc *provision.Service) error {
				out, err := svc.RotateCredentials(cmd.Context(), mac)
				if err != nil {
					return err
				}
				return c.printSecret(out)
			})
		},
	}
	c.jsonFlag(cmd)
	return cmd
}

// printSecret prints a device as the answer to the write that made its
// password: the only time the password is shown.
func (c *provCmd) printSecret(d provision.Device) error {
	if c.json {
		return c.writeJSON(d)
	}
	c.printDevice(d, true)
	fmt.Fprintln(c.stdout, "(the http password is not shown again; device rotate makes a new one)")
	return nil
}

// printDevice prints a device; its password only with showPassword.
func (c *provCmd) printDevice(d provision.Device, showPassword bool) {
	pw := hidden(d.HTTPPassword)
	if showPassword {
		pw = d.HTTPPassword
	}
	fmt.Fprintf(c.stdout, "mac:           %s\ndomain:        %s\nmodel:         %s\ntemplate:      %s\nlabel:         %s\n",
		d.MAC, d.Domain, d.Model, dash(d.Template), dash(d.Label))
	if len(d.Lines) == 0 {
		fmt.Fprintln(c.stdout, "lines:         none")
	}
	for _, l := range d.Lines {
		fmt.Fprintf(c.stdout, "%-15s%s%s\n", "line "+strconv.Itoa(l.Line)+":", l.Extension, lineDetails(l))
	}
	fmt.Fprintf(c.stdout, "settings:      %s\nhttp username: %s\nhttp password: %s\nown credentials used: %v\ncreated:       %s\nupdated:       %s\n",
		compactJSON(d.Settings), d.HTTPUsername, pw, d.OwnCredentialsUsed, timeText(d.Created), timeText(d.Updated))
}

// lineDetails are a line's optional values, for text output.
func lineDetails(l provision.DeviceLine) string {
	var parts []string
	if l.Label != "" {
		parts = append(parts, fmt.Sprintf("label %q", l.Label))
	}
	if l.CallerIDSource != "" {
		parts = append(parts, "caller id "+l.CallerIDSource)
	}
	if l.LocalSIPPort != 0 {
		parts = append(parts, "local port "+strconv.Itoa(l.LocalSIPPort))
	}
	if l.SRTP != "" {
		parts = append(parts, "srtp "+l.SRTP)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// linesText is the lines of a device on one line: "1=100 2=101".
func linesText(lines []provision.DeviceLine) string {
	if len(lines) == 0 {
		return "-"
	}
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = strconv.Itoa(l.Line) + "=" + l.Extension
	}
	return strings.Join(parts, " ")
}
