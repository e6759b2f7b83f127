package certs

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBundle(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k, rsaK := newKey(t, "ecdsa-p256"), newKey(t, "rsa-2048")
	leafX, rsaLeafX := p.leaf(t, k, nil, "pbx.example.com"), p.leaf(t, rsaK, nil, "pbx.example.com")
	otherKey := newKey(t, "ecdsa-p256")
	stranger := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "stranger"}}, nil, otherKey, otherKey)
	key, leaf, inter, root := keyPEM(t, k, "sec1"), certPEM(leafX), certPEM(p.inter), certPEM(p.root)
	full := []string{"pbx.example.com", "pbxgate test intermediate", "pbxgate test root"}
	afterInter := strings.Count(string(inter), "\n") + 1
	tests := []struct {
		name             string
		key, cert, chain []byte
		want             []string
		err              error
		errText          string
	}{
		{name: "ok/key-cert-chain", key: key, cert: leaf, chain: cat(inter, root), want: full},
		{name: "ok/chain-reversed", key: key, cert: leaf, chain: cat(root, inter), want: full},
		{name: "ok/fullchain-as-cert", key: key, cert: cat(leaf, inter), want: full[:2]},
		{name: "ok/fullchain-and-chain-overlap", key: key, cert: cat(leaf, inter), chain: cat(inter, root), want: full},
		{name: "ok/no-chain", key: key, cert: leaf, want: full[:1]},
		{name: "ok/crlf-and-headers", key: []byte(strings.ReplaceAll("Key Attributes: <No Attributes>\n"+string(key), "\n", "\r\n")),
			cert: append([]byte("subject=/CN=pbx.example.com\n"), leaf...), chain: inter, want: full[:2]},
		{name: "ok/pkcs1-rsa", key: keyPEM(t, rsaK, "pkcs1"), cert: certPEM(rsaLeafX), chain: inter, want: []string{"pbx.example.com", "pbxgate test intermediate"}},
		{name: "fail/mismatch", key: keyPEM(t, otherKey, "pkcs8"), cert: leaf, chain: inter, err: ErrKeyMismatch,
			errText: "the key (ecdsa-p256) is not the key of the certificate; check that the key file and the certificate file belong together"},
		{name: "fail/key-matches-chain-only", key: keyPEM(t, p.intKey, "pkcs8"), cert: leaf, chain: inter, err: ErrKeyMismatch, errText: "the key (ecdsa-p256) is not …"},
		{name: "fail/unrelated-chain-cert", key: key, cert: leaf, chain: cat(inter, certPEM(stranger)),
			errText: fmt.Sprintf("chain file: the certificate at line %d (CN=stranger) is not on the chain of CN=pbx.example.com", afterInter)},
		{name: "fail/second-leaf-in-cert-file", key: key, cert: cat(leaf, certPEM(rsaLeafX)),
			errText: "certificate file: the certificate at line …"},
		{name: "fail/no-key", key: leaf, cert: leaf, err: ErrNoKey, errText: "key file: no private key"},
		{name: "fail/two-keys", key: cat(key, keyPEM(t, rsaK, "pkcs1")), cert: leaf, errText: "key file: more than one private key (at line 1 and line 6)"},
		{name: "fail/no-cert", key: key, cert: nil, err: ErrNoCertificate, errText: "certificate file: no certificate"},
		{name: "fail/key-in-chain-file", key: key, cert: leaf, chain: cat(inter, key),
			errText: fmt.Sprintf("chain file: a private key at line %d; give the key in the key file only", afterInter)},
		{name: "fail/encrypted-key", key: []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"), cert: leaf,
			err: ErrUnsupported, errText: "key file: encrypted private key at line 1 is not supported; …"},
		{name: "fail/garbage-chain", key: key, cert: leaf, chain: []byte("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"),
			err: ErrGarbage, errText: "chain file: garbage at line 2: …"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Bundle(tc.key, tc.cert, tc.chain)
			if tc.errText != "" {
				if err == nil {
					t.Fatalf("bundled, want error %q", tc.errText)
				}
				if tc.err != nil && !errors.Is(err, tc.err) {
					t.Errorf("error %q is not %v", err, tc.err)
				}
				if start, ok := strings.CutSuffix(tc.errText, "…"); ok && !strings.HasPrefix(err.Error(), start) || !ok && err.Error() != tc.errText {
					t.Errorf("error %q, want %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(out), "-----BEGIN PRIVATE KEY-----\n") {
				t.Errorf("bundle does not start with the key:\n%s", out)
			}
			m, err := ParseMerged(string(out))
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Pairs) != 1 || len(m.Warnings) != 0 {
				t.Fatalf("bundle parsed into %d pairs, warnings %q", len(m.Pairs), m.Warnings)
			}
			if got := chainNames(t, m.Pairs[0].Cert); !slices.Equal(got, tc.want) {
				t.Errorf("chain %q, want %q", got, tc.want)
			}
			// The platform's order: key, then the chain leaf to root.
			blocks, err := scanPEM(out)
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range blocks {
				if want := map[bool]string{true: "PRIVATE KEY", false: "CERTIFICATE"}[i == 0]; b.label != want {
					t.Errorf("section %d is %s, want %s", i+1, b.label, want)
				}
			}
		})
	}
}

