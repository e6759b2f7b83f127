package sni

import (
	"crypto/tls"
	"fmt"
	"testing"
	"time"
)

// benchTree is a tree of n domains under the master example.com (which has
// a certificate): one in ten a tenant tK.example.com with a certificate of
// its own, the others sJ.tK.example.com without one.
func benchTree(n int, certs []*tls.Certificate) (domains []Domain, tenants, children []string) {
	domains = make([]Domain, 0, n)
	domains = append(domains, Domain{Name: "example.com", Certs: certs[:1]})
	nt := max(1, (n-1)/10)
	for k := range nt {
		name := fmt.Sprintf("t%d.example.com", k)
		domains = append(domains, Domain{Name: name, Parent: "example.com", Certs: certs[k%len(certs) : k%len(certs)+1]})
		tenants = append(tenants, name)
	}
	for j := 0; len(domains) < n; j++ {
		parent := tenants[j%nt]
		name := fmt.Sprintf("s%d.%s", j, parent)
		domains = append(domains, Domain{Name: name, Parent: parent})
		children = append(children, name)
	}
	return domains, tenants, children
}

// BenchmarkLookup measures the SNI lookup at 1k, 100k and 1M domains:
// an exact hit on a domain with a certificate, an inherited certificate, an
// unknown name whose DNS walk skips a domain without a certificate of its
// own before finding its tenant, and an unknown name outside the tree that
// ends at the master.
func BenchmarkLookup(b *testing.B) {
	certs := []*tls.Certificate{testCerts().master, testCerts().t1, testCerts().s2}
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		domains, tenants, children := benchTree(n, certs)
		ix, err := Build("example.com", domains, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		const q = 4096 // names per case, spread over the tree
		pick := func(from []string, prefix string) []string {
			out := make([]string, q)
			for i := range out {
				out[i] = prefix + from[(i*7919)%len(from)]
			}
			return out
		}
		outside := make([]string, q)
		for i := range outside {
			outside[i] = fmt.Sprintf("host%d.unrelated%d.net", i, i)
		}
		cases := []struct {
			name  string
			names []string
		}{
			{"exact", pick(tenants, "")},
			{"inherited", pick(children, "")},
			{"walk", pick(children, "x.y.")},
			{"walk-to-master", outside},
		}
		for _, c := range cases {
			b.Run(fmt.Sprintf("domains=%d/%s", n, c.name), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if ix.Lookup(c.names[i%q]).Domain == "" {
						b.Fatal("no domain certificate")
					}
					i++
				}
			})
		}
	}
}

// BenchmarkGetCertificate measures the whole per-handshake decision of a
// listener, one certificate and two (ECDSA and RSA).
func BenchmarkGetCertificate(b *testing.B) {
	f := newFixture(b)
	r := f.resolver(true, true)
	for _, name := range []string{"t1.example.com", "dual.example.com"} {
		hello := &tls.ClientHelloInfo{
			ServerName:        name,
			SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12},
			SignatureSchemes:  []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256, tls.PSSWithSHA256},
			SupportedCurves:   []tls.CurveID{tls.X25519, tls.CurveP256},
			CipherSuites:      []uint16{tls.TLS_AES_128_GCM_SHA256},
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.GetCertificate(hello); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
