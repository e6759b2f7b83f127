package certs

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k := newKey(t, "rsa-2048")
	leaf := p.leaf(t, k, func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "pbx.example.com", Organization: []string{"Example"}}
	}, "pbx.example.com", "*.pbx.example.com", "192.0.2.10", "2001:db8::1")
	got := Describe(tlsCert(k, leaf, p.inter, p.root))
	want := Info{
		Subject:     "CN=pbx.example.com,O=Example",
		SANs:        []string{"pbx.example.com", "*.pbx.example.com", "192.0.2.10", "2001:db8::1"},
		Issuer:      "CN=pbxgate test intermediate",
		NotBefore:   leaf.NotBefore,
		NotAfter:    leaf.NotAfter,
		KeyType:     "rsa-2048",
		SerialHex:   serialHex(leaf.SerialNumber),
		SelfSigned:  false,
		ChainLength: 3,
	}
	want.SHA256Fingerprint = got.SHA256Fingerprint
	if got.Subject != want.Subject || !slices.Equal(got.SANs, want.SANs) || got.Issuer != want.Issuer ||
		!got.NotBefore.Equal(want.NotBefore) || !got.NotAfter.Equal(want.NotAfter) || got.KeyType != want.KeyType ||
		got.SerialHex != want.SerialHex || got.SelfSigned != want.SelfSigned || got.ChainLength != want.ChainLength {
		t.Errorf("Describe =\n%+v, want\n%+v", got, want)
	}
	if len(got.SHA256Fingerprint) != 32*3-1 || strings.ToUpper(got.SHA256Fingerprint) != got.SHA256Fingerprint {
		t.Errorf("fingerprint %q", got.SHA256Fingerprint)
	}
	if !Describe(tlsCert(p.rootKey, p.root)).SelfSigned {
		t.Error("the root is not self-signed")
	}
	if d := Describe(&tls.Certificate{Certificate: [][]byte{{1, 2, 3}}}); d.ChainLength != 1 || d.Subject != "" {
		t.Errorf("Describe of garbage = %+v", d)
	}
	if d := Describe(nil); d.ChainLength != 0 {
		t.Errorf("Describe(nil) = %+v", d)
	}
	b, err := json.Marshal(ReportEntry{Info: got, HasKey: true, Problems: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"subject", "sans", "issuer", "not_before", "not_after", "key_type", "serial",
		"sha256_fingerprint", "self_signed", "chain_length", "has_key", "problems"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("JSON %s has no %q", b, f)
		}
	}
}

