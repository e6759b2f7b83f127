package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/daemon"
	"github.com/pbxgate/pbxgate/internal/domains"
)

// domainCmd holds what every domain sub-command shares.
type domainCmd struct {
	state          stateFlags
	stdin          io.Reader
	stdout, stderr io.Writer
	json           bool
}

// with opens the domain tree of the local state and runs fn on it.
func (c *domainCmd) with(ctx context.Context, fn func(*domains.Service) error) error {
	cfg, err := c.state.load()
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitError(1)
	}
	svc, closer, err := daemon.OpenDomains(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := fn(svc); err != nil {
		fmt.Fprintln(c.stderr, domainMessage(err))
		return exitError(1)
	}
	return nil
}

// domainMessage says what went wrong in the words of the domain rules.
func domainMessage(err error) string {
	if fes := domains.FieldErrors(err); len(fes) > 0 {
		var b strings.Builder
		for i, fe := range fes {
			if i > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "%s: %s", fe.Field, fe.Msg)
		}
		return b.String()
	}
	switch {
	case errors.Is(err, domains.ErrNotFound):
		return "no such domain"
	case errors.Is(err, domains.ErrExists):
		return "the domain exists"
	case errors.Is(err, domains.ErrHasChildren):
		return "the domain has children: remove them too with --recursive"
	}
	return err.Error()
}

func newDomain(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := &domainCmd{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "domain",
		Short: "Manage the domain tree (certificates by SNI, tenants)",
		Long: `Manage the domain tree in the local store (--config, --data as for serve).
A running gateway on the same store applies the change within seconds.
The master domain (master_domain) always exists and is the root.`,
	}
	for _, sub := range []*cobra.Command{c.add(), c.list(), c.show(), c.set(), c.rm()} {
		c.state.add(sub)
		root.AddCommand(sub)
	}
	return root
}

// readPEM reads a merged PEM from a file ("-" is standard input) and
// checks that it can be served.
func (c *domainCmd) readPEM(path string) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(c.stdin, domains.MaxCertificatePEMLen+1))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", err
	}
	if _, err := certs.ParseMerged(string(b)); err != nil {
		return "", fmt.Errorf("certificate_pem: %s: %w", path, err)
	}
	return string(b), nil
}

func (c *domainCmd) add() *cobra.Command {
	var parent, certFile, email string
	var acme bool
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a domain (its parent defaults to the nearest DNS parent domain, else the master)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d := domains.Domain{Name: args[0], Parent: parent, ACMEEnabled: acme, ACMEAccountEmail: email}
			if certFile != "" {
				pem, err := c.readPEM(certFile)
				if err != nil {
					fmt.Fprintln(c.stderr, err)
					return exitError(1)
				}
				d.CertificatePEM = pem
			}
			return c.with(cmd.Context(), func(svc *domains.Service) error {
				out, err := svc.Add(cmd.Context(), d)
				if err != nil {
					return err
				}
				return c.print(out)
			})
		},
	}
	cmd.Flags().StringVar(&parent, "parent", "", "parent domain")
	cmd.Flags().StringVar(&certFile, "cert", "", "merged PEM file (key, certificate, chain); - reads standard input")
	cmd.Flags().BoolVar(&acme, "acme", false, "issue the certificate automatically (needs --acme-email)")
	cmd.Flags().StringVar(&email, "acme-email", "", "ACME account e-mail address")
	c.jsonFlag(cmd)
	return cmd
}

func (c *domainCmd) list() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the domains",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(cmd.Context(), func(svc *domains.Service) error {
				list, err := svc.List(cmd.Context())
				if err != nil {
					return err
				}
				views := make([]api.DomainView, len(list))
				for i, d := range list {
					views[i] = api.ViewDomain(d, time.Now())
				}
				if c.json {
					return c.writeJSON(map[string]any{"domains": views})
				}
				tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tPARENT\tCERTIFICATE\tNOT AFTER\tACME")
				for _, v := range views {
					subject, notAfter := "-", "-"
					if len(v.Certificate.Certificates) > 0 {
						subject = v.Certificate.Certificates[0].Subject
						notAfter = v.Certificate.Certificates[0].NotAfter.Format("2006-01-02")
					} else if v.Certificate.Error != "" {
						subject = "invalid"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", v.Name, dash(v.Parent), subject, notAfter, v.ACMEEnabled)
				}
				return tw.Flush()
			})
		},
	}
	c.jsonFlag(cmd)
	return cmd
}