func TestToPEM(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k := newKey(t, "ed25519")
	leaf := p.leaf(t, k, nil, "pbx.example.com")
	out, err := ToPEM(tlsCert(k, leaf, p.inter, p.root))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMerged(string(out))
	if err != nil {
		t.Fatal(err)
	}
	checkPair(t, m.Pairs[0], "ed25519", []string{"pbx.example.com", "pbxgate test intermediate", "pbxgate test root"})
	if _, err := tls.X509KeyPair(out, out); err != nil {
		t.Errorf("crypto/tls does not read the merged PEM: %v", err)
	}

	other := newKey(t, "ecdsa-p256")
	tests := []struct {
		name string
		cert *tls.Certificate
		err  error
	}{
		{"fail/nil", nil, ErrNoCertificate},
		{"fail/no-key", &tls.Certificate{Certificate: [][]byte{leaf.Raw}}, ErrNoKey},
		{"fail/mismatch", tlsCert(other, leaf), ErrKeyMismatch},
		{"fail/garbage-chain", &tls.Certificate{PrivateKey: k, Certificate: [][]byte{leaf.Raw, {1, 2}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []func(*tls.Certificate) ([]byte, error){
				ToPEM,
				func(c *tls.Certificate) ([]byte, error) { return ToPKCS12(c, "secret-pw") },
			} {
				out, err := f(tc.cert)
				if err == nil || out != nil {
					t.Fatalf("converted, want an error")
				}
				if tc.err != nil && !errors.Is(err, tc.err) {
					t.Errorf("error %q is not %v", err, tc.err)
				}
			}
		})
	}
}

// TestToPKCS12 reads the file back with LoadKeystore and the real openssl.
func TestToPKCS12(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	tests := []struct {
		name    string
		keyType string
	}{
		{"ok/ecdsa", "ecdsa-p256"},
		{"ok/rsa", "rsa-2048"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKey(t, tc.keyType)
			leaf := p.leaf(t, k, nil, "pbx.example.com")
			const pw = "p12-secret"
			data, err := ToPKCS12(tlsCert(k, leaf, p.inter, p.root), pw)
			if err != nil {
				t.Fatal(err)
			}
			if DetectFormat(data) != FormatPKCS12 {
				t.Fatalf("format %v", DetectFormat(data))
			}
			cert, err := LoadKeystore(data, KeystoreOptions{StorePassword: pw})
			if err != nil {
				t.Fatal(err)
			}
			checkCert(t, cert, x509.UnknownPublicKeyAlgorithm, []string{"pbx.example.com", "pbxgate test intermediate", "pbxgate test root"})
			if _, err := LoadKeystore(data, KeystoreOptions{StorePassword: "wrong-secret"}); !errors.Is(err, ErrStorePassword) {
				t.Errorf("wrong password: %v", err)
			}

			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "out.p12"), data)
			info := string(openssl(t, dir, "pkcs12", "-in", "out.p12", "-info", "-nokeys", "-passin", "pass:"+pw))
			for _, want := range []string{"subject=CN = pbx.example.com", "subject=CN = pbxgate test intermediate", "subject=CN = pbxgate test root"} {
				if !strings.Contains(info, want) {
					t.Errorf("openssl pkcs12 -info does not show %q:\n%s", want, info)
				}
			}
			keyOut := openssl(t, dir, "pkcs12", "-in", "out.p12", "-nocerts", "-nodes", "-passin", "pass:"+pw)
			m, err := ParseMerged(string(keyOut) + string(certPEM(leaf)))
			if err != nil || m.Pairs[0].KeyType != tc.keyType {
				t.Errorf("the key openssl reads back: %v", err)
			}
		})
	}
	if _, err := ToPKCS12(tlsCert(newKey(t, "ecdsa-p256"), p.root), ""); err == nil {
		t.Error("empty password accepted")
	}
}

func TestSelfSignedKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, host, keyType, want string
		days                      int
		err                       string
	}{
		{name: "ok/default", host: "pbx.example.com", want: "ecdsa-p256", days: 1095},
		{name: "ok/ecdsa-p256", host: "pbx.example.com", keyType: "ecdsa-p256", want: "ecdsa-p256", days: 30},
		{name: "ok/ecdsa-p384", host: "pbx.example.com", keyType: "ecdsa-p384", want: "ecdsa-p384", days: 30},
		{name: "ok/rsa-2048", host: "pbx.example.com", keyType: "rsa-2048", want: "rsa-2048", days: 1095},
		{name: "ok/rsa-3072", host: "pbx.example.com", keyType: "rsa-3072", want: "rsa-3072", days: 1},
		{name: "ok/ip", host: "192.0.2.7", keyType: "rsa-2048", want: "rsa-2048", days: 1},
		{name: "ok/localhost", host: "localhost", keyType: "ecdsa-p384", want: "ecdsa-p384", days: 1},
		{name: "fail/key-type", host: "pbx.example.com", keyType: "dsa-1024", days: 1,
			err: `self-signed certificate: key type "dsa-1024" is not one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096`},
		{name: "fail/ed25519", host: "pbx.example.com", keyType: "ed25519", days: 1,
			err: `self-signed certificate: key type "ed25519" is not one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096`},
		{name: "fail/no-name", host: " ", days: 1, err: "self-signed certificate: no name"},
		{name: "fail/zero-days", host: "pbx.example.com", days: 0, err: "self-signed certificate: 0 days is not between 1 and 36500"},
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keyOut, certOut, err := SelfSignedKey(tc.host, tc.days, tc.keyType, now)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseMerged(string(keyOut) + string(certOut))
			if err != nil {
				t.Fatal(err)
			}
			checkPair(t, m.Pairs[0], tc.want, []string{tc.host})
			c := m.Pairs[0].Cert
			if probs := Check(c, tc.host, now); probs != nil {
				t.Errorf("problems: %q", probs)
			}
			if probs := Check(c, tc.host, now.Add(time.Duration(tc.days)*24*time.Hour+time.Second)); len(probs) != 1 {
				t.Errorf("not expired after %d days: %q", tc.days, probs)
			}
			if tc.host == "localhost" && Check(c, "127.0.0.1", now) != nil {
				t.Error("localhost does not cover 127.0.0.1")
			}
			if !Describe(c).SelfSigned {
				t.Error("not self-signed")
			}
		})
	}
	if got := SelfSignKeyTypes(); got[0] != "ecdsa-p256" || len(got) != 5 {
		t.Errorf("SelfSignKeyTypes() = %q", got)
	}
}
