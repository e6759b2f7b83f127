package certs

import (
	"bytes"
	"crypto/x509"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadKeystorePEM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := makeChain(t, dir)
	key, leaf, inter, root, other := c.read(t, c.leafKey), c.read(t, c.leaf), c.read(t, c.intCrt), c.read(t, c.rootCrt), c.read(t, c.otherKey)
	openssl(t, dir, "pkcs12", "-export", "-in", "fullchain.pem", "-inkey", c.leafKey, "-name", "isymphony", "-out", "b.p12", "-passout", "pass:p12-secret")
	bagAttrs := openssl(t, dir, "pkcs12", "-in", "b.p12", "-nodes", "-passin", "pass:p12-secret")
	// PKCS#1 RSA and SEC 1 EC keys (the latter after an EC PARAMETERS block).
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa8.key", "-out", "rsa.crt", "-subj", "/CN=localhost", "-days", "2")
	rsa1 := openssl(t, dir, "pkey", "-in", "rsa8.key", "-traditional")
	ecParams := openssl(t, dir, "ecparam", "-name", "prime256v1", "-genkey")
	writeFile(t, filepath.Join(dir, "sec1.key"), ecParams)
	openssl(t, dir, "req", "-x509", "-key", "sec1.key", "-out", "sec1.crt", "-subj", "/CN=localhost", "-days", "2")
	encPKCS8 := openssl(t, dir, "pkey", "-in", c.leafKey, "-aes256", "-passout", "pass:key-secret")
	encTrad := openssl(t, dir, "pkey", "-in", c.leafKey, "-traditional", "-aes256", "-passout", "pass:key-secret")

	lh := []string{"localhost"}
	lhInt := []string{"localhost", "pbxgate test intermediate"}
	full := []string{"localhost", "pbxgate test intermediate", "pbxgate test root"}
	pkcs8AsRSA := bytes.ReplaceAll(key, []byte("PRIVATE KEY"), []byte("RSA PRIVATE KEY"))
	tests := []struct {
		name    string
		data    []byte
		alg     x509.PublicKeyAlgorithm
		chain   []string
		wantErr error
		errText string
	}{
		{name: "ok/key-cert", data: cat(key, leaf), alg: x509.ECDSA, chain: lh},
		{name: "ok/cert-key", data: cat(leaf, key), alg: x509.ECDSA, chain: lh},
		{name: "ok/merged-key-cert-chain", data: cat(key, leaf, inter, root), alg: x509.ECDSA, chain: full},
		{name: "ok/chain-out-of-order", data: cat(root, key, inter, leaf), alg: x509.ECDSA, chain: full},
		{name: "ok/chain-reversed", data: cat(root, inter, leaf, key), alg: x509.ECDSA, chain: full},
		{name: "ok/unrelated-cert-left-out", data: cat(key, c.read(t, "sec1.crt"), leaf, inter), alg: x509.ECDSA, chain: lhInt},
		{name: "ok/duplicate-cert", data: cat(key, leaf, inter, inter), alg: x509.ECDSA, chain: lhInt},
		{name: "ok/openssl-nodes-bag-attributes", data: bagAttrs, alg: x509.ECDSA, chain: lhInt},
		{name: "ok/pkcs1-rsa", data: cat(rsa1, c.read(t, "rsa.crt")), alg: x509.RSA, chain: lh},
		{name: "ok/sec1-ec-with-parameters", data: cat(ecParams, c.read(t, "sec1.crt")), alg: x509.ECDSA, chain: lh},
		{name: "ok/pkcs8-labelled-rsa", data: cat(pkcs8AsRSA, leaf), alg: x509.ECDSA, chain: lh},
		{name: "ok/crlf", data: bytes.ReplaceAll(cat(key, leaf, inter), []byte("\n"), []byte("\r\n")), alg: x509.ECDSA, chain: lhInt},
		{name: "ok/newlines-became-spaces", data: bytes.ReplaceAll(cat(key, leaf, inter), []byte("\n"), []byte(" ")), alg: x509.ECDSA, chain: lhInt},
		{name: "ok/header-lines", data: cat([]byte("date=2023-11-29\n"), key, []byte("subject=/CN=localhost\nissuer=/CN=x\n"), leaf), alg: x509.ECDSA, chain: lh},
		{name: "ok/trusted-certificate-label", data: cat(key, bytes.ReplaceAll(leaf, []byte("CERTIFICATE"), []byte("TRUSTED CERTIFICATE"))), alg: x509.ECDSA, chain: lh},
		{name: "fail/encrypted-pkcs8", data: cat(encPKCS8, leaf), wantErr: ErrUnsupported,
			errText: "encrypted private key at line 1 is not supported; decrypt it with openssl pkey"},
		{name: "fail/encrypted-traditional", data: cat(leaf, encTrad), wantErr: ErrUnsupported,
			errText: "encrypted private key at line 13 is not supported; decrypt it with openssl pkey"},
		{name: "fail/key-matches-no-cert", data: cat(other, leaf, inter), wantErr: ErrKeyMismatch,
			errText: "the key at line 1 (ecdsa-p256) matches no certificate in the text"},
		{name: "fail/no-key", data: cat(leaf, inter), wantErr: ErrNoKey, errText: "no private key"},
		{name: "fail/no-cert", data: key, wantErr: ErrNoCertificate, errText: "no certificate"},
		{name: "fail/two-keys", data: cat(key, other, leaf), errText: "more than one private key"},
		{name: "fail/no-end", data: cat(key, leaf[:len(leaf)-30]), wantErr: ErrGarbage,
			errText: `garbage at line 6: PEM block "CERTIFICATE" has no END line`},
		{name: "fail/bad-base64", data: cat(key, []byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")), wantErr: ErrGarbage,
			errText: "garbage at line 7: bad base64"},
		{name: "fail/bad-certificate", data: cat(key, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")), wantErr: ErrGarbage,
			errText: "garbage at line 6: certificate 1 does not parse"},
		{name: "fail/openssh-key", data: cat([]byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), leaf),
			wantErr: ErrUnsupported, errText: "OPENSSH PRIVATE KEY blocks are not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert, err := LoadKeystore(tc.data, KeystoreOptions{})
			if tc.wantErr == nil && tc.errText == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkCert(t, cert, tc.alg, tc.chain)
				return
			}
			if err == nil {
				t.Fatalf("loaded, want error %q", tc.errText)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.errText) || !strings.HasPrefix(err.Error(), "PEM: ") {
				t.Errorf("error %q, want PEM: …%q", err, tc.errText)
			}
		})
	}
}

