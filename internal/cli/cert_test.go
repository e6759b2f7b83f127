package cli

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The -update flag rewrites the golden files of testdata/. It is defined
// here only if another test file of the package has not defined it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files of testdata/")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// The passwords of the tests. None of them may ever appear in the output.
const (
	storePW = "st0re-Secret"
	keyPW   = "k3y-Secret"
	outPW   = "0ut-Secret"
	badPW   = "Tr0ub4dor-x"
)

// cliCase is one run of the command line.
type cliCase struct {
	name string
	// needs names a tool ("openssl", "keytool") the case needs; it is
	// skipped when the tool is missing.
	needs string
	env   map[string]string
	stdin string
	// args are the command line; "{tmp}" in an argument becomes a
	// directory of the case's own.
	args     []string
	wantCode int
	// wantOut and wantErr are substrings of standard output and error.
	wantOut, wantErr []string
	// check looks further at the result; tmp is the case's directory.
	check func(t *testing.T, tmp string, r cliResult)
}

type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in-process.
func runCLI(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &stdout, &stderr)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// runCases runs the cases as subtests, with the password variables of the
// environment cleared but for those a case sets. Every case checks that no
// password and no private key of a keystore shows in the output, except
// for the merged PEM a case asks for on standard output (keyOnStdout).
func runCases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needs != "" {
				if _, err := exec.LookPath(tc.needs); err != nil {
					t.Skipf("%s not installed", tc.needs)
				}
			}
			for _, env := range []string{envStorePassword, envKeyPassword, envOutPassword} {
				t.Setenv(env, tc.env[env])
			}
			tmp := t.TempDir()
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "{tmp}", tmp)
			}
			r := runCLI(t, tc.stdin, args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			for _, s := range tc.wantOut {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout does not contain %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr does not contain %q:\n%s", s, r.stderr)
				}
			}
			for _, pw := range []string{storePW, keyPW, outPW, badPW} {
				if strings.Contains(r.stdout, pw) || strings.Contains(r.stderr, pw) {
					t.Errorf("the output shows the password %q", pw)
				}
			}
			if strings.Contains(r.stderr, "PRIVATE KEY") {
				t.Errorf("stderr shows a private key:\n%s", r.stderr)
			}
			if tc.check != nil {
				tc.check(t, tmp, r)
			}
		})
	}
}

// testPKI is a root CA, an intermediate CA and a leaf for leaf.example.com,
// with ECDSA P-256 keys.
type testPKI struct {
	rootKey, intKey, leafKey *ecdsa.PrivateKey
	root, inter, leaf        *x509.Certificate
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	var p testPKI
	p.rootKey, p.intKey, p.leafKey = newKey(t), newKey(t), newKey(t)
	now := time.Now()
	ca := func(cn string) *x509.Certificate {
		return &x509.Certificate{
			Subject:               pkix.Name{CommonName: cn},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.Add(10 * 24 * time.Hour),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
	}
	p.root = signCert(t, ca("Test Root CA"), nil, p.rootKey, p.rootKey)
	p.inter = signCert(t, ca("Test Intermediate CA"), p.root, &p.intKey.PublicKey, p.rootKey)
	p.leaf = signCert(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "leaf.example.com"},
		DNSNames:    []string{"leaf.example.com"},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(5 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, p.inter, &p.leafKey.PublicKey, p.intKey)
	return p
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signCert signs tmpl with key as parent (tmpl itself when parent is nil).
func signCert(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
		pub = key.Public()
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// certsPEM encodes certificates in PEM, in the order given.
func certsPEM(cs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range cs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// keyPEM encodes key in PKCS#8, or in SEC 1 when sec1 is set.
func keyPEM(t *testing.T, key *ecdsa.PrivateKey, sec1 bool) []byte {
	t.Helper()
	if sec1 {
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func writeTestFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// wantMode fails when the file at path does not have mode perm.
func wantMode(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != perm {
		t.Errorf("%s has mode %v, want %v", filepath.Base(path), fi.Mode().Perm(), perm)
	}
}

// runTool runs an external tool and fails the test when it fails; the
// caller has checked that the tool is installed.
func runTool(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	if name == "keytool" { // a JVM that starts quickly and does not wait for entropy
		args = append([]string{"-J-Djava.security.egd=file:/dev/./urandom", "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"}, args...)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// haveTool reports whether the tool is installed.
func haveTool(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

func TestCertHelpGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		golden string
	}{
		{"cert", []string{"cert", "--help"}, "help-cert.golden"},
		{"selfsign", []string{"cert", "selfsign", "--help"}, "help-cert-selfsign.golden"},
		{"inspect", []string{"cert", "inspect", "--help"}, "help-cert-inspect.golden"},
		{"bundle", []string{"cert", "bundle", "--help"}, "help-cert-bundle.golden"},
		{"convert", []string{"cert", "convert", "--help"}, "help-cert-convert.golden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
			}
			path := filepath.Join("testdata", tc.golden)
			if updateGolden() {
				if err := os.WriteFile(path, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run the test with -update to write it)", err)
			}
			if r.stdout != string(want) {
				t.Errorf("help differs from %s (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, r.stdout, want)
			}
		})
	}
}
