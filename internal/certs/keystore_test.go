package certs

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// loadCase is one keystore file opened with LoadKeystoreFile.
type loadCase struct {
	name string
	file string
	opts KeystoreOptions
	// For success: the key algorithm and the chain's common names, leaf
	// first.
	alg   x509.PublicKeyAlgorithm
	chain []string
	// For failure: the sentinel (nil: none expected) and a part of the
	// message.
	wantErr error
	errText string
}

func runLoadCases(t *testing.T, dir string, cases []loadCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			cert, err := LoadKeystoreFile(path, tc.opts)
			if tc.wantErr != nil || tc.errText != "" {
				if err == nil {
					t.Fatalf("loaded, want error %v %q", tc.wantErr, tc.errText)
				}
				if cert != nil {
					t.Errorf("error %v with a certificate", err)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %q is not %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.errText) {
					t.Errorf("error %q does not say %q", err, tc.errText)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				checkNoSecret(t, err, tc.opts)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkCert(t, cert, tc.alg, tc.chain)
		})
	}
}

// checkNoSecret fails when an error message shows a password. The test
// passwords that are not also aliases (as "isymphony" is in the iSymphony
// recipe) all contain "secret".
func checkNoSecret(t *testing.T, err error, opts KeystoreOptions) {
	t.Helper()
	for _, pw := range []string{opts.StorePassword, opts.KeyPassword} {
		if strings.Contains(pw, "secret") && strings.Contains(err.Error(), pw) {
			t.Errorf("error %q shows a password", err)
		}
	}
}

// checkCert checks what LoadKeystore promises of a certificate: Leaf set
// and first in the chain, the key is the leaf's, then the key algorithm and
// the common names of the chain.
func checkCert(t *testing.T, cert *tls.Certificate, alg x509.PublicKeyAlgorithm, chain []string) {
	t.Helper()
	if cert.Leaf == nil || len(cert.Certificate) == 0 || !slices.Equal(cert.Leaf.Raw, cert.Certificate[0]) {
		t.Fatal("Leaf is not set to the first certificate")
	}
	key, ok := cert.PrivateKey.(crypto.Signer)
	if !ok || !keyMatches(key, cert.Leaf) {
		t.Fatalf("private key %T does not match the leaf", cert.PrivateKey)
	}
	if alg != x509.UnknownPublicKeyAlgorithm && cert.Leaf.PublicKeyAlgorithm != alg {
		t.Errorf("key algorithm %v, want %v", cert.Leaf.PublicKeyAlgorithm, alg)
	}
	if chain != nil {
		var got []string
		for _, der := range cert.Certificate {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, c.Subject.CommonName)
		}
		if !slices.Equal(got, chain) {
			t.Errorf("chain %q, want %q", got, chain)
		}
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDetectFormat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Since Java 9 keytool writes PKCS#12 whatever the file is called.
	genkeypair(t, dir, "pkcs12-named.jks", "a", "EC", "PKCS12", "secret-pw", "secret-pw")
	genkeypair(t, dir, "jks-named.p12", "a", "EC", "JKS", "secret-pw", "secret-pw")
	genkeypair(t, dir, "store.jceks", "a", "EC", "JCEKS", "secret-pw", "secret-pw")
	c := makeChain(t, dir)
	openssl(t, dir, "pkcs12", "-export", "-in", c.leaf, "-inkey", c.leafKey, "-out", "openssl.pem.txt", "-passout", "pass:secret-pw")

	tests := []struct {
		name string
		data []byte
		want Format
	}{
		{"ok/pkcs12-named-jks", readTestFile(t, filepath.Join(dir, "pkcs12-named.jks")), FormatPKCS12},
		{"ok/jks-named-p12", readTestFile(t, filepath.Join(dir, "jks-named.p12")), FormatJKS},
		{"ok/jceks", readTestFile(t, filepath.Join(dir, "store.jceks")), FormatJCEKS},
		{"ok/openssl-pkcs12-named-pem", readTestFile(t, filepath.Join(dir, "openssl.pem.txt")), FormatPKCS12},
		{"ok/pem-cert", c.read(t, c.leaf), FormatPEM},
		{"ok/pem-with-text-before", cat([]byte("Bag Attributes\n    friendlyName: x\n"), c.read(t, c.leafKey)), FormatPEM},
		{"ok/pkcs12-ber-prefix", []byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80}, FormatPKCS12},
		{"ok/pkcs12-short-length", []byte{0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00}, FormatPKCS12},
		{"fail/der-certificate", mustPEMBody(t, c.read(t, c.leaf)), FormatUnknown},
		{"fail/sequence-version-2", []byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x02}, FormatUnknown},
		{"fail/sequence-long-version", []byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x02, 0x00, 0x03}, FormatUnknown},
		{"fail/length-of-length-too-big", []byte{0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x02, 0x01, 0x03}, FormatUnknown},
		{"fail/truncated-prefix", []byte{0x30, 0x82, 0x01}, FormatUnknown},
		{"fail/jks-magic-truncated", []byte{0xFE, 0xED, 0xFE}, FormatUnknown},
		{"fail/begin-without-space", []byte("-----BEGINCERTIFICATE-----"), FormatUnknown},
		{"fail/empty", nil, FormatUnknown},
		{"fail/text", []byte("keystore: isymphony.jks\n"), FormatUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DetectFormat(tc.data); got != tc.want {
				t.Errorf("DetectFormat = %v, want %v", got, tc.want)
			}
		})
	}
}

