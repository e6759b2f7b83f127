package cli

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/certs"
)

func newCertSelfsign(stdout io.Writer) *cobra.Command {
	var (
		name, keyType, dir string
		days               int
		force              bool
	)
	c := &cobra.Command{
		Use:   "selfsign --name NAME --out DIR",
		Short: "Make a self-signed certificate for a listener's certdir",
		Long: `Make a self-signed certificate for NAME (a DNS name or an IP address;
"localhost" also covers 127.0.0.1 and ::1) and write DIR/server.key (mode
0600) and DIR/server.crt. DIR is made when missing; set it as the certdir of
a listener. The two files, key first, also make a domain's certificate_pem.

It replaces: openssl req -newkey rsa:2048 -nodes -keyout server.key -x509
-days 1095 -out server.crt`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			keyPath, crtPath := filepath.Join(dir, certs.KeyFile), filepath.Join(dir, certs.CertFile)
			for _, p := range []string{keyPath, crtPath} {
				if err := refuseExisting(p, force); err != nil {
					return err
				}
			}
			keyPEM, crtPEM, err := certs.SelfSignedKey(name, days, keyType, time.Now())
			if err != nil {
				return err
			}
			pair, err := tls.X509KeyPair(crtPEM, keyPEM)
			if err != nil {
				return fmt.Errorf("self-signed certificate: %w", err)
			}
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return err
			}
			if err := writeOutput(keyPath, keyPEM, 0o600, force); err != nil {
				return err
			}
			if err := writeOutput(crtPath, crtPEM, 0o644, force); err != nil {
				if !force {
					_ = os.Remove(keyPath) // no key without its certificate
				}
				return err
			}
			info := certs.Describe(&pair)
			fmt.Fprintf(stdout, "wrote %s (private key, %s, mode 0600)\n", keyPath, info.KeyType)
			fmt.Fprintf(stdout, "wrote %s (self-signed for %s, valid until %s)\n",
				crtPath, strings.Join(info.SANs, ", "), info.NotAfter.UTC().Format(time.RFC3339))
			fmt.Fprintf(stdout, "SHA-256 fingerprint: %s\n", info.SHA256Fingerprint)
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", "", "the name the certificate covers: a DNS name or an IP address (required)")
	c.Flags().IntVar(&days, "days", 1095, "days of validity")
	c.Flags().StringVar(&keyType, "key", certs.SelfSignKeyTypes()[0], "key type: "+strings.Join(certs.SelfSignKeyTypes(), ", "))
	c.Flags().StringVar(&dir, "out", "", "directory to write server.key and server.crt into (required)")
	c.Flags().BoolVar(&force, "force", false, "replace existing files")
	_ = c.MarkFlagRequired("name")
	_ = c.MarkFlagRequired("out")
	return c
}
