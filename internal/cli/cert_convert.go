package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/certs"
)

func newCertConvert(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var (
		ks               keystoreFlags
		to, out, outPass string
		force            bool
	)
	c := &cobra.Command{
		Use:   "convert IN --to pem|pkcs12 --out FILE",
		Short: "Convert a JKS, PKCS#12 or PEM keystore to a merged PEM or to PKCS#12",
		Long: `Read the private key and certificate chain of IN ("-" reads standard input),
a JKS, PKCS#12 or PEM keystore told apart by content, and write them to --out
(mode 0600, kept unless --force is given):

  --to pem     a merged PEM in the platform's order: key, certificate, chain;
               what a domain's certificate_pem takes
  --to pkcs12  a PKCS#12 file as OpenSSL 3 writes it (AES-256, SHA-256), read
               by OpenSSL 1.1.1 and later and Java 12 and later; its password
               is --out-password or ` + envOutPassword + `

A keystore with several keys needs --alias.

It replaces: openssl pkcs12 -export -in fullchain.pem -inkey private.pem
-out FILE; openssl pkcs12 -nodes -in FILE; keytool -importkeystore
-srcstoretype JKS -deststoretype PKCS12.

` + convertPasswordHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var outPassword string
			switch to {
			case "pem":
			case "pkcs12":
				outPassword = flagOrEnv(cmd, "out-password", outPass, envOutPassword)
				if outPassword == "" {
					return fmt.Errorf("a PKCS#12 file needs a password: use --out-password or %s", envOutPassword)
				}
			default:
				return fmt.Errorf("--to %q: want pem or pkcs12", to)
			}
			if err := refuseExisting(out, force); err != nil {
				return err
			}
			data, err := readInput(args[0], stdin)
			if err != nil {
				return err
			}
			opts := ks.options(cmd)
			cert, err := certs.LoadKeystore(data, opts)
			if err != nil {
				return keystoreError(inputName(args[0]), err, opts)
			}
			var result []byte
			if to == "pem" {
				result, err = certs.ToPEM(cert)
			} else {
				result, err = certs.ToPKCS12(cert, outPassword)
			}
			if err != nil {
				return fmt.Errorf("convert %s: %w", inputName(args[0]), err)
			}
			if err := writeOutput(out, result, 0o600, force); err != nil {
				return err
			}
			info := certs.Describe(cert)
			fmt.Fprintf(stdout, "wrote %s (%s, mode 0600): private key %s, certificate %s, %s\n",
				out, map[string]string{"pem": "merged PEM", "pkcs12": "PKCS#12"}[to],
				info.KeyType, info.Subject, chainCount(info.ChainLength-1))
			if to == "pkcs12" {
				fmt.Fprintln(stderr, `note: the PKCS#12 file names no alias: leave the alias unset in pbxgate; Java's keytool calls the entry "1"`)
			}
			return nil
		},
	}
	ks.add(c)
	c.Flags().StringVar(&to, "to", "", "output format: pem or pkcs12 (required)")
	c.Flags().StringVar(&out, "out", "", "file to write (required)")
	c.Flags().StringVar(&outPass, "out-password", "", "password of the PKCS#12 file written (or env "+envOutPassword+")")
	c.Flags().BoolVar(&force, "force", false, "replace --out if it exists")
	_ = c.MarkFlagRequired("to")
	_ = c.MarkFlagRequired("out")
	return c
}
