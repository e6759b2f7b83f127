package daemon

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pbxgate/pbxgate/internal/config"
)

// AdminPasswordFile is the file of the data directory that holds the
// generated admin password.
const AdminPasswordFile = "admin-password"

// AdminUser is the user name of the generated admin user.
const AdminUser = "admin"

// adminPassword returns the generated admin password, making it on first
// start. created reports whether it was made now.
func adminPassword(dataDir string) (pw string, created bool, err error) {
	path := filepath.Join(dataDir, AdminPasswordFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
			return "", false, fmt.Errorf("%s is readable by other users (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
		pw = strings.TrimSpace(string(b))
		if pw == "" {
			return "", false, fmt.Errorf("%s is empty: delete it to make a new password", path)
		}
		return pw, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("admin password: %w", err)
	}
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", false, fmt.Errorf("admin password: %w", err)
	}
	pw = base64.RawURLEncoding.EncodeToString(buf)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", false, fmt.Errorf("admin password: %w", err)
	}
	if _, err := f.WriteString(pw + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("admin password: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("admin password: %w", err)
	}
	return pw, true, nil
}

// withAdminUser gives the generated admin user to the API and the admin UI
// when their realm auth is on but names no user, and returns the contexts it
// filled. Other contexts never get this master credential: a realm without
// users there is a configuration error.
func withAdminUser(cfg *config.Config, pw string) []string {
	var filled []string
	for _, name := range []string{config.CommunicationManager, config.Administrator} {
		c := cfg.Contexts.ByName(name)
		if c.RealmAuth.Enabled && len(c.RealmAuth.Users) == 0 {
			c.RealmAuth.Users = []config.User{{Username: AdminUser, Password: pw}}
			filled = append(filled, name)
		}
	}
	return filled
}