// TestDescribeOpenSSL compares the serial and fingerprint with what
// openssl prints for the same certificate.
func TestDescribeOpenSSL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := makeChain(t, dir)
	cert, err := ParsePEMBundle(cat(c.read(t, c.leafKey), c.read(t, c.leaf)))
	if err != nil {
		t.Fatal(err)
	}
	info := Describe(cert)
	out := string(openssl(t, dir, "x509", "-in", c.leaf, "-noout", "-serial", "-fingerprint", "-sha256"))
	for _, want := range []string{"serial=" + info.SerialHex + "\n", "Fingerprint=" + info.SHA256Fingerprint + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl says %q, Describe %q", out, want)
		}
	}
	if info.SerialHex != "03" || info.KeyType != "ecdsa-p256" || !slices.Equal(info.SANs, []string{"localhost", "127.0.0.1"}) {
		t.Errorf("Describe = %+v", info)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k, weak := newKey(t, "ecdsa-p256"), newKey(t, "rsa-1024")
	leaf := p.leaf(t, k, nil, "pbx.example.com")
	wildcard := p.leaf(t, k, nil, "*.example.com", "192.0.2.1")
	expiredInter := makeCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "pbxgate test intermediate"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: testNow.Add(-48 * time.Hour), NotAfter: testNow.Add(-24 * time.Hour),
	}, p.root, p.rootKey, p.intKey)
	// A root that allows no intermediate below it.
	strictKey, strictIntKey := newKey(t, "ecdsa-p256"), newKey(t, "ecdsa-p256")
	strictRoot := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "strict root"}, IsCA: true, BasicConstraintsValid: true,
		MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign}, nil, strictKey, strictKey)
	strictInt := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "strict intermediate"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, strictRoot, strictKey, strictIntKey)
	fromStrict := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "pbx.example.com"}, DNSNames: []string{"pbx.example.com"}},
		strictInt, strictIntKey, k)
	notCAKey := newKey(t, "ecdsa-p256")
	notCA := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "not a CA"}, BasicConstraintsValid: true},
		p.root, p.rootKey, notCAKey)
	fromNotCA := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "pbx.example.com"}, DNSNames: []string{"pbx.example.com"}},
		notCA, notCAKey, k)
	otherKey := newKey(t, "ecdsa-p256")
	otherCA := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "other CA"}, IsCA: true, BasicConstraintsValid: true},
		nil, otherKey, otherKey)
	selfSignedLeaf := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "pbx.example.com"}, DNSNames: []string{"pbx.example.com"}},
		nil, k, k)
	sha1Leaf := p.leaf(t, k, func(c *x509.Certificate) { c.SignatureAlgorithm = x509.ECDSAWithSHA1 }, "pbx.example.com")
	clientOnly := p.leaf(t, k, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} }, "pbx.example.com")
	weakLeaf := p.leaf(t, weak, nil, "pbx.example.com")

	tests := []struct {
		name string
		cert *tls.Certificate
		host string
		now  time.Time
		want []string // exactly, or a start ending in "…"
	}{
		{"ok/valid", tlsCert(k, leaf, p.inter, p.root), "pbx.example.com", testNow, nil},
		{"ok/root-left-out", tlsCert(k, leaf, p.inter), "pbx.example.com", testNow, nil},
		{"ok/no-name-to-check", tlsCert(k, leaf, p.inter), "", testNow, nil},
		{"ok/upper-case-and-trailing-dot", tlsCert(k, leaf, p.inter), "PBX.example.com.", testNow, nil},
		{"ok/wildcard", tlsCert(k, wildcard, p.inter), "a.example.com", testNow, nil},
		{"ok/ip", tlsCert(k, wildcard, p.inter), "192.0.2.1", testNow, nil},
		{"ok/self-signed", tlsCert(k, selfSignedLeaf), "pbx.example.com", testNow, nil},
		{"fail/expired", tlsCert(k, leaf, p.inter), "pbx.example.com", leaf.NotAfter.Add(72 * time.Hour),
			[]string{"the certificate expired on " + stamp(leaf.NotAfter) + " (3 days ago)"}},
		{"fail/not-yet-valid", tlsCert(k, leaf, p.inter), "pbx.example.com", leaf.NotBefore.Add(-2 * time.Hour),
			[]string{"the certificate is not yet valid: valid from " + stamp(leaf.NotBefore) + " (in 2 hours)"}},
		{"fail/intermediate-expired", tlsCert(k, leaf, expiredInter, p.root), "pbx.example.com", testNow,
			[]string{"chain certificate 2 (CN=pbxgate test intermediate) expired on " + stamp(expiredInter.NotAfter) + " (24 hours ago)"}},
		{"fail/wrong-name", tlsCert(k, wildcard, p.inter), "a.b.example.com", testNow,
			[]string{"does not cover a.b.example.com; it covers *.example.com, 192.0.2.1"}},
		{"fail/wrong-ip", tlsCert(k, wildcard, p.inter), "192.0.2.2", testNow,
			[]string{"does not cover 192.0.2.2; it covers *.example.com, 192.0.2.1"}},
		{"fail/missing-intermediate", tlsCert(k, leaf), "pbx.example.com", testNow,
			[]string{"the chain holds only the certificate: the intermediate certificates of CN=pbxgate test intermediate are missing, " +
				"so clients that do not already have them will not trust it"}},
		{"fail/broken-chain", tlsCert(k, leaf, otherCA), "pbx.example.com", testNow,
			[]string{"the chain is broken: certificate 1 (CN=pbx.example.com) was not issued by certificate 2 (CN=other CA)"}},
		{"fail/wrong-order", tlsCert(k, leaf, p.root, p.inter), "pbx.example.com", testNow,
			[]string{"the chain is broken: certificate 1 (CN=pbx.example.com) was not issued by certificate 2 (CN=pbxgate test root)"}},
		{"fail/issued-by-non-ca", tlsCert(k, fromNotCA, notCA, p.root), "pbx.example.com", testNow,
			[]string{"the chain is broken: certificate 2 (CN=not a CA) is not a CA certificate, so it cannot issue certificate 1 (CN=pbx.example.com)"}},
		{"fail/does-not-verify-to-own-root", tlsCert(k, fromStrict, strictInt, strictRoot), "pbx.example.com", testNow,
			[]string{"the chain does not verify to its own root (CN=strict root): …"}},
		{"fail/sha1", tlsCert(k, sha1Leaf, p.inter, p.root), "pbx.example.com", testNow,
			[]string{"the certificate is signed with SHA-1 (ECDSA-SHA1), which clients refuse"}},
		{"fail/weak-rsa", tlsCert(weak, weakLeaf, p.inter), "pbx.example.com", testNow,
			[]string{"the certificate has an RSA key of 1024 bits, which is too weak; use 2048 bits or more"}},
		{"fail/client-certificate", tlsCert(k, clientOnly, p.inter), "pbx.example.com", testNow,
			[]string{"not meant for TLS servers: its extended key usage does not include serverAuth"}},
		{"fail/everything", tlsCert(weak, weakLeaf), "other.example.com", weakLeaf.NotAfter.Add(24 * time.Hour), []string{
			"the certificate expired on …",
			"does not cover other.example.com; it covers pbx.example.com",
			"the chain holds only the certificate: …",
			"the certificate has an RSA key of 1024 bits, which is too weak; use 2048 bits or more",
		}},
		{"fail/no-certificate", &tls.Certificate{}, "", testNow, []string{"no certificate that can be read"}},
		{"fail/chain-does-not-parse", &tls.Certificate{Certificate: [][]byte{leaf.Raw, {1}}}, "", testNow,
			[]string{"certificate 2 of the chain does not parse"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Check(tc.cert, tc.host, tc.now)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %q", got, tc.want)
			}
			for i, w := range tc.want {
				if start, ok := strings.CutSuffix(w, "…"); ok && !strings.HasPrefix(got[i], start) || !ok && got[i] != w {
					t.Errorf("problem %q, want %q", got[i], w)
				}
			}
		})
	}
}

