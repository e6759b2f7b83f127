package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/certs"
)

// certFiles are certificate files of every format, made in dir from a
// testPKI. The JKS (made by keytool) and the PKCS#12 file with an alias
// (made by openssl) are missing when the tool is.
type certFiles struct {
	pki                                 testPKI
	dir                                 string
	merged                              []byte // key, leaf, intermediate, root
	mergedPath, leafPEM, leafDER, chain string
	p12, p12Alias, jks                  string
	garbage, empty                      string
}

func newCertFiles(t *testing.T) certFiles {
	t.Helper()
	p := newTestPKI(t)
	dir := t.TempDir()
	f := certFiles{pki: p, dir: dir}
	path := func(name string) string { return filepath.Join(dir, name) }
	key := writeTestFile(t, path("leaf.key"), keyPEM(t, p.leafKey, false))
	f.merged = append(keyPEM(t, p.leafKey, false), certsPEM(p.leaf, p.inter, p.root)...)
	f.mergedPath = writeTestFile(t, path("merged.pem"), f.merged)
	f.leafPEM = writeTestFile(t, path("leaf.pem"), certsPEM(p.leaf))
	f.leafDER = writeTestFile(t, path("leaf.der"), p.leaf.Raw)
	f.chain = writeTestFile(t, path("chain.pem"), certsPEM(p.inter, p.root))
	f.garbage = writeTestFile(t, path("garbage.bin"), []byte("\x00\x01 this is no certificate\n"))
	f.empty = writeTestFile(t, path("empty.pem"), nil)

	cert, err := certs.ParsePEMBundle(f.merged)
	if err != nil {
		t.Fatal(err)
	}
	p12, err := certs.ToPKCS12(cert, storePW)
	if err != nil {
		t.Fatal(err)
	}
	f.p12 = writeTestFile(t, path("store.p12"), p12)

	if haveTool("openssl") {
		runTool(t, dir, "openssl", "pkcs12", "-export", "-in", f.leafPEM, "-inkey", key, "-certfile", f.chain,
			"-name", "isymphony", "-out", "alias.p12", "-passout", "pass:"+storePW)
		f.p12Alias = path("alias.p12")
	}
	if haveTool("keytool") {
		runTool(t, dir, "keytool", "-genkeypair", "-storetype", "JKS", "-keystore", "store.jks",
			"-alias", "isymphony", "-keyalg", "EC", "-dname", "CN=jks.example.com",
			"-ext", "SAN=dns:jks.example.com", "-validity", "30", "-storepass", storePW, "-keypass", keyPW)
		f.jks = path("store.jks")
	}
	return f
}

