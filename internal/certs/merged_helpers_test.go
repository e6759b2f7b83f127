package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// testNow is the time the Go-made test certificates are made around.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// goPKI is a root → intermediate CA made with crypto/x509, and leaves
// issued by the intermediate.
type goPKI struct {
	rootKey, intKey crypto.Signer
	root, inter     *x509.Certificate
}

var (
	serialMu sync.Mutex
	serialN  int64 = 100
)

func nextSerial() *big.Int {
	serialMu.Lock()
	defer serialMu.Unlock()
	serialN++
	return big.NewInt(serialN)
}

func newGoPKI(t *testing.T) *goPKI {
	t.Helper()
	p := &goPKI{rootKey: newKey(t, "ecdsa-p256"), intKey: newKey(t, "ecdsa-p256")}
	// The CAs outlive every leaf, so that a leaf's validity is tested alone.
	from, until := testNow.Add(-365*24*time.Hour), testNow.Add(10*365*24*time.Hour)
	p.root = makeCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "pbxgate test root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: from, NotAfter: until,
	}, nil, p.rootKey, p.rootKey)
	p.inter = makeCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "pbxgate test intermediate"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: from, NotAfter: until,
	}, p.root, p.rootKey, p.intKey)
	return p
}

// leaf issues a certificate for key covering names, from the intermediate.
// mod, if not nil, changes the template first.
func (p *goPKI) leaf(t *testing.T, key crypto.Signer, mod func(*x509.Certificate), names ...string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: names[0]},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	if mod != nil {
		mod(tmpl)
	}
	return makeCert(t, tmpl, p.inter, p.intKey, key)
}

// makeCert signs tmpl with signer as parent (self-signed when parent is
// nil), for the public half of key. NotBefore and NotAfter default to
// testNow-1h and testNow+90 days.
func makeCert(t *testing.T, tmpl, parent *x509.Certificate, signer, key crypto.Signer) *x509.Certificate {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = nextSerial()
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = testNow.Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = testNow.Add(90 * 24 * time.Hour)
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newKey(t *testing.T, keyType string) crypto.Signer {
	t.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch keyType {
	case "ecdsa-p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ecdsa-p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "rsa-1024":
		k, err = rsa.GenerateKey(rand.Reader, 1024)
	case "rsa-2048":
		k = rsa2048(t)
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("key type %q", keyType)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rsa2048 returns one of a few RSA keys made once: making them is slow.
var (
	rsaOnce sync.Once
	rsaKeys []*rsa.PrivateKey
	rsaNext int
)

func rsa2048(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys = append(rsaKeys, k)
		}
	})
	serialMu.Lock()
	defer serialMu.Unlock()
	rsaNext++
	return rsaKeys[rsaNext%len(rsaKeys)]
}

// keyPEM encodes key: "pkcs8", "pkcs1" (RSA) or "sec1" (ECDSA).
func keyPEM(t *testing.T, key crypto.Signer, form string) []byte {
	t.Helper()
	var (
		b   pem.Block
		err error
	)
	switch form {
	case "pkcs8":
		b.Type = "PRIVATE KEY"
		b.Bytes, err = x509.MarshalPKCS8PrivateKey(key)
	case "pkcs1":
		b.Type = "RSA PRIVATE KEY"
		b.Bytes = x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey))
	case "sec1":
		b.Type = "EC PRIVATE KEY"
		b.Bytes, err = x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
	default:
		t.Fatalf("key form %q", form)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&b)
}

func certPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// tlsCert makes a tls.Certificate of key and chain.
func tlsCert(key crypto.Signer, chain ...*x509.Certificate) *tls.Certificate {
	return tlsCertificate(key, chain)
}

// chainNames returns the common names of a certificate's chain.
func chainNames(t *testing.T, c *tls.Certificate) []string {
	t.Helper()
	var names []string
	for _, der := range c.Certificate {
		x, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, x.Subject.CommonName)
	}
	return names
}

// checkPair checks what ParseMerged promises of a pair: Leaf set and
// first, the key is the leaf's, the key type; and the chain's names.
func checkPair(t *testing.T, p Pair, keyType string, chain []string) {
	t.Helper()
	checkCert(t, p.Cert, x509.UnknownPublicKeyAlgorithm, nil)
	if p.KeyType != keyType {
		t.Errorf("key type %q, want %q", p.KeyType, keyType)
	}
	if got := chainNames(t, p.Cert); !slices.Equal(got, chain) {
		t.Errorf("chain %q, want %q", got, chain)
	}
}