func TestInspectFile(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	ec, rsaK := newKey(t, "ecdsa-p256"), newKey(t, "rsa-2048")
	ecLeaf, rsaLeaf := p.leaf(t, ec, nil, "pbx.example.com"), p.leaf(t, rsaK, nil, "pbx.example.com")
	ssKey := newKey(t, "ecdsa-p256")
	selfSigned := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "pbx.example.com"}, DNSNames: []string{"pbx.example.com"},
		IPAddresses: []net.IP{net.ParseIP("192.0.2.1")}}, nil, ssKey, ssKey)
	merged := cat(keyPEM(t, ec, "pkcs8"), certPEM(ecLeaf, p.inter, p.root))

	type entry struct {
		subject string
		hasKey  bool
		chain   int
		keyType string
		nprobs  int
	}
	tests := []struct {
		name     string
		data     []byte
		now      time.Time
		format   string
		entries  []entry
		warnings int
	}{
		{"ok/merged-pem", merged, testNow, "PEM", []entry{{"CN=pbx.example.com", true, 3, "ecdsa-p256", 0}}, 0},
		{"ok/merged-pem-expired", merged, ecLeaf.NotAfter.Add(time.Hour), "PEM", []entry{{"CN=pbx.example.com", true, 3, "ecdsa-p256", 1}}, 0},
		{"ok/merged-two-pairs", cat(keyPEM(t, rsaK, "pkcs1"), certPEM(rsaLeaf), merged), testNow, "PEM", []entry{
			{"CN=pbx.example.com", true, 3, "rsa-2048", 0}, {"CN=pbx.example.com", true, 3, "ecdsa-p256", 0}}, 0},
		{"ok/merged-with-warning", cat([]byte("junk\n"), merged), testNow, "PEM", []entry{{"CN=pbx.example.com", true, 3, "ecdsa-p256", 0}}, 1},
		{"ok/fullchain-no-key", certPEM(p.inter, ecLeaf), testNow, "PEM", []entry{{"CN=pbx.example.com", false, 2, "ecdsa-p256", 0}}, 0},
		{"ok/lone-certificate", certPEM(ecLeaf), testNow, "PEM", []entry{{"CN=pbx.example.com", false, 1, "ecdsa-p256", 1}}, 0},
		{"ok/lone-self-signed", certPEM(selfSigned), testNow, "PEM", []entry{{"CN=pbx.example.com", false, 1, "ecdsa-p256", 0}}, 0},
		{"ok/two-leaves-no-key", certPEM(ecLeaf, rsaLeaf, p.inter, p.inter), testNow, "PEM", []entry{
			{"CN=pbx.example.com", false, 2, "ecdsa-p256", 0}, {"CN=pbx.example.com", false, 2, "rsa-2048", 0}}, 1},
		{"ok/ca-bundle", certPEM(p.root, p.inter), testNow, "PEM", []entry{{"CN=pbxgate test intermediate", false, 2, "ecdsa-p256", 0}}, 0},
		{"ok/der-certificate", selfSigned.Raw, testNow, "DER", []entry{{"CN=pbx.example.com", false, 1, "ecdsa-p256", 0}}, 0},
		{"ok/der-chain", cat(ecLeaf.Raw, p.inter.Raw, ecLeaf.Raw), testNow, "DER", []entry{{"CN=pbx.example.com", false, 2, "ecdsa-p256", 0}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := InspectFileAt(tc.data, KeystoreOptions{}, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format != tc.format || len(r.Entries) != len(tc.entries) || len(r.Warnings) != tc.warnings {
				t.Fatalf("report %+v, want format %s, %d entries, %d warnings", r, tc.format, len(tc.entries), tc.warnings)
			}
			for i, w := range tc.entries {
				e := r.Entries[i]
				if e.Subject != w.subject || e.HasKey != w.hasKey || e.ChainLength != w.chain || e.KeyType != w.keyType || len(e.Problems) != w.nprobs {
					t.Errorf("entry %d = %+v, want %+v", i, e, w)
				}
				if e.Problems == nil {
					t.Error("Problems is nil; JSON wants []")
				}
			}
		})
	}
}

