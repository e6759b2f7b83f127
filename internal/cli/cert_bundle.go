package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/certs"
)

func newCertBundle(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var (
		keyPath, certPath, chainPath, out string
		force                             bool
	)
	c := &cobra.Command{
		Use:   "bundle --key FILE --cert FILE [--chain FILE] [--out FILE]",
		Short: "Join a key, a certificate and its chain into a domain's merged PEM",
		Long: `Join the files a CA hands out into the merged PEM a domain's certificate_pem
takes, in the platform's order: the private key, the certificate, then the
chain from the certificate up to the root. The certificate file may carry its
chain (a fullchain file); the chain may come in any order. The key must be the
certificate's, and every certificate given must be on its chain.

A file named "-" is read from standard input. The result goes to standard
output, or to --out (mode 0600, kept unless --force is given).

It replaces: cat domain.key domain.crt ca.pem`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if out != "" {
				if err := refuseExisting(out, force); err != nil {
					return err
				}
			}
			var files [3][]byte
			for i, p := range []string{keyPath, certPath, chainPath} {
				if p == "" {
					continue
				}
				data, err := readInput(p, stdin)
				if err != nil {
					return err
				}
				files[i] = data
			}
			merged, err := certs.Bundle(files[0], files[1], files[2])
			if err != nil {
				return err
			}
			if out == "" {
				_, err = stdout.Write(merged)
				return err
			}
			if err := writeOutput(out, merged, 0o600, force); err != nil {
				return err
			}
			m, err := certs.ParseMerged(string(merged))
			if err != nil {
				return fmt.Errorf("bundle: the merged PEM does not read back: %w", err)
			}
			if len(m.Pairs) != 1 {
				return fmt.Errorf("bundle: the merged PEM reads back as %d key pairs, want 1", len(m.Pairs))
			}
			info := certs.Describe(m.Pairs[0].Cert)
			fmt.Fprintf(stdout, "wrote %s (mode 0600): private key %s, certificate %s, %s\n",
				out, m.Pairs[0].KeyType, info.Subject, chainCount(info.ChainLength-1))
			return nil
		},
	}
	c.Flags().StringVar(&keyPath, "key", "", "the private key in PEM (required)")
	c.Flags().StringVar(&certPath, "cert", "", "the certificate in PEM, possibly followed by its chain (required)")
	c.Flags().StringVar(&chainPath, "chain", "", "the chain (intermediates, possibly the root) in PEM")
	c.Flags().StringVar(&out, "out", "", "file to write instead of standard output")
	c.Flags().BoolVar(&force, "force", false, "replace --out if it exists")
	_ = c.MarkFlagRequired("key")
	_ = c.MarkFlagRequired("cert")
	return c
}

// chainCount says how many certificates follow the leaf.
func chainCount(n int) string {
	switch n {
	case 0:
		return "no chain"
	case 1:
		return "1 chain certificate"
	}
	return fmt.Sprintf("%d chain certificates", n)
}
