package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/certs"
)

// wantMerged checks a merged PEM: exactly the PKCS#8 key of key, then the
// certificates of chain in that order, nothing else; and ParseMerged reads
// it as one key with that chain and no warning.
func wantMerged(t *testing.T, data []byte, key *ecdsa.PrivateKey, chain ...*x509.Certificate) {
	t.Helper()
	var blocks []*pem.Block
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			if len(bytes.TrimSpace(rest)) > 0 {
				t.Errorf("text after the last PEM block: %q", rest)
			}
			break
		}
		blocks = append(blocks, b)
	}
	if len(blocks) != 1+len(chain) {
		t.Fatalf("%d PEM blocks, want the key and %d certificates:\n%s", len(blocks), len(chain), data)
	}
	if blocks[0].Type != "PRIVATE KEY" {
		t.Fatalf("first block %q, want PRIVATE KEY", blocks[0].Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(blocks[0].Bytes)
	if err != nil {
		t.Fatalf("the key is not PKCS#8: %v", err)
	}
	if ek, ok := k.(*ecdsa.PrivateKey); !ok || !ek.Equal(key) {
		t.Fatalf("the key is not the leaf's")
	}
	for i, c := range chain {
		if b := blocks[1+i]; b.Type != "CERTIFICATE" || !bytes.Equal(b.Bytes, c.Raw) {
			t.Errorf("block %d is %s %s, want certificate %s", i+2, b.Type, subjectOf(b), c.Subject.CommonName)
		}
	}
	m, err := certs.ParseMerged(string(data))
	if err != nil {
		t.Fatalf("ParseMerged: %v", err)
	}
	if len(m.Pairs) != 1 || len(m.Warnings) != 0 {
		t.Fatalf("ParseMerged: %d pairs, warnings %q", len(m.Pairs), m.Warnings)
	}
	if got := m.Pairs[0].Cert.Certificate; len(got) != len(chain) {
		t.Errorf("ParseMerged: a chain of %d, want %d", len(got), len(chain))
	}
}

func subjectOf(b *pem.Block) string {
	if c, err := x509.ParseCertificate(b.Bytes); err == nil {
		return c.Subject.CommonName
	}
	return "(not a certificate)"
}

func TestCertBundle(t *testing.T) {
	p := newTestPKI(t)
	other := newTestPKI(t)
	dir := t.TempDir()
	file := func(name string, data []byte) string { return writeTestFile(t, filepath.Join(dir, name), data) }
	var (
		key        = file("leaf.key", keyPEM(t, p.leafKey, false))
		keySEC1    = file("leaf-sec1.key", keyPEM(t, p.leafKey, true))
		wrongKey   = file("int.key", keyPEM(t, p.intKey, false))
		leaf       = file("leaf.crt", certsPEM(p.leaf))
		rootLeaf   = file("root-leaf.crt", certsPEM(p.root, p.leaf))
		fullchain  = file("fullchain-shuffled.pem", certsPEM(p.inter, p.leaf))
		chainRI    = file("chain-root-first.pem", certsPEM(p.root, p.inter))
		inter      = file("int.pem", certsPEM(p.inter))
		foreign    = file("foreign.pem", certsPEM(p.inter, other.inter))
		keyInChain = file("key-in-chain.pem", append(certsPEM(p.inter), keyPEM(t, p.leafKey, false)...))
		existing   = file("existing.pem", []byte("keep me\n"))
	)
	stdoutMerged := func(chain ...*x509.Certificate) func(*testing.T, string, cliResult) {
		return func(t *testing.T, _ string, r cliResult) {
			t.Helper()
			wantMerged(t, []byte(r.stdout), p.leafKey, chain...)
		}
	}
	fileMerged := func(chain ...*x509.Certificate) func(*testing.T, string, cliResult) {
		return func(t *testing.T, tmp string, _ cliResult) {
			t.Helper()
			out := filepath.Join(tmp, "merged.pem")
			wantMode(t, out, 0o600)
			wantMerged(t, readTestFile(t, out), p.leafKey, chain...)
		}
	}
	runCases(t, []cliCase{
		{
			name:  "ok/cert-and-chain-root-first",
			args:  []string{"cert", "bundle", "--key", key, "--cert", leaf, "--chain", chainRI},
			check: stdoutMerged(p.leaf, p.inter, p.root),
		},
		{
			name:  "ok/fullchain-intermediate-first-no-root",
			args:  []string{"cert", "bundle", "--key", key, "--cert", fullchain},
			check: stdoutMerged(p.leaf, p.inter),
		},
		{
			name:  "ok/root-before-leaf-intermediate-in-chain",
			args:  []string{"cert", "bundle", "--chain", inter, "--cert", rootLeaf, "--key", key},
			check: stdoutMerged(p.leaf, p.inter, p.root),
		},
		{
			name:  "ok/leaf-alone",
			args:  []string{"cert", "bundle", "--key", key, "--cert", leaf},
			check: stdoutMerged(p.leaf),
		},
		{
			name:  "ok/sec1-key-becomes-pkcs8",
			args:  []string{"cert", "bundle", "--key", keySEC1, "--cert", leaf, "--chain", inter},
			check: stdoutMerged(p.leaf, p.inter),
		},
		{
			name:  "ok/key-from-stdin",
			stdin: string(keyPEM(t, p.leafKey, false)),
			args:  []string{"cert", "bundle", "--key", "-", "--cert", leaf, "--chain", inter},
			check: stdoutMerged(p.leaf, p.inter),
		},
		{
			name:    "ok/out-file",
			args:    []string{"cert", "bundle", "--key", key, "--cert", leaf, "--chain", chainRI, "--out", "{tmp}/merged.pem"},
			wantOut: []string{"merged.pem (mode 0600): private key ecdsa-p256, certificate CN=leaf.example.com, 2 chain certificates"},
			check: func(t *testing.T, tmp string, r cliResult) {
				fileMerged(p.leaf, p.inter, p.root)(t, tmp, r)
				wantNoKeyOnStdout(t, tmp, r)
			},
		},
		{
			name:     "fail/key-of-another-certificate",
			args:     []string{"cert", "bundle", "--key", wrongKey, "--cert", leaf, "--chain", inter},
			wantCode: 1,
			wantErr:  []string{"is not the key of the certificate"},
			check:    wantNoStdout,
		},
		{
			name:     "fail/certificate-not-on-the-chain",
			args:     []string{"cert", "bundle", "--key", key, "--cert", leaf, "--chain", foreign},
			wantCode: 1,
			wantErr:  []string{"chain file: the certificate at", "is not on the chain of"},
		},
		{
			name:     "fail/key-in-chain-file",
			args:     []string{"cert", "bundle", "--key", key, "--cert", leaf, "--chain", keyInChain},
			wantCode: 1,
			wantErr:  []string{"chain file: a private key at"},
		},
		{
			name:     "fail/no-cert",
			args:     []string{"cert", "bundle", "--key", key},
			wantCode: 1,
			wantErr:  []string{`required flag(s) "cert" not set`},
		},
		{
			name:     "fail/missing-chain-file",
			args:     []string{"cert", "bundle", "--key", key, "--cert", leaf, "--chain", filepath.Join(dir, "missing.pem")},
			wantCode: 1,
			wantErr:  []string{"missing.pem: no such file or directory"},
		},
		{
			name:     "fail/out-exists",
			args:     []string{"cert", "bundle", "--key", key, "--cert", leaf, "--out", existing},
			wantCode: 1,
			wantErr:  []string{"existing.pem already exists; use --force to replace it"},
			check: func(t *testing.T, _ string, _ cliResult) {
				if got := readTestFile(t, existing); string(got) != "keep me\n" {
					t.Errorf("existing.pem was changed")
				}
			},
		},
	})
	t.Run("ok/out-force", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "merged.pem")
		if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, "", "cert", "bundle", "--key", key, "--cert", fullchain, "--out", out, "--force")
		if r.code != 0 {
			t.Fatalf("exit status %d: %s", r.code, r.stderr)
		}
		wantMerged(t, readTestFile(t, out), p.leafKey, p.leaf, p.inter)
		wantMode(t, out, 0o600)
		if !strings.Contains(r.stdout, "wrote "+out) {
			t.Errorf("stdout %q", r.stdout)
		}
	})
}