func TestInspectFileErrors(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k := newKey(t, "ecdsa-p256")
	leaf := certPEM(p.leaf(t, k, nil, "pbx.example.com"))
	tests := []struct {
		name string
		data []byte
		err  error
		text string
	}{
		{"fail/empty", []byte(" \n"), nil, "the file is empty"},
		{"fail/garbage", []byte("not a certificate\x00"), nil, "unrecognised format: not PEM, a DER certificate, JKS or PKCS#12"},
		{"fail/pem-mismatch", cat(keyPEM(t, newKey(t, "ecdsa-p256"), "pkcs8"), leaf), ErrKeyMismatch, "PEM: the key at line 1 (ecdsa-p256) matches no certificate in the text"},
		{"fail/pem-key-only", keyPEM(t, k, "pkcs8"), ErrNoCertificate, "PEM: no certificate in the text"},
		{"fail/pem-nothing", []byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"), ErrNoCertificate,
			"PEM: no certificate or private key in the text"},
		{"fail/pem-garbage", []byte("-----BEGIN CERTIFICATE-----\n!\n-----END CERTIFICATE-----\n"), ErrGarbage, "PEM: garbage at line 2: …"},
		{"fail/jceks", []byte{0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2}, ErrUnsupported, "JCEKS: JCEKS keystores are not supported; …"},
		{"fail/too-large", make([]byte, maxKeystoreSize+1), nil, "the file is larger than …"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := InspectFileAt(tc.data, KeystoreOptions{}, testNow)
			if err == nil || r != nil {
				t.Fatalf("report %+v, want an error", r)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error %q is not %v", err, tc.err)
			}
			if start, ok := strings.CutSuffix(tc.text, "…"); ok && !strings.HasPrefix(err.Error(), start) || !ok && err.Error() != tc.text {
				t.Errorf("error %q, want %q", err, tc.text)
			}
		})
	}
}