func (c *domainCmd) show() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a domain and its certificate",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.with(cmd.Context(), func(svc *domains.Service) error {
				d, err := svc.Get(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return c.print(d)
			})
		},
	}
	c.jsonFlag(cmd)
	return cmd
}

func (c *domainCmd) set() *cobra.Command {
	var parent, certFile, email string
	var acme, noCert bool
	cmd := &cobra.Command{
		Use:   "set NAME",
		Short: "Change a domain: parent, certificate, ACME",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var p domains.Patch
			f := cmd.Flags()
			if f.Changed("parent") {
				p.Parent = &parent
			}
			switch {
			case noCert && certFile != "":
				fmt.Fprintln(c.stderr, "--cert and --no-cert exclude each other")
				return exitError(2)
			case noCert:
				empty := ""
				p.CertificatePEM = &empty
			case certFile != "":
				pem, err := c.readPEM(certFile)
				if err != nil {
					fmt.Fprintln(c.stderr, err)
					return exitError(1)
				}
				p.CertificatePEM = &pem
			}
			if f.Changed("acme") {
				p.ACMEEnabled = &acme
			}
			if f.Changed("acme-email") {
				p.ACMEAccountEmail = &email
			}
			return c.with(cmd.Context(), func(svc *domains.Service) error {
				out, err := svc.Update(cmd.Context(), args[0], p)
				if err != nil {
					return err
				}
				return c.print(out)
			})
		},
	}
	cmd.Flags().StringVar(&parent, "parent", "", "new parent domain")
	cmd.Flags().StringVar(&certFile, "cert", "", "merged PEM file; - reads standard input")
	cmd.Flags().BoolVar(&noCert, "no-cert", false, "remove the certificate")
	cmd.Flags().BoolVar(&acme, "acme", false, "issue the certificate automatically")
	cmd.Flags().StringVar(&email, "acme-email", "", "ACME account e-mail address")
	c.jsonFlag(cmd)
	return cmd
}

func (c *domainCmd) rm() *cobra.Command {
	var recursive bool
	cmd := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a domain (with --recursive, its whole subtree)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.with(cmd.Context(), func(svc *domains.Service) error {
				names, err := svc.Remove(cmd.Context(), args[0], recursive)
				if err != nil {
					return err
				}
				for _, n := range names {
					fmt.Fprintln(c.stdout, "removed", n)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&recursive, "recursive", false, "remove the children too")
	return cmd
}

func (c *domainCmd) jsonFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&c.json, "json", false, "print JSON, as the REST API answers")
}

func (c *domainCmd) print(d domains.Domain) error {
	v := api.ViewDomain(d, time.Now())
	if c.json {
		return c.writeJSON(v)
	}
	fmt.Fprintf(c.stdout, "name:      %s\nparent:    %s\nrevision:  %d\nacme:      %v %s\n", v.Name, dash(v.Parent), v.Revision, v.ACMEEnabled, v.ACMEAccountEmail)
	cv := v.Certificate
	switch {
	case !cv.Present:
		fmt.Fprintln(c.stdout, "certificate: none")
	case cv.Error != "":
		fmt.Fprintf(c.stdout, "certificate: invalid: %s\n", cv.Error)
	default:
		for _, info := range cv.Certificates {
			fmt.Fprintf(c.stdout, "certificate: %s (%s), issuer %s, %s to %s, names %s\n", info.Subject, info.KeyType, info.Issuer,
				info.NotBefore.Format(time.RFC3339), info.NotAfter.Format(time.RFC3339), strings.Join(info.SANs, ", "))
		}
		if cv.AutoIssued {
			fmt.Fprintln(c.stdout, "certificate: issued automatically")
		}
		for _, p := range cv.Problems {
			fmt.Fprintln(c.stdout, "problem:", p)
		}
	}
	return nil
}

func (c *domainCmd) writeJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
