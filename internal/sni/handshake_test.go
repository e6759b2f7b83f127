package sni

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// serveTLS starts a TLS server on 127.0.0.1:0 whose certificates come from
// r. Each connection completes the handshake and is read until the client
// closes it. The server stops at the end of the test.
func serveTLS(t *testing.T, r *Resolver) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	cfg := &tls.Config{GetCertificate: r.GetCertificate, MinVersion: tls.VersionTLS12}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				// A safety net against a stuck client, not an assertion.
				_ = conn.SetDeadline(time.Now().Add(time.Minute))
				tc := tls.Server(conn, cfg)
				if tc.Handshake() == nil {
					_, _ = io.Copy(io.Discard, tc)
				}
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

// handshake connects to addr with cfg (ServerName "" sends no SNI) and
// returns the common name of the leaf the server sent.
func handshake(addr string, cfg *tls.Config) (string, error) {
	cfg = cfg.Clone()
	cfg.InsecureSkipVerify = true // the tests look at which leaf came back
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Minute}, "tcp", addr, cfg)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName, nil
}

// rsaOnlyTLS12 is a client that cannot use an ECDSA certificate.
var rsaOnlyTLS12 = &tls.Config{
	MaxVersion: tls.VersionTLS12,
	CipherSuites: []uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	},
}

func TestHandshake(t *testing.T) {
	c := testCerts()
	f := newFixture(t)
	example := serveTLS(t, f.resolver(true, true))

	corp := NewTable()
	corp.Swap(mustBuild(t, "corp.test", corpTree()))
	corpListener := NewResolver(corp)
	corpListener.SetListener(f.listener)
	corpListener.SetDefault(f.fallbck)
	corpDefault := NewResolver(corp)
	corpDefault.SetDefault(f.fallbck)
	corpNone := NewResolver(corp)

	rsaFirst := NewTable()
	rsaFirst.Swap(mustBuild(t, "example.com", []Domain{
		{Name: "example.com", Certs: []*tls.Certificate{c.dualRSA, c.dualEC}},
	}))

	names := NewTable()
	names.Swap(mustBuild(t, "example.com", []Domain{
		{Name: "example.com", Certs: []*tls.Certificate{c.t1, c.master}},
	}))

	servers := map[string]string{
		"names":        serveTLS(t, NewResolver(names)),
		"example":      example,
		"corp":         serveTLS(t, corpListener),
		"corp-default": serveTLS(t, corpDefault),
		"corp-none":    serveTLS(t, corpNone),
		"rsa-first":    serveTLS(t, NewResolver(rsaFirst)),
	}
	tls12 := &tls.Config{MaxVersion: tls.VersionTLS12}
	ecdsaOnlyTLS12 := &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}

	tests := []struct {
		name   string
		server string
		sni    string
		client *tls.Config // nil: Go's defaults
		want   string      // common name; "" = the handshake fails
	}{
		{"domain/exact", "example", "t1.example.com", nil, "T1"},
		{"domain/master", "example", "example.com", nil, "M"},
		{"domain/inherited", "example", "s1.t1.example.com", nil, "T1"},
		{"domain/inherited-to-master", "example", "x.t2.example.com", nil, "M"},
		{"domain/walk", "example", "new.s2.t1.example.com", nil, "S2"},
		{"domain/walk-skips-certless", "example", "z.q.example.com", nil, "M"},
		{"domain/master-last", "example", "www.unrelated.net", nil, "M"},
		{"domain/other-tree", "example", "www.other.org", nil, "O"},
		{"domain/upper-case", "example", "T1.EXAMPLE.COM", nil, "T1"},
		{"domain/tls12", "example", "t1.example.com", tls12, "T1"},
		{"listener/no-sni", "example", "", nil, "L"},
		{"listener/chain-without-cert", "corp", "a.corp.test", nil, "L"},
		{"listener/stops-before-dns-parent", "corp", "x.b.corp.test", nil, "L"},
		{"domain/corp-walk", "corp", "q.b.corp.test", nil, "B"},
		{"default/no-listener", "corp-default", "a.corp.test", nil, "D"},
		{"default/no-sni", "corp-default", "", nil, "D"},
		{"none/no-certificate", "corp-none", "a.corp.test", nil, ""},
		{"dual/default-client-ecdsa", "example", "dual.example.com", nil, "DUAL-EC"},
		{"dual/tls12-client-ecdsa", "example", "dual.example.com", tls12, "DUAL-EC"},
		{"dual/rsa-only-client", "example", "dual.example.com", rsaOnlyTLS12, "DUAL-RSA"},
		{"dual/ecdsa-only-client", "example", "dual.example.com", ecdsaOnlyTLS12, "DUAL-EC"},
		{"dual/rsa-first-default-client", "rsa-first", "example.com", nil, "DUAL-RSA"},
		{"dual/rsa-first-ecdsa-only-client", "rsa-first", "example.com", ecdsaOnlyTLS12, "DUAL-EC"},
		{"dual/name-not-covered-rsa-only-client", "example", "x.dual.example.com", rsaOnlyTLS12, "DUAL-RSA"},
		{"dual/name-not-covered-default-client", "example", "x.dual.example.com", nil, "DUAL-EC"},
		{"names/covering-cert-preferred", "names", "example.com", nil, "M"},
		{"names/first-covering-cert", "names", "t1.example.com", nil, "T1"},
		{"names/none-covering-first", "names", "other.net", nil, "T1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.client
			if cfg == nil {
				cfg = &tls.Config{}
			}
			cfg = cfg.Clone()
			cfg.ServerName = tt.sni
			got, err := handshake(servers[tt.server], cfg)
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("handshake with SNI %q got %q, want a failure", tt.sni, got)
			case tt.want != "" && err != nil:
				t.Errorf("handshake with SNI %q: %v", tt.sni, err)
			case got != tt.want:
				t.Errorf("handshake with SNI %q got %q, want %q", tt.sni, got, tt.want)
			}
		})
	}
}