// TestInspectFileKeystores reads keystores made by keytool and openssl.
func TestInspectFileKeystores(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := makeChain(t, dir)
	openssl(t, dir, "pkcs12", "-export", "-in", "fullchain.pem", "-inkey", c.leafKey, "-name", "isymphony", "-out", "openssl.p12", "-passout", "pass:p12-secret")
	genkeypair(t, dir, "store.jks", "isymphony", "EC", "JKS", "changeit", "changeit")
	genkeypair(t, dir, "store.p12", "isymphony", "RSA", "PKCS12", "changeit", "changeit")
	openssl(t, dir, "x509", "-in", c.leaf, "-outform", "DER", "-out", "leaf.der")
	tests := []struct {
		name, file string
		opts       KeystoreOptions
		format     string
		keyType    string
		chain      int
		err        error
	}{
		{"ok/pkcs12-openssl", "openssl.p12", KeystoreOptions{StorePassword: "p12-secret"}, "PKCS#12", "ecdsa-p256", 2, nil},
		{"ok/jks", "store.jks", KeystoreOptions{StorePassword: "changeit", Alias: "isymphony"}, "JKS", "ecdsa-", 1, nil},
		{"ok/pkcs12-keytool", "store.p12", KeystoreOptions{StorePassword: "changeit"}, "PKCS#12", "rsa-", 1, nil},
		{"ok/der-openssl", "leaf.der", KeystoreOptions{}, "DER", "ecdsa-p256", 1, nil},
		{"fail/jks-wrong-password", "store.jks", KeystoreOptions{StorePassword: "wrong-secret"}, "", "", 0, ErrStorePassword},
		{"fail/pkcs12-wrong-password", "openssl.p12", KeystoreOptions{StorePassword: "wrong-secret"}, "", "", 0, ErrStorePassword},
		{"fail/jks-wrong-alias", "store.jks", KeystoreOptions{StorePassword: "changeit", Alias: "nobody"}, "", "", 0, ErrAliasNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := InspectFileAt(readTestFile(t, filepath.Join(dir, tc.file)), tc.opts, time.Now())
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				checkNoSecret(t, err, tc.opts)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Format != tc.format || len(r.Entries) != 1 {
				t.Fatalf("report %+v", r)
			}
			e := r.Entries[0]
			if !strings.HasPrefix(e.KeyType, tc.keyType) || e.ChainLength != tc.chain || e.Alias != tc.opts.Alias || e.HasKey != (tc.format != "DER") {
				t.Errorf("entry %+v", e)
			}
			if !strings.Contains(r.Text(), "Format: "+tc.format+"\n") {
				t.Errorf("text:\n%s", r.Text())
			}
		})
	}
}

func TestReportText(t *testing.T) {
	r := &Report{
		Format: "JKS",
		Entries: []ReportEntry{{
			Alias: "isymphony",
			Info: Info{
				Subject: "CN=pbx.example.com", SANs: []string{"pbx.example.com", "192.0.2.1"}, Issuer: "CN=R3",
				NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
				KeyType: "ecdsa-p256", SerialHex: "03", SHA256Fingerprint: "AB:CD", ChainLength: 2,
			},
			HasKey:   true,
			Problems: []string{"the certificate expired on 2026-04-01 00:00:00 UTC (3 days ago)"},
		}, {
			Info:     Info{Subject: "CN=root", NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC), KeyType: "ed25519", SerialHex: "01", SHA256Fingerprint: "EF", SelfSigned: true, ChainLength: 1},
			Problems: []string{},
		}},
		Warnings: []string{"text at line 1 outside the PEM sections is ignored: \"junk\""},
	}
	want := `Format: JKS

Certificate 1 (alias isymphony), with its private key:
  Subject:     CN=pbx.example.com
  Names:       pbx.example.com, 192.0.2.1
  Issuer:      CN=R3
  Valid from:  2026-01-01 00:00:00 UTC
  Valid until: 2026-04-01 00:00:00 UTC
  Key:         ecdsa-p256
  Serial:      03
  SHA-256:     AB:CD
  Self-signed: no
  Chain:       2 certificates
  Problems:
    - the certificate expired on 2026-04-01 00:00:00 UTC (3 days ago)

Certificate 2, no private key:
  Subject:     CN=root
  Names:       (none)
  Issuer:      (none)
  Valid from:  2026-01-01 00:00:00 UTC
  Valid until: 2036-01-01 00:00:00 UTC
  Key:         ed25519
  Serial:      01
  SHA-256:     EF
  Self-signed: yes
  Chain:       1 certificate
  Problems:    none

Warnings:
  - text at line 1 outside the PEM sections is ignored: "junk"
`
	if got := r.Text(); got != want {
		t.Errorf("Text() =\n%s\nwant\n%s", got, want)
	}
}
