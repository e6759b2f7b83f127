package sni

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// certSpec describes a test certificate.
type certSpec struct {
	cn        string   // subject common name; tests identify leaves by it
	dns       []string // SANs; default: cn
	rsa       bool     // RSA 2048 instead of ECDSA P-256
	notBefore time.Time
	notAfter  time.Time // zero: a year from now
}

// testKeys are made once per test binary: the key does not matter to the
// index, only its type does, and RSA key generation is slow.
var testKeys = sync.OnceValues(func() (*ecdsa.PrivateKey, *rsa.PrivateKey) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return ec, rk
})

var serial atomic.Int64

// newCert makes a self-signed certificate with Leaf set.
func newCert(t testing.TB, spec certSpec) *tls.Certificate {
	t.Helper()
	c, err := makeCert(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustCert is newCert outside a test; it panics on error.
func mustCert(spec certSpec) *tls.Certificate {
	c, err := makeCert(spec)
	if err != nil {
		panic(err)
	}
	return c
}

func makeCert(spec certSpec) (*tls.Certificate, error) {
	ec, rk := testKeys()
	var key crypto.Signer = ec
	usage := x509.KeyUsageDigitalSignature
	if spec.rsa {
		key = rk
		usage |= x509.KeyUsageKeyEncipherment
	}
	if spec.notBefore.IsZero() {
		spec.notBefore = time.Now().Add(-time.Hour)
	}
	if spec.notAfter.IsZero() {
		spec.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	if spec.dns == nil {
		spec.dns = []string{spec.cn}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: spec.cn},
		DNSNames:     spec.dns,
		NotBefore:    spec.notBefore,
		NotAfter:     spec.notAfter,
		KeyUsage:     usage,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create certificate %q: %w", spec.cn, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %q: %w", spec.cn, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// cn is the common name of c, "" for nil.
func cn(c *tls.Certificate) string {
	if c == nil {
		return ""
	}
	return c.Leaf.Subject.CommonName
}

// cns are the common names of certs.
func cns(certs []*tls.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, cn(c))
	}
	return out
}

// mustBuild builds an index or fails the test.
func mustBuild(t testing.TB, master string, domains []Domain) *Index {
	t.Helper()
	ix, err := Build(master, domains, time.Now())
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return ix
}

// certSet holds the certificates of the test trees, made once.
type certSet struct {
	master, t1, s2, other, com, b, dualEC, dualRSA *tls.Certificate
}

var testCerts = sync.OnceValue(func() *certSet {
	return &certSet{
		master:  mustCert(certSpec{cn: "M", dns: []string{"example.com", "*.example.com"}}),
		t1:      mustCert(certSpec{cn: "T1", dns: []string{"t1.example.com", "*.t1.example.com"}}),
		s2:      mustCert(certSpec{cn: "S2", dns: []string{"s2.t1.example.com", "*.s2.t1.example.com"}}),
		other:   mustCert(certSpec{cn: "O", dns: []string{"other.org", "*.other.org"}}),
		com:     mustCert(certSpec{cn: "COM", dns: []string{"com"}}),
		b:       mustCert(certSpec{cn: "B", dns: []string{"b.corp.test"}}),
		dualEC:  mustCert(certSpec{cn: "DUAL-EC", dns: []string{"dual.example.com"}}),
		dualRSA: mustCert(certSpec{cn: "DUAL-RSA", dns: []string{"dual.example.com"}, rsa: true}),
	}
})

// exampleTree is the main test tree, master example.com:
//
//	example.com            M
//	├── t1.example.com     T1
//	│   ├── s1.t1…         -
//	│   ├── s2.t1…         S2
//	│   │   └── u.s2.t1…   -
//	│   └── q.example.com  -   (tree child of t1, DNS child of example.com)
//	├── t2.example.com     -
//	│   └── x.t2…          -
//	├── dual.example.com   DUAL-EC, DUAL-RSA
//	└── other.org          O
func exampleTree() []Domain {
	c := testCerts()
	one := func(x *tls.Certificate) []*tls.Certificate { return []*tls.Certificate{x} }
	return []Domain{
		{Name: "example.com", Certs: one(c.master)},
		{Name: "t1.example.com", Parent: "example.com", Certs: one(c.t1)},
		{Name: "s1.t1.example.com", Parent: "t1.example.com"},
		{Name: "s2.t1.example.com", Parent: "t1.example.com", Certs: one(c.s2)},
		{Name: "u.s2.t1.example.com", Parent: "s2.t1.example.com"},
		{Name: "q.example.com", Parent: "t1.example.com"},
		{Name: "t2.example.com", Parent: "example.com"},
		{Name: "x.t2.example.com", Parent: "t2.example.com"},
		{Name: "dual.example.com", Parent: "example.com", Certs: []*tls.Certificate{c.dualEC, c.dualRSA}},
		{Name: "other.org", Parent: "example.com", Certs: one(c.other)},
	}
}

// corpTree has no certificate on the master (corp.test):
//
//	corp.test              -
//	├── a.corp.test        -
//	│   └── x.b.corp.test  -   (tree child of a, DNS child of b)
//	└── b.corp.test        B
func corpTree() []Domain {
	c := testCerts()
	return []Domain{
		{Name: "corp.test"},
		{Name: "a.corp.test", Parent: "corp.test"},
		{Name: "x.b.corp.test", Parent: "a.corp.test"},
		{Name: "b.corp.test", Parent: "corp.test", Certs: []*tls.Certificate{c.b}},
	}
}