// TestHandshakeDuringSwaps does real handshakes while another goroutine
// swaps the index and the listener certificate; run with -race.
func TestHandshakeDuringSwaps(t *testing.T) {
	c := testCerts()
	f := newFixture(t)
	one := func(x *tls.Certificate) []*tls.Certificate { return []*tls.Certificate{x} }
	a := mustBuild(t, "example.com", []Domain{{Name: "example.com", Certs: one(c.master)}, {Name: "t.example.com", Parent: "example.com", Certs: one(c.t1)}})
	b := mustBuild(t, "example.com", []Domain{{Name: "example.com", Certs: one(c.master)}, {Name: "t.example.com", Parent: "example.com", Certs: one(c.s2)}})
	f.table.Swap(a)
	r := f.resolver(true, true)
	addr := serveTLS(t, r)

	stop := make(chan struct{})
	var swapper sync.WaitGroup
	swapper.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				f.table.Swap(b)
				r.SetListener(nil)
			} else {
				f.table.Swap(a)
				r.SetListener(f.listener)
			}
		}
	})
	type result struct {
		sni, got string
		err      error
	}
	results := make(chan result, 100)
	var clients sync.WaitGroup
	for i := range 4 {
		clients.Go(func() {
			for j := range 10 {
				sni := "x.t.example.com"
				if (i+j)%2 == 1 {
					sni = ""
				}
				got, err := handshake(addr, &tls.Config{ServerName: sni})
				results <- result{sni, got, err}
			}
		})
	}
	clients.Wait()
	close(stop)
	swapper.Wait()
	close(results)
	for res := range results {
		want := map[string]bool{"T1": res.sni != "", "S2": res.sni != "", "L": res.sni == "", "D": res.sni == ""}
		if res.err != nil || !want[res.got] {
			t.Errorf("handshake with SNI %q during swaps: %q, %v", res.sni, res.got, res.err)
		}
	}
}
