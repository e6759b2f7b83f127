package cli

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pbxgate/pbxgate/internal/realm"
)

func newPasswd(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var user, realmName string
	c := &cobra.Command{
		Use:   "passwd",
		Short: "Print every stored form of a realm password",
		Long: `Read a password (prompted twice on a terminal, else the first line of standard
input) and print the forms a realm_auth user's password may take in the
configuration:

  bcrypt and argon2id     Basic only
  {HA1-MD5}, {HA1-SHA256} Digest with that algorithm, and Basic
  plaintext               both, with a warning at every load

HA1 forms depend on the user name and the realm: give the same --user and
--realm as the configuration.`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			pw, err := readPassword(stdin, stdout)
			if err != nil {
				return err
			}
			bc, err := realm.HashBcrypt(pw)
			if err != nil {
				return err
			}
			a2, err := realm.HashArgon2id(pw, rand.Reader)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "# user %q, realm %q\n", user, realmName)
			fmt.Fprintf(stdout, "bcrypt:      %s\n", bc)
			fmt.Fprintf(stdout, "argon2id:    %s\n", a2)
			fmt.Fprintf(stdout, "ha1-md5:     %s\n", realm.HA1(realm.MD5, user, realmName, pw))
			fmt.Fprintf(stdout, "ha1-sha256:  %s\n", realm.HA1(realm.SHA256, user, realmName, pw))
			return nil
		},
	}
	c.Flags().StringVar(&user, "user", "admin", "user name (HA1 forms depend on it)")
	c.Flags().StringVar(&realmName, "realm", "pbxgate", "realm (HA1 forms depend on it)")
	return c
}

func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		if len(a) == 0 {
			return "", errors.New("empty password")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty password on standard input")
	}
	return line, nil
}
