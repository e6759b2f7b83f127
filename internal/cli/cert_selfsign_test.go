package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/certs"
)

// inspectJSON runs `cert inspect --json` on path and decodes the report.
func inspectJSON(t *testing.T, path string, extra ...string) certs.Report {
	t.Helper()
	r := runCLI(t, "", append([]string{"cert", "inspect", "--json", path}, extra...)...)
	if r.code != 0 {
		t.Fatalf("inspect %s: exit status %d:\n%s", filepath.Base(path), r.code, r.stderr)
	}
	var rep certs.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("inspect --json does not print JSON: %v\n%s", err, r.stdout)
	}
	if len(rep.Entries) != 1 {
		t.Fatalf("inspect: %d entries, want 1:\n%s", len(rep.Entries), r.stdout)
	}
	return rep
}

// wantSelfSigned checks the certdir tmp/dir that selfsign wrote: the key's
// mode, that the files load as a certdir, and what inspect says of them.
func wantSelfSigned(name, keyType string, days int, sans ...string) func(*testing.T, string, cliResult) {
	return func(t *testing.T, tmp string, _ cliResult) {
		t.Helper()
		dir := filepath.Join(tmp, "dir")
		wantMode(t, filepath.Join(dir, certs.KeyFile), 0o600)
		if _, err := certs.LoadCertDir(dir); err != nil {
			t.Fatalf("the files do not load as a certdir: %v", err)
		}
		merged := writeTestFile(t, filepath.Join(tmp, "merged.pem"),
			append(readTestFile(t, filepath.Join(dir, certs.KeyFile)), readTestFile(t, filepath.Join(dir, certs.CertFile))...))
		e := inspectJSON(t, merged).Entries[0]
		if e.Subject != "CN="+name+",O=pbxgate self-signed" || !e.SelfSigned || !e.HasKey {
			t.Errorf("subject %q, self-signed %v, with key %v", e.Subject, e.SelfSigned, e.HasKey)
		}
		if !slices.Equal(e.SANs, sans) {
			t.Errorf("names %q, want %q", e.SANs, sans)
		}
		if e.KeyType != keyType {
			t.Errorf("key %s, want %s", e.KeyType, keyType)
		}
		// Valid from an hour before it was made, for days days.
		if got, want := e.NotAfter.Sub(e.NotBefore), time.Duration(days)*24*time.Hour+time.Hour; got != want {
			t.Errorf("valid for %v, want %v", got, want)
		}
		if len(e.Problems) != 0 {
			t.Errorf("problems: %q", e.Problems)
		}
	}
}

func TestCertSelfsign(t *testing.T) {
	runCases(t, []cliCase{
		{
			name:    "ok/defaults",
			args:    []string{"cert", "selfsign", "--name", "pbx.example.com", "--out", "{tmp}/dir"},
			wantOut: []string{"server.key (private key, ecdsa-p256, mode 0600)", "server.crt (self-signed for pbx.example.com, valid until ", "SHA-256 fingerprint: "},
			check:   wantSelfSigned("pbx.example.com", "ecdsa-p256", 1095, "pbx.example.com"),
		},
		{
			name:  "ok/rsa-2048-30-days",
			args:  []string{"cert", "selfsign", "--name", "pbx.example.com", "--key", "rsa-2048", "--days", "30", "--out", "{tmp}/dir"},
			check: wantSelfSigned("pbx.example.com", "rsa-2048", 30, "pbx.example.com"),
		},
		{
			name:  "ok/ecdsa-p384",
			args:  []string{"cert", "selfsign", "--name", "pbx.example.com", "--key", "ecdsa-p384", "--days", "7", "--out", "{tmp}/dir"},
			check: wantSelfSigned("pbx.example.com", "ecdsa-p384", 7, "pbx.example.com"),
		},
		{
			name:  "ok/localhost-covers-loopback",
			args:  []string{"cert", "selfsign", "--name", "localhost", "--out", "{tmp}/dir"},
			check: wantSelfSigned("localhost", "ecdsa-p256", 1095, "localhost", "127.0.0.1", "::1"),
		},
		{
			name:  "ok/ip-address",
			args:  []string{"cert", "selfsign", "--name", "192.0.2.10", "--out", "{tmp}/dir"},
			check: wantSelfSigned("192.0.2.10", "ecdsa-p256", 1095, "192.0.2.10"),
		},
		{
			name:     "fail/unknown-key-type",
			args:     []string{"cert", "selfsign", "--name", "pbx.example.com", "--key", "dsa-1024", "--out", "{tmp}/dir"},
			wantCode: 1,
			wantErr:  []string{`key type "dsa-1024" is not one of ecdsa-p256, `},
			check:    wantNoFile("dir"),
		},
		{
			name:     "fail/zero-days",
			args:     []string{"cert", "selfsign", "--name", "pbx.example.com", "--days", "0", "--out", "{tmp}/dir"},
			wantCode: 1,
			wantErr:  []string{"0 days is not between 1 and"},
		},
		{
			name:     "fail/no-name",
			args:     []string{"cert", "selfsign", "--out", "{tmp}/dir"},
			wantCode: 1,
			wantErr:  []string{`required flag(s) "name" not set`},
		},
		{
			name:     "fail/no-out",
			args:     []string{"cert", "selfsign", "--name", "pbx.example.com"},
			wantCode: 1,
			wantErr:  []string{`required flag(s) "out" not set`},
		},
	})
}

// wantNoFile fails when tmp/name exists.
func wantNoFile(name string) func(*testing.T, string, cliResult) {
	return func(t *testing.T, tmp string, _ cliResult) {
		t.Helper()
		if _, err := os.Lstat(filepath.Join(tmp, name)); err == nil {
			t.Errorf("%s was written", name)
		}
	}
}

func TestCertSelfsignExisting(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing string // the file there before
		force    bool
		wantCode int
	}{
		{name: "fail/key-exists", existing: certs.KeyFile, wantCode: 1},
		{name: "fail/cert-exists", existing: certs.CertFile, wantCode: 1},
		{name: "ok/force-replaces-key", existing: certs.KeyFile, force: true},
		{name: "ok/force-replaces-cert", existing: certs.CertFile, force: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			old := []byte("old content\n")
			writeTestFile(t, filepath.Join(dir, tc.existing), old)
			args := []string{"cert", "selfsign", "--name", "pbx.example.com", "--out", dir}
			if tc.force {
				args = append(args, "--force")
			}
			r := runCLI(t, "", args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit status %d, want %d:\n%s", r.code, tc.wantCode, r.stderr)
			}
			if !tc.force {
				if want := filepath.Join(dir, tc.existing) + " already exists; use --force to replace it"; !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q does not say %q", r.stderr, want)
				}
				if got := readTestFile(t, filepath.Join(dir, tc.existing)); string(got) != string(old) {
					t.Errorf("%s was changed", tc.existing)
				}
				if n := len(dirNames(t, dir)); n != 1 {
					t.Errorf("%d files in the directory, want the 1 that was there", n)
				}
				return
			}
			wantMode(t, filepath.Join(dir, certs.KeyFile), 0o600)
			if _, err := certs.LoadCertDir(dir); err != nil {
				t.Errorf("the replaced files do not load: %v", err)
			}
			if n := len(dirNames(t, dir)); n != 2 {
				t.Errorf("%d files in the directory, want 2 (a temporary file left?)", n)
			}
		})
	}
}
