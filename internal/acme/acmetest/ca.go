package acmetest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// Options configures [Start].
type Options struct {
	// HTTPPort is the port on 127.0.0.1 that Pebble's VA connects to for
	// HTTP-01 challenges (pbxgate's plain listener). Required.
	HTTPPort int

	// Validity is the lifetime of the certificates Pebble issues, in whole
	// seconds; 0 means Pebble's default of 90 days. Pebble sets NotAfter
	// to NotBefore + Validity - 1s, and NotBefore to the moment of issuance
	// (no backdating).
	Validity time.Duration

	// Log receives Pebble's log, one line per event; nil discards it.
	// Nothing is written to it once the test's cleanup has run, so a
	// writer that calls t.Log is safe.
	Log io.Writer
}

// CA is a running Pebble with its DNS server and HTTPS listener. Its
// methods are safe for concurrent use.
type CA struct {
	dirURL      string
	tlsRootsPEM []byte
	issuerRoots *x509.CertPool
	db          *db.MemoryStore
	orders      *orderLog
}

// Start starts Pebble, its DNS server and its HTTPS listener on 127.0.0.1,
// on ports of their own, and stops them all when t's cleanup runs. It
// fails t if anything cannot start.
func Start(t testing.TB, opts Options) *CA {
	t.Helper()
	if opts.HTTPPort <= 0 || opts.HTTPPort > 65535 {
		t.Fatalf("acmetest: Options.HTTPPort %d: want the port of the HTTP-01 responder on 127.0.0.1", opts.HTTPPort)
	}
	validity, err := validitySeconds(opts.Validity)
	if err != nil {
		t.Fatalf("acmetest: %v", err)
	}

	// Cleanups run last-registered first: the HTTPS listener stops, then
	// the VA, then DNS, and only then is the log closed.
	logw := io.Discard
	if opts.Log != nil {
		g := &gatedWriter{w: opts.Log}
		t.Cleanup(g.close)
		logw = g
	}
	logger := log.New(logw, "pebble ", log.Lmicroseconds)

	dns, err := startDNS(t.Context())
	if err != nil {
		t.Fatalf("acmetest: %v", err)
	}
	t.Cleanup(func() {
		if err := dns.close(); err != nil {
			t.Errorf("acmetest: dns server: %v", err)
		}
	})

	p, err := newPebble(logger, opts.HTTPPort, dns.addr, validity)
	if err != nil {
		t.Fatalf("acmetest: %v", err)
	}
	t.Cleanup(p.stopVA)

	orders, err := newOrderLog(t.Context(), p.handler)
	if err != nil {
		t.Fatalf("acmetest: %v", err)
	}
	serverCert, rootsPEM, err := newServerTLS(time.Now())
	if err != nil {
		t.Fatalf("acmetest: %v", err)
	}
	srv := httptest.NewUnstartedServer(orders)
	srv.Config.ErrorLog = log.New(logw, "acmetest https ", log.Lmicroseconds)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{serverCert},
		MinVersion:   tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	return &CA{
		dirURL:      srv.URL + wfe.DirectoryPath,
		tlsRootsPEM: rootsPEM,
		issuerRoots: p.issuerRoots(),
		db:          p.db,
		orders:      orders,
	}
}

// DirectoryURL returns the URL of the ACME directory,
// https://127.0.0.1:PORT/dir.
func (c *CA) DirectoryURL() string { return c.dirURL }

// TLSRootsPEM returns the PEM of the certificate that signs the ACME
// server's own HTTPS certificate: what an ACME client must trust to talk
// to it.
func (c *CA) TLSRootsPEM() []byte { return bytes.Clone(c.tlsRootsPEM) }

// WriteTLSRoots writes [CA.TLSRootsPEM] to a file in a temporary directory
// of t and returns its path, for pbxgate's acme.ca_roots.
func (c *CA) WriteTLSRoots(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "acme-ca-roots.pem")
	if err := os.WriteFile(path, c.tlsRootsPEM, 0o600); err != nil {
		t.Fatalf("acmetest: writing TLS roots: %v", err)
	}
	return path
}

// IssuerRoots returns a pool of Pebble's issuing root(s), to verify the
// chains it issues. The chain Pebble serves holds the leaf and one
// intermediate.
func (c *CA) IssuerRoots() *x509.CertPool { return c.issuerRoots.Clone() }

// validitySeconds converts [Options.Validity] to Pebble's profile
// ValidityPeriod.
func validitySeconds(d time.Duration) (uint64, error) {
	switch {
	case d == 0:
		return 0, nil
	case d < time.Second || d%time.Second != 0:
		return 0, fmt.Errorf("Options.Validity %v: want 0 or a whole number of seconds", d)
	}
	return uint64(d / time.Second), nil
}

// gatedWriter forwards to w until closed, then drops everything: Pebble
// logs from goroutines that may outlive a test, and t.Log panics once the
// test has completed.
type gatedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(p), nil
	}
	return g.w.Write(p)
}

func (g *gatedWriter) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}