func TestCertInspect(t *testing.T) {
	f := newCertFiles(t)
	leafSubject := "Subject:     CN=leaf.example.com"
	runCases(t, []cliCase{
		{
			name:    "ok/merged-pem",
			args:    []string{"cert", "inspect", f.mergedPath},
			wantOut: []string{"Format: PEM", "Certificate 1, with its private key:", leafSubject, "Chain:       3 certificates", "Problems:    none"},
			check:   wantNoKeyOnStdout,
		},
		{
			name:    "ok/lone-cert-pem",
			args:    []string{"cert", "inspect", f.leafPEM},
			wantOut: []string{"Format: PEM", "Certificate 1, no private key:", leafSubject, "Chain:       1 certificate\n"},
		},
		{
			name:    "ok/der",
			args:    []string{"cert", "inspect", f.leafDER},
			wantOut: []string{"Format: DER", "no private key", leafSubject},
		},
		{
			name:    "ok/stdin",
			stdin:   string(f.merged),
			args:    []string{"cert", "inspect", "-"},
			wantOut: []string{"Format: PEM", "with its private key", leafSubject},
			check:   wantNoKeyOnStdout,
		},
		{
			name: "ok/json",
			args: []string{"cert", "inspect", "--json", f.mergedPath},
			check: func(t *testing.T, _ string, r cliResult) {
				var rep certs.Report
				dec := json.NewDecoder(strings.NewReader(r.stdout))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&rep); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, r.stdout)
				}
				if rep.Format != "PEM" || len(rep.Entries) != 1 {
					t.Fatalf("format %q, %d entries", rep.Format, len(rep.Entries))
				}
				e := rep.Entries[0]
				if !e.HasKey || e.ChainLength != 3 || e.Subject != "CN=leaf.example.com" || e.KeyType != "ecdsa-p256" {
					t.Errorf("entry: %+v", e)
				}
				if !e.NotAfter.Equal(f.pki.leaf.NotAfter) {
					t.Errorf("not after %v, want %v", e.NotAfter, f.pki.leaf.NotAfter)
				}
			},
		},
		{
			name:    "ok/pkcs12-password-flag",
			args:    []string{"cert", "inspect", "--password", storePW, f.p12},
			wantOut: []string{"Format: PKCS#12", "with its private key", leafSubject, "Chain:       3 certificates"},
		},
		{
			name:    "ok/pkcs12-password-env",
			env:     map[string]string{envStorePassword: storePW},
			args:    []string{"cert", "inspect", f.p12},
			wantOut: []string{"Format: PKCS#12", leafSubject},
		},
		{
			name:    "ok/flag-wins-over-env",
			env:     map[string]string{envStorePassword: badPW},
			args:    []string{"cert", "inspect", "--password", storePW, f.p12},
			wantOut: []string{"Format: PKCS#12", leafSubject},
		},
		{
			name:     "fail/pkcs12-wrong-password",
			args:     []string{"cert", "inspect", "--password", badPW, f.p12},
			wantCode: 1,
			wantErr:  []string{"store.p12: PKCS#12: wrong store password"},
			check:    wantNoStdout,
		},
		{
			name:     "fail/pkcs12-wrong-password-env",
			env:      map[string]string{envStorePassword: badPW},
			args:     []string{"cert", "inspect", f.p12},
			wantCode: 1,
			wantErr:  []string{"PKCS#12: wrong store password"},
		},
		{
			name:     "fail/pkcs12-no-password",
			args:     []string{"cert", "inspect", f.p12},
			wantCode: 1,
			wantErr:  []string{"wrong store password", "no password was given: use --password or PBXGATE_STORE_PASSWORD"},
		},
		{
			name:    "ok/pkcs12-alias",
			needs:   "openssl",
			args:    []string{"cert", "inspect", "--password", storePW, "--alias", "isymphony", f.p12Alias},
			wantOut: []string{"Format: PKCS#12", "Certificate 1 (alias isymphony), with its private key:", leafSubject},
		},
		{
			name:     "fail/pkcs12-alias-not-found",
			needs:    "openssl",
			args:     []string{"cert", "inspect", "--password", storePW, "--alias", "nope", f.p12Alias},
			wantCode: 1,
			wantErr:  []string{`alias.p12: PKCS#12: alias "nope" not found; the keystore has: isymphony`},
		},
		{
			name:    "ok/jks",
			needs:   "keytool",
			args:    []string{"cert", "inspect", "--password", storePW, "--key-password", keyPW, f.jks},
			wantOut: []string{"Format: JKS", "with its private key", "Subject:     CN=jks.example.com", "Names:       jks.example.com"},
		},
		{
			name:    "ok/jks-env",
			needs:   "keytool",
			env:     map[string]string{envStorePassword: storePW, envKeyPassword: keyPW},
			args:    []string{"cert", "inspect", "--alias", "isymphony", f.jks},
			wantOut: []string{"Format: JKS", "(alias isymphony)", "Subject:     CN=jks.example.com"},
		},
		{
			name:     "fail/jks-wrong-store-password",
			needs:    "keytool",
			args:     []string{"cert", "inspect", "--password", badPW, "--key-password", keyPW, f.jks},
			wantCode: 1,
			wantErr:  []string{"store.jks: JKS: wrong store password"},
			check:    wantNoStdout,
		},
		{
			name:     "fail/jks-wrong-key-password",
			needs:    "keytool",
			args:     []string{"cert", "inspect", "--password", storePW, f.jks},
			wantCode: 1,
			wantErr:  []string{`JKS: wrong key password for alias "isymphony"`},
		},
		{
			name:     "fail/jks-alias-not-found",
			needs:    "keytool",
			args:     []string{"cert", "inspect", "--password", storePW, "--key-password", keyPW, "--alias", "nope", f.jks},
			wantCode: 1,
			wantErr:  []string{`JKS: alias "nope" not found; the keystore has: isymphony`},
		},
		{
			name:     "fail/garbage",
			args:     []string{"cert", "inspect", f.garbage},
			wantCode: 1,
			wantErr:  []string{"garbage.bin: unrecognised format"},
		},
		{
			name:     "fail/empty",
			args:     []string{"cert", "inspect", f.empty},
			wantCode: 1,
			wantErr:  []string{"empty.pem: the file is empty"},
		},
		{
			name:     "fail/missing-file",
			args:     []string{"cert", "inspect", filepath.Join(f.dir, "missing.pem")},
			wantCode: 1,
			wantErr:  []string{"missing.pem: no such file or directory"},
		},
		{
			name:     "fail/no-file-argument",
			args:     []string{"cert", "inspect"},
			wantCode: 1,
			wantErr:  []string{"accepts 1 arg(s), received 0"},
		},
	})
}

// wantNoKeyOnStdout fails when standard output shows a private key.
func wantNoKeyOnStdout(t *testing.T, _ string, r cliResult) {
	t.Helper()
	if strings.Contains(r.stdout, "PRIVATE KEY") {
		t.Errorf("stdout shows a private key:\n%s", r.stdout)
	}
}

// wantNoStdout fails when a failed command printed on standard output.
func wantNoStdout(t *testing.T, _ string, r cliResult) {
	t.Helper()
	if r.stdout != "" {
		t.Errorf("stdout: %q, want nothing", r.stdout)
	}
}

func TestCertInspectTooLarge(t *testing.T) {
	path := writeTestFile(t, filepath.Join(t.TempDir(), "big.pem"), bytes.Repeat([]byte("A"), maxCertInput+1))
	r := runCLI(t, "", "cert", "inspect", path)
	if r.code != 1 || !strings.Contains(r.stderr, "big.pem: larger than 8 MiB") {
		t.Errorf("exit status %d, stderr %q", r.code, r.stderr)
	}
}
