package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/certs"
)

// The names of the environment variables that may carry the passwords of
// the cert commands, so that they stay out of the process list. They are
// names, not credentials.
//
//nolint:gosec // G101 matches the word PASSWORD in the names.
const (
	envStorePassword = "PBXGATE_STORE_PASSWORD"
	envKeyPassword   = "PBXGATE_KEY_PASSWORD"
	envOutPassword   = "PBXGATE_OUT_PASSWORD"
)

// maxCertInput bounds the files the cert commands read: no certificate
// file or keystore comes near it.
const maxCertInput = 8 << 20

func newCert(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	c := &cobra.Command{
		Use:   "cert",
		Short: "Make, inspect, bundle and convert certificates",
		Long: `Replace the keytool and openssl recipes of certificate handling:

  selfsign  make server.key and server.crt for a listener's certdir
  inspect   describe a certificate file of any format and say what is wrong
  bundle    join a key, a certificate and a chain into the merged PEM of a
            domain's certificate_pem
  convert   turn a JKS, PKCS#12 or PEM keystore into a merged PEM or PKCS#12

Private keys are written with mode 0600 and existing files are kept unless
--force is given.`,
	}
	c.AddCommand(newCertSelfsign(stdout), newCertInspect(stdin, stdout),
		newCertBundle(stdin, stdout), newCertConvert(stdin, stdout, stderr))
	return c
}

// keystoreFlags are the flags that open a keystore, as a listener's
// keystore settings do.
type keystoreFlags struct {
	password, keyPassword, alias string
}

func (f *keystoreFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.password, "password", "", "store password of a JKS or PKCS#12 file (or env "+envStorePassword+")")
	c.Flags().StringVar(&f.keyPassword, "key-password", "", "key password of a JKS entry when it differs from the store password (or env "+envKeyPassword+")")
	c.Flags().StringVar(&f.alias, "alias", "", "alias of the keystore entry; needed when the keystore holds several keys")
}

// options returns the keystore options: a flag given on the command line
// wins over its environment variable.
func (f *keystoreFlags) options(c *cobra.Command) certs.KeystoreOptions {
	return certs.KeystoreOptions{
		StorePassword: flagOrEnv(c, "password", f.password, envStorePassword),
		KeyPassword:   flagOrEnv(c, "key-password", f.keyPassword, envKeyPassword),
		Alias:         f.alias,
	}
}

func flagOrEnv(c *cobra.Command, flag, value, env string) string {
	if c.Flags().Changed(flag) {
		return value
	}
	return os.Getenv(env)
}

// passwordHelp and convertPasswordHelp are the paragraphs of help on
// passwords.
const (
	passwordHelp = `Passwords may come from the environment instead of the flags, which other
users of the machine can read in the process list: ` + envStorePassword + ` and
` + envKeyPassword + `. A flag wins over its variable. Passwords are never
printed.`
	convertPasswordHelp = `Passwords may come from the environment instead of the flags, which other
users of the machine can read in the process list: ` + envStorePassword + `,
` + envKeyPassword + ` and ` + envOutPassword + `. A flag wins over its variable.
Passwords are never printed.`
)

// keystoreError adds to err the hint an operator needs when the store
// password was left out.
func keystoreError(name string, err error, opts certs.KeystoreOptions) error {
	if errors.Is(err, certs.ErrStorePassword) && opts.StorePassword == "" {
		return fmt.Errorf("%s: %w (no password was given: use --password or %s)", name, err, envStorePassword)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// inputName is how errors name the input path: "-" is standard input.
func inputName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// readInput reads the file at path, or standard input for "-", refusing
// more than maxCertInput bytes.
func readInput(path string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxCertInput+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", inputName(path), err)
	}
	if len(data) > maxCertInput {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a certificate file", inputName(path), maxCertInput>>20)
	}
	return data, nil
}

// refuseExisting fails when path exists and force is not set, before any
// work is done.
func refuseExisting(path string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; use --force to replace it", path)
	}
	return nil
}

// writeOutput writes data to path with mode perm. Without force it
// creates the file and fails if anything is there already (a symbolic
// link included); with force it writes a temporary file beside path and
// renames it over path, so that a reader never sees half a file.
func writeOutput(path string, data []byte, perm fs.FileMode, force bool) error {
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; use --force to replace it", path)
		}
		if err != nil {
			return err
		}
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
