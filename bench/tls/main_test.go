package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testServer is a Go TLS server on loopback that records what clients did.
type testServer struct {
	addr     string
	sha256   string
	done     atomic.Int64 // handshakes completed on the server side
	mu       sync.Mutex
	curves   [][]tls.CurveID
	versions [][]uint16
	exts     [][]uint16
}

// newCert makes a self-signed ECDSA P-256 certificate for name.
func newCert(t *testing.T, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// startServer serves TLS up to maxVersion on 127.0.0.1.
func startServer(t *testing.T, maxVersion uint16) *testServer {
	t.Helper()
	cert := newCert(t, "bench.example.com")
	sum := sha256.Sum256(cert.Certificate[0])
	s := &testServer{sha256: hex.EncodeToString(sum[:])}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MaxVersion:   maxVersion,
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			s.mu.Lock()
			s.curves = append(s.curves, h.SupportedCurves)
			s.versions = append(s.versions, h.SupportedVersions)
			s.exts = append(s.exts, h.Extensions)
			s.mu.Unlock()
			return nil, nil
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				tc := tls.Server(c, cfg)
				if tc.Handshake() == nil {
					s.done.Add(1)
				}
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return s
}

// TLS extensions of resumption (RFC 5077, RFC 8446 §4.2).
const (
	extSessionTicket uint16 = 35
	extPreSharedKey  uint16 = 41
	extPSKModes      uint16 = 45
)

func mustSHA(t *testing.T, s string) []byte {
	t.Helper()
	b, err := parseSHA256(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHandshake checks one handshake per case: TLS 1.3 with X25519 only,
// the certificate check, and the errors' kinds.
func TestHandshake(t *testing.T) {
	tls13 := startServer(t, tls.VersionTLS13)
	tls12 := startServer(t, tls.VersionTLS12)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	other := strings.Repeat("ab", sha256.Size)
	tests := []struct {
		name, addr, expect string
		wantKind           string // "" for success
	}{
		{name: "ok/expected-certificate", addr: tls13.addr, expect: tls13.sha256},
		{name: "ok/no-check", addr: tls13.addr},
		{name: "fail/other-certificate", addr: tls13.addr, expect: other, wantKind: "certificate mismatch"},
		{name: "fail/server-without-tls13", addr: tls12.addr, wantKind: "remote error: tls: protocol version not supported"},
		{name: "fail/nothing-listening", addr: closedAddr, wantKind: "dial: connect: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var expect []byte
			if tt.expect != "" {
				expect = mustSHA(t, tt.expect)
			}
			h := newHandshaker(tt.addr, "bench.example.com", expect, 5*time.Second)
			err := h.handshake()
			if tt.wantKind == "" {
				if err != nil {
					t.Fatalf("handshake: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("handshake succeeded, want an error")
			}
			if got := errorKind(err); !strings.Contains(got, tt.wantKind) {
				t.Fatalf("error kind %q (from %v), want it to hold %q", got, err, tt.wantKind)
			}
		})
	}
}

// TestClientHello checks what the client offers: TLS 1.3 and X25519 only, and
// no session resumption (neither a ticket nor the PSK modes that invite one).
func TestClientHello(t *testing.T) {
	s := startServer(t, tls.VersionTLS13)
	h := newHandshaker(s.addr, "bench.example.com", mustSHA(t, s.sha256), 5*time.Second)
	p, err := h.probe()
	if err != nil {
		t.Fatal(err)
	}
	want := probe{version: "TLS 1.3", curve: "X25519", certSHA256: s.sha256, certKey: "ECDSA P-256", certSubject: "bench.example.com"}
	p.suite = "" // the server's choice, by hardware
	if p != want {
		t.Errorf("probe = %+v, want %+v", p, want)
	}
	for range 3 {
		if err := h.handshake(); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.curves {
		if !slices.Equal(s.curves[i], []tls.CurveID{tls.X25519}) {
			t.Errorf("hello %d offers curves %v, want only X25519", i, s.curves[i])
		}
		if !slices.Equal(s.versions[i], []uint16{tls.VersionTLS13}) {
			t.Errorf("hello %d offers versions %x, want only TLS 1.3", i, s.versions[i])
		}
		for _, ext := range []uint16{extSessionTicket, extPreSharedKey, extPSKModes} {
			if slices.Contains(s.exts[i], ext) {
				t.Errorf("hello %d has extension %d (resumption), want none of it", i, ext)
			}
		}
	}
	if len(s.curves) != 4 {
		t.Errorf("server saw %d hellos, want 4", len(s.curves))
	}
}

// TestRunRound checks what a round counts: successes only against the right
// certificate, failures by kind otherwise, never more than the server made.
func TestRunRound(t *testing.T) {
	s := startServer(t, tls.VersionTLS13)
	tests := []struct {
		name, expect string
		wantFailures bool
	}{
		{name: "ok/right-certificate", expect: s.sha256},
		{name: "fail/wrong-certificate", expect: strings.Repeat("00", sha256.Size), wantFailures: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandshaker(s.addr, "bench.example.com", mustSHA(t, tt.expect), 5*time.Second)
			before := s.done.Load()
			r := runRound(h, os.Getpid(), 2, 0, 300*time.Millisecond)
			var kinds int64
			for _, n := range r.failures {
				kinds += n
			}
			if kinds != r.fails {
				t.Errorf("failures by kind sum to %d, fails = %d", kinds, r.fails)
			}
			if tt.wantFailures {
				if r.ok != 0 {
					t.Errorf("ok = %d, want 0 against the wrong certificate", r.ok)
				}
				if n := r.failures["certificate mismatch"]; n != r.fails {
					t.Errorf("failures %v, want only certificate mismatches", r.failures)
				}
				return
			}
			if r.fails != 0 {
				t.Errorf("failures %v, want none", r.failures)
			}
			if made := s.done.Load() - before; r.ok > made {
				t.Errorf("counted %d handshakes, the server completed %d", r.ok, made)
			}
			if runtime.GOOS == "linux" && !r.serverMeasured {
				t.Error("server CPU not measured for this process")
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	sha := strings.Repeat("0f", sha256.Size)
	colons := strings.TrimSuffix(strings.Repeat("0f:", sha256.Size), ":")
	tests := []struct {
		name    string
		args    []string
		want    []target
		wantErr string
	}{
		{name: "ok/two-targets-with-pids", args: []string{"-target", "pbxgate=127.0.0.1:1", "-target", "nginx=127.0.0.1:2", "-pid", "nginx=42"},
			want: []target{{name: "pbxgate", addr: "127.0.0.1:1"}, {name: "nginx", addr: "127.0.0.1:2", pid: 42}}},
		{name: "ok/sha-with-colons", args: []string{"-target", "a=[::1]:1", "-expect-sha256", colons},
			want: []target{{name: "a", addr: "[::1]:1"}}},
		{name: "ok/sha", args: []string{"-target", "a=localhost:1", "-expect-sha256", sha},
			want: []target{{name: "a", addr: "localhost:1"}}},
		{name: "fail/no-target", args: nil, wantErr: "no -target"},
		{name: "fail/target-without-name", args: []string{"-target", "127.0.0.1:1"}, wantErr: "want name=host:port"},
		{name: "fail/target-without-port", args: []string{"-target", "a=127.0.0.1"}, wantErr: "missing port"},
		{name: "fail/target-twice", args: []string{"-target", "a=127.0.0.1:1", "-target", "a=127.0.0.1:2"}, wantErr: "given twice"},
		{name: "fail/pid-of-unknown-target", args: []string{"-target", "a=127.0.0.1:1", "-pid", "b=1"}, wantErr: "no such target"},
		{name: "fail/pid-not-a-number", args: []string{"-target", "a=127.0.0.1:1", "-pid", "a=x"}, wantErr: "want name=PID"},
		{name: "fail/sha-short", args: []string{"-target", "a=127.0.0.1:1", "-expect-sha256", "0f0f"}, wantErr: "2 bytes, want 32"},
		{name: "fail/sha-not-hex", args: []string{"-target", "a=127.0.0.1:1", "-expect-sha256", "zz"}, wantErr: "invalid byte"},
		{name: "fail/zero-workers", args: []string{"-target", "a=127.0.0.1:1", "-c", "0"}, wantErr: "must be positive"},
		{name: "fail/stray-argument", args: []string{"-target", "a=127.0.0.1:1", "extra"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.targets, tt.want) {
				t.Errorf("targets = %+v, want %+v", o.targets, tt.want)
			}
		})
	}
}

func TestMedianAndOrder(t *testing.T) {
	medians := []struct {
		name string
		xs   []float64
		want float64
	}{
		{name: "ok/empty", xs: nil, want: 0},
		{name: "ok/odd", xs: []float64{5, 1, 3}, want: 3},
		{name: "ok/even", xs: []float64{4, 1, 3, 2}, want: 2.5},
	}
	for _, tt := range medians {
		t.Run("median/"+tt.name, func(t *testing.T) {
			if got := median(tt.xs); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
			}
		})
	}
	orders := []struct {
		name string
		n, r int
		want []int
	}{
		{name: "ok/even-round-forwards", n: 3, r: 0, want: []int{0, 1, 2}},
		{name: "ok/odd-round-backwards", n: 3, r: 1, want: []int{2, 1, 0}},
		{name: "ok/one-target", n: 1, r: 1, want: []int{0}},
	}
	for _, tt := range orders {
		t.Run("order/"+tt.name, func(t *testing.T) {
			if got := roundOrder(tt.n, tt.r); !slices.Equal(got, tt.want) {
				t.Errorf("roundOrder(%d, %d) = %v, want %v", tt.n, tt.r, got, tt.want)
			}
		})
	}
}

// TestReport checks the ratios printed from made-up rounds.
func TestReport(t *testing.T) {
	o := options{
		targets: []target{{name: "pbxgate", addr: "127.0.0.1:1", pid: 1}, {name: "nginx", addr: "127.0.0.1:2", pid: 2}},
		base:    "nginx", sni: "bench.example.com", clients: 4, rounds: 3, duration: time.Second,
	}
	round := func(ok int64, server time.Duration) result {
		return result{ok: ok, window: time.Second, client: time.Second / 2, server: server, serverMeasured: true}
	}
	results := [][]result{
		{round(2000, time.Second), round(3000, time.Second), round(100, time.Second)},
		{round(1000, time.Second), round(1500, time.Second), round(2000, time.Second)},
	}
	results[0][2].fails = 2
	results[0][2].failures = map[string]int64{"timeout": 2}
	var b bytes.Buffer
	report(&b, o, make([]probe, 2), results)
	out := b.String()
	for _, want := range []string{
		"pbxgate/nginx handshakes/s (medians): 1.333",
		// pbxgate: 3 s of server CPU over 5100 handshakes; nginx: over 4500.
		"server CPU per handshake: 0.882",
		"pbxgate: 2 x timeout",
		"2000 3000 100",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
