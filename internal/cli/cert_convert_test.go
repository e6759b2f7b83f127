package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/certs"
)

func TestCertConvert(t *testing.T) {
	f := newCertFiles(t)
	p := f.pki
	existing := writeTestFile(t, filepath.Join(f.dir, "existing.out"), []byte("keep me\n"))
	pemOut := func(t *testing.T, tmp string, _ cliResult) {
		t.Helper()
		out := filepath.Join(tmp, "out.pem")
		wantMode(t, out, 0o600)
		wantMerged(t, readTestFile(t, out), p.leafKey, p.leaf, p.inter, p.root)
	}
	// p12Out reads the PKCS#12 file written back with cert inspect.
	p12Out := func(subject string, chain int) func(*testing.T, string, cliResult) {
		return func(t *testing.T, tmp string, _ cliResult) {
			t.Helper()
			out := filepath.Join(tmp, "out.p12")
			wantMode(t, out, 0o600)
			if certs.DetectFormat(readTestFile(t, out)) != certs.FormatPKCS12 {
				t.Fatal("the file written is not PKCS#12")
			}
			rep := inspectJSON(t, out, "--password", outPW)
			e := rep.Entries[0]
			if rep.Format != "PKCS#12" || !e.HasKey || e.Subject != subject || e.ChainLength != chain {
				t.Errorf("read back: format %s, key %v, subject %q, chain %d", rep.Format, e.HasKey, e.Subject, e.ChainLength)
			}
		}
	}
	runCases(t, []cliCase{
		{
			name:    "ok/pem-to-pkcs12",
			args:    []string{"cert", "convert", f.mergedPath, "--to", "pkcs12", "--out-password", outPW, "--out", "{tmp}/out.p12"},
			wantOut: []string{"out.p12 (PKCS#12, mode 0600): private key ecdsa-p256, certificate CN=leaf.example.com, 2 chain certificates"},
			wantErr: []string{`the PKCS#12 file names no alias: leave the alias unset in pbxgate; Java's keytool calls the entry "1"`},
			check:   p12Out("CN=leaf.example.com", 3),
		},
		{
			name:  "ok/pem-to-pkcs12-read-by-openssl",
			needs: "openssl",
			args:  []string{"cert", "convert", f.mergedPath, "--to", "pkcs12", "--out-password", outPW, "--out", "{tmp}/out.p12"},
			check: func(t *testing.T, tmp string, _ cliResult) {
				info := runTool(t, tmp, "openssl", "pkcs12", "-info", "-nokeys", "-in", "out.p12", "-passin", "pass:"+outPW)
				for _, s := range []string{"MAC: sha256", "AES-256-CBC", "subject=CN = leaf.example.com", "subject=CN = Test Intermediate CA", "subject=CN = Test Root CA"} {
					if !strings.Contains(info, s) {
						t.Errorf("openssl pkcs12 -info does not say %q:\n%s", s, info)
					}
				}
			},
		},
		{
			name:  "ok/pem-to-pkcs12-env-password",
			env:   map[string]string{envOutPassword: outPW},
			args:  []string{"cert", "convert", f.mergedPath, "--to", "pkcs12", "--out", "{tmp}/out.p12"},
			check: p12Out("CN=leaf.example.com", 3),
		},
		{
			name:     "fail/pkcs12-without-password",
			args:     []string{"cert", "convert", f.mergedPath, "--to", "pkcs12", "--out", "{tmp}/out.p12"},
			wantCode: 1,
			wantErr:  []string{"a PKCS#12 file needs a password: use --out-password or PBXGATE_OUT_PASSWORD"},
			check:    wantNoFile("out.p12"),
		},
		{
			name:    "ok/pkcs12-to-pem",
			args:    []string{"cert", "convert", f.p12, "--password", storePW, "--to", "pem", "--out", "{tmp}/out.pem"},
			wantOut: []string{"out.pem (merged PEM, mode 0600)"},
			check: func(t *testing.T, tmp string, r cliResult) {
				pemOut(t, tmp, r)
				wantNoKeyOnStdout(t, tmp, r)
			},
		},
		{
			name:  "ok/stdin-to-pem",
			stdin: string(f.merged),
			args:  []string{"cert", "convert", "-", "--to", "pem", "--out", "{tmp}/out.pem"},
			check: pemOut,
		},
		{
			name:  "ok/openssl-pkcs12-alias-to-pem",
			needs: "openssl",
			env:   map[string]string{envStorePassword: storePW},
			args:  []string{"cert", "convert", f.p12Alias, "--alias", "isymphony", "--to", "pem", "--out", "{tmp}/out.pem"},
			check: pemOut,
		},
		{
			name:    "ok/jks-to-pem",
			needs:   "keytool",
			args:    []string{"cert", "convert", f.jks, "--password", storePW, "--key-password", keyPW, "--to", "pem", "--out", "{tmp}/out.pem"},
			wantOut: []string{"certificate CN=jks.example.com, no chain"},
			check: func(t *testing.T, tmp string, _ cliResult) {
				out := readTestFile(t, filepath.Join(tmp, "out.pem"))
				if !strings.HasPrefix(string(out), "-----BEGIN PRIVATE KEY-----\n") {
					t.Errorf("the merged PEM does not start with the key:\n%.60s", out)
				}
				m, err := certs.ParseMerged(string(out))
				if err != nil {
					t.Fatalf("ParseMerged: %v", err)
				}
				if len(m.Pairs) != 1 || m.Pairs[0].Cert.Leaf.Subject.CommonName != "jks.example.com" || m.Pairs[0].KeyType != "ecdsa-p256" {
					t.Errorf("ParseMerged: %d pairs, first %+v", len(m.Pairs), m.Pairs[0])
				}
			},
		},
		{
			name:  "ok/jks-to-pkcs12",
			needs: "keytool",
			env:   map[string]string{envStorePassword: storePW, envKeyPassword: keyPW, envOutPassword: outPW},
			args:  []string{"cert", "convert", f.jks, "--to", "pkcs12", "--out", "{tmp}/out.p12"},
			check: p12Out("CN=jks.example.com", 1),
		},
		{
			name:     "fail/jks-alias-not-found",
			needs:    "keytool",
			args:     []string{"cert", "convert", f.jks, "--password", storePW, "--key-password", keyPW, "--alias", "nope", "--to", "pem", "--out", "{tmp}/out.pem"},
			wantCode: 1,
			wantErr:  []string{`alias "nope" not found; the keystore has: isymphony`},
			check:    wantNoFile("out.pem"),
		},
		{
			name:     "fail/wrong-password",
			args:     []string{"cert", "convert", f.p12, "--password", badPW, "--to", "pem", "--out", "{tmp}/out.pem"},
			wantCode: 1,
			wantErr:  []string{"store.p12: PKCS#12: wrong store password"},
			check:    wantNoFile("out.pem"),
		},
		{
			name:     "fail/no-private-key",
			args:     []string{"cert", "convert", f.leafPEM, "--to", "pem", "--out", "{tmp}/out.pem"},
			wantCode: 1,
			wantErr:  []string{"leaf.pem: PEM: ", "no private key"},
			check:    wantNoFile("out.pem"),
		},
		{
			name:     "fail/unknown-format",
			args:     []string{"cert", "convert", f.mergedPath, "--to", "jks", "--out", "{tmp}/out.jks"},
			wantCode: 1,
			wantErr:  []string{`--to "jks": want pem or pkcs12`},
		},
		{
			name:     "fail/no-out",
			args:     []string{"cert", "convert", f.mergedPath, "--to", "pem"},
			wantCode: 1,
			wantErr:  []string{`required flag(s) "out" not set`},
		},
		{
			name:     "fail/out-exists",
			args:     []string{"cert", "convert", f.mergedPath, "--to", "pem", "--out", existing},
			wantCode: 1,
			wantErr:  []string{"existing.out already exists; use --force to replace it"},
			check: func(t *testing.T, _ string, _ cliResult) {
				if got := readTestFile(t, existing); string(got) != "keep me\n" {
					t.Errorf("existing.out was changed")
				}
			},
		},
	})
	t.Run("ok/force-replaces", func(t *testing.T) {
		tmp := t.TempDir()
		out := filepath.Join(tmp, "out.pem")
		if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, "", "cert", "convert", f.mergedPath, "--to", "pem", "--out", out, "--force")
		if r.code != 0 {
			t.Fatalf("exit status %d: %s", r.code, r.stderr)
		}
		pemOut(t, tmp, r)
		if names := dirNames(t, tmp); len(names) != 1 {
			t.Errorf("files %q, want out.pem alone", names)
		}
	})
}
