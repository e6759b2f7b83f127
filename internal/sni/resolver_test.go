package sni

import (
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"sync"
	"testing"
)

// fixture is a table and resolvers over exampleTree, with listener and
// default certificates.
type fixture struct {
	table             *Table
	listener, fallbck *tls.Certificate
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	f := fixture{
		table:    NewTable(),
		listener: newCert(t, certSpec{cn: "L", dns: []string{"listener.invalid"}}),
		fallbck:  newCert(t, certSpec{cn: "D", dns: []string{"localhost"}}),
	}
	f.table.Swap(mustBuild(t, "example.com", exampleTree()))
	return f
}

// resolver returns a resolver of f's table with the chosen fallbacks.
func (f fixture) resolver(listener, fallback bool) *Resolver {
	r := NewResolver(f.table)
	if listener {
		r.SetListener(f.listener)
	}
	if fallback {
		r.SetDefault(f.fallbck)
	}
	return r
}

func rsaOnly(c *tls.Certificate) bool {
	_, ok := c.Leaf.PublicKey.(*rsa.PublicKey)
	return ok
}

func TestResolve(t *testing.T) {
	f := newFixture(t)
	corp := NewTable()
	corp.Swap(mustBuild(t, "corp.test", corpTree()))
	corpResolver := NewResolver(corp)
	corpResolver.SetListener(f.listener)

	tests := []struct {
		name     string
		r        *Resolver
		sni      string
		supports func(*tls.Certificate) bool
		source   string
		domain   string
		cert     string
		lastStep string
	}{
		{"domain/exact", f.resolver(true, true), "t1.example.com", nil, SourceDomain, "t1.example.com", "T1",
			`domain "t1.example.com" has a certificate: served`},
		{"domain/inherited", f.resolver(true, true), "s1.t1.example.com", nil, SourceDomain, "t1.example.com", "T1",
			`domain "t1.example.com" has a certificate: served`},
		{"domain/two-certs-any-client", f.resolver(true, true), "dual.example.com", nil, SourceDomain, "dual.example.com", "DUAL-EC",
			`certificate 1 of 2: "DUAL-EC" (ECDSA P-256, not after ` + f.table.Load().Lookup("dual.example.com").Certs[0].Leaf.NotAfter.UTC().Format("2006-01-02T15:04:05Z07:00") + `)`},
		{"domain/two-certs-rsa-client", f.resolver(true, true), "dual.example.com", rsaOnly, SourceDomain, "dual.example.com", "DUAL-RSA", ""},
		{"domain/no-supported-cert-first", f.resolver(true, true), "t1.example.com", rsaOnly, SourceDomain, "t1.example.com", "T1", ""},
		{"domain/wins-without-listener", f.resolver(false, false), "t1.example.com", nil, SourceDomain, "t1.example.com", "T1", ""},
		{"listener/no-sni", f.resolver(true, true), "", nil, SourceListener, "", "L", ""},
		{"listener/ip", f.resolver(true, true), "127.0.0.1", nil, SourceListener, "", "L", ""},
		{"listener/chain-without-cert", corpResolver, "a.corp.test", nil, SourceListener, "", "L", ""},
		{"default/no-listener", f.resolver(false, true), "", nil, SourceDefault, "", "D", ""},
		{"none/nothing", f.resolver(false, false), "", nil, SourceNone, "", "",
			"no default certificate: the handshake fails"},
		{"none/nil-index", NewResolver(NewTable()), "t1.example.com", nil, SourceNone, "", "", ""},
		{"none/nil-table", NewResolver(nil), "t1.example.com", nil, SourceNone, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.r.Resolve(tt.sni, tt.supports)
			if res.Source != tt.source || res.Domain != tt.domain || cn(res.Cert) != tt.cert {
				t.Errorf("Resolve(%q) = %s %q %q, want %s %q %q", tt.sni, res.Source, res.Domain, cn(res.Cert), tt.source, tt.domain, tt.cert)
			}
			if len(res.Steps) == 0 {
				t.Fatalf("Resolve(%q) has no steps", tt.sni)
			}
			if last := res.Steps[len(res.Steps)-1]; tt.lastStep != "" && last != tt.lastStep {
				t.Errorf("last step = %q, want %q", last, tt.lastStep)
			}
			// GetCertificate agrees for a client that supports everything.
			if tt.supports != nil {
				return
			}
			c, err := tt.r.GetCertificate(&tls.ClientHelloInfo{ServerName: tt.sni})
			if tt.source == SourceNone {
				if !errors.Is(err, ErrNoCertificate) {
					t.Errorf("GetCertificate error = %v, want ErrNoCertificate", err)
				}
				return
			}
			if err != nil || c != res.Cert {
				t.Errorf("GetCertificate = %q, %v; Resolve = %q", cn(c), err, cn(res.Cert))
			}
		})
	}
}