// mustPEMBody returns the DER of the first PEM block of data.
func mustPEMBody(t *testing.T, data []byte) []byte {
	t.Helper()
	blocks, err := scanPEM(data)
	if err != nil || len(blocks) == 0 {
		t.Fatalf("no PEM block: %v", err)
	}
	der, err := blocks[0].der()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestFormatString(t *testing.T) {
	tests := []struct {
		f    Format
		want string
	}{
		{FormatJKS, "JKS"},
		{FormatJCEKS, "JCEKS"},
		{FormatPKCS12, "PKCS#12"},
		{FormatPEM, "PEM"},
		{FormatUnknown, "unknown format"},
		{Format(99), "unknown format"},
	}
	for _, tc := range tests {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("Format(%d).String() = %q, want %q", int(tc.f), got, tc.want)
		}
	}
}

func TestLoadKeystoreGarbage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := make([]byte, maxKeystoreSize+1)
	copy(big, jksMagic)
	tests := []struct {
		name    string
		data    []byte
		wantErr error
		errText string
	}{
		{"fail/garbage", []byte("this is not a keystore\x00\x01\x02"), nil, "unrecognised keystore format"},
		{"fail/empty", []byte(" \n"), nil, "the keystore is empty"},
		{"fail/jks-truncated-header", []byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2}, nil, "malformed JKS"},
		{"fail/jks-huge-length", []byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF}, nil, "malformed JKS"},
		{"fail/jks-version-3", []byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 3, 0, 0, 0, 0}, ErrUnsupported, "JKS version 3"},
		{"fail/jceks-magic-only", []byte{0xCE, 0xCE, 0xCE, 0xCE}, ErrUnsupported, "JCEKS keystores are not supported"},
		{"fail/pkcs12-ber", []byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0, 0, 0, 0}, ErrUnsupported, "BER-encoded"},
		{"fail/pkcs12-truncated", []byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03}, nil, "malformed PKCS#12"},
		{"fail/pem-no-end", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n"), nil, "no END line"},
		{"fail/too-big", big, nil, "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, "/", "-"))
			writeFile(t, path, tc.data)
			cert, err := LoadKeystoreFile(path, KeystoreOptions{StorePassword: "changeit"})
			if err == nil || cert != nil {
				t.Fatalf("loaded %v, want an error", cert)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %v", err, tc.wantErr)
			}
			for _, s := range []error{ErrStorePassword, ErrKeyPassword, ErrAliasNotFound, ErrNotPrivateKeyEntry, ErrKeyMismatch} {
				if errors.Is(err, s) {
					t.Errorf("error %q claims %v", err, s)
				}
			}
			if !strings.Contains(err.Error(), tc.errText) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q should name the file and say %q", err, tc.errText)
			}
		})
	}
	if _, err := LoadKeystoreFile(filepath.Join(dir, "missing.jks"), KeystoreOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v, want fs.ErrNotExist", err)
	}
}
