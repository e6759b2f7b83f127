package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/certs"
)

func newCertInspect(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var (
		ks     keystoreFlags
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Describe a certificate file of any format and say what is wrong with it",
		Long: `Describe the certificates of FILE ("-" reads standard input): a merged PEM
(key, certificate, chain), a PEM bundle, certificates in PEM or DER, a JKS or a
PKCS#12 keystore, told apart by content. For each certificate it prints the
subject, names, issuer, validity, key type, serial, SHA-256 fingerprint and
chain, and the problems found: expired or not yet valid, a broken chain, a
missing intermediate, a weak key or signature. Private keys are never printed.

The exit status is 1, with the reason, when the file cannot be read: a wrong
store or key password, an alias not found (the message lists the aliases the
keystore has), a format pbxgate does not know.

It replaces: keytool -list -v -keystore FILE; openssl x509 -text -noout -in FILE;
openssl pkcs12 -info -in FILE.

` + passwordHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readInput(args[0], stdin)
			if err != nil {
				return err
			}
			opts := ks.options(cmd)
			rep, err := certs.InspectFile(data, opts)
			if err != nil {
				return keystoreError(inputName(args[0]), err, opts)
			}
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			_, err = fmt.Fprint(stdout, rep.Text())
			return err
		},
	}
	ks.add(c)
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c
}