func TestTableSwap(t *testing.T) {
	f := newFixture(t)
	r := f.resolver(true, false)
	get := func() string {
		t.Helper()
		c, err := r.GetCertificate(&tls.ClientHelloInfo{ServerName: "t1.example.com"})
		if err != nil {
			t.Fatalf("GetCertificate: %v", err)
		}
		return cn(c)
	}
	if got := get(); got != "T1" {
		t.Fatalf("before swap: %q, want T1", got)
	}
	f.table.Swap(mustBuild(t, "corp.test", corpTree()))
	if got := get(); got != "L" {
		t.Errorf("after swap to a tree without t1: %q, want L", got)
	}
	f.table.Swap(nil)
	if f.table.Load() != nil {
		t.Errorf("Load after Swap(nil) is not nil")
	}
	if got := get(); got != "L" {
		t.Errorf("after Swap(nil): %q, want L", got)
	}
	r.SetListener(nil)
	if _, err := r.GetCertificate(&tls.ClientHelloInfo{ServerName: "t1.example.com"}); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("without any certificate: %v, want ErrNoCertificate", err)
	}
}

func TestGetCertificateAllocs(t *testing.T) {
	f := newFixture(t)
	r := f.resolver(true, true)
	for _, name := range []string{"t1.example.com", "s1.t1.example.com", "new.t1.example.com", ""} {
		hello := &tls.ClientHelloInfo{ServerName: name}
		if n := testing.AllocsPerRun(100, func() { _, _ = r.GetCertificate(hello) }); n != 0 {
			t.Errorf("GetCertificate(%q): %v allocations, want 0", name, n)
		}
	}
}

// TestConcurrentSwap runs lookups against swaps and setter calls; run with
// -race. Every lookup must see one of the two trees, whole.
func TestConcurrentSwap(t *testing.T) {
	c := testCerts()
	f := newFixture(t)
	a := mustBuild(t, "example.com", []Domain{{Name: "example.com", Certs: []*tls.Certificate{c.master}}, {Name: "t.example.com", Parent: "example.com", Certs: []*tls.Certificate{c.t1}}})
	b := mustBuild(t, "example.com", []Domain{{Name: "example.com", Certs: []*tls.Certificate{c.master}}, {Name: "t.example.com", Parent: "example.com", Certs: []*tls.Certificate{c.s2}}})
	f.table.Swap(a)
	r := f.resolver(true, true)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				f.table.Swap(a)
				r.SetListener(f.listener)
			} else {
				f.table.Swap(b)
				r.SetListener(nil)
			}
		}
	})
	errs := make(chan string, 8)
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for range 2000 {
				got, err := r.GetCertificate(&tls.ClientHelloInfo{ServerName: "x.t.example.com"})
				if err != nil || (cn(got) != "T1" && cn(got) != "S2") {
					errs <- cn(got)
					return
				}
				got, err = r.GetCertificate(&tls.ClientHelloInfo{})
				if err != nil || (cn(got) != "L" && cn(got) != "D") {
					errs <- cn(got)
					return
				}
			}
		})
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("lookup during swaps got %q", e)
	}
}