func TestScanPEM(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		labels []string
		err    string
	}{
		{"ok/none", "hello", nil, ""},
		{"ok/two", "-----BEGIN A-----\nAA==\n-----END A-----\nx\n-----BEGIN B C-----\nAA==\n-----END B C-----", []string{"A", "B C"}, ""},
		{"ok/one-line", "-----BEGIN A----- AA== -----END A----- -----BEGIN B----- AA== -----END B-----", []string{"A", "B"}, ""},
		{"ok/bad-label-skipped", "-----BEGIN a\nb-----\n-----BEGIN A-----AA==-----END A-----", []string{"A"}, ""},
		{"ok/label-too-long-skipped", "-----BEGIN " + strings.Repeat("A", 65) + "-----x-----END " + strings.Repeat("A", 65) + "-----", nil, ""},
		{"fail/end-of-other-label", "-----BEGIN A-----\nAA==\n-----END B-----", nil, `garbage at line 1: PEM block "A" has no END line`},
		{"fail/end-after-next-begin", "-----BEGIN A-----\nAA==\n-----BEGIN B-----\nAA==\n-----END B-----\n-----END A-----", nil,
			`garbage at line 1: PEM block "A" has no END line before line 3`},
		{"fail/begin-at-end", "-----BEGIN ", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			blocks, err := scanPEM([]byte(tc.in))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var labels []string
			for _, b := range blocks {
				labels = append(labels, b.label)
			}
			if strings.Join(labels, "|") != strings.Join(tc.labels, "|") {
				t.Errorf("labels %q, want %q", labels, tc.labels)
			}
		})
	}
}

func TestParsePEMBundleEncryptedHeader(t *testing.T) {
	// A Proc-Type header is enough to refuse the key, whatever follows.
	in := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"
	_, err := ParsePEMBundle([]byte(in))
	if !errors.Is(err, ErrUnsupported) || err.Error() != "encrypted private key at line 1 is not supported; decrypt it with openssl pkey -in KEYFILE -out NEWFILE" {
		t.Errorf("error %v", err)
	}
}
