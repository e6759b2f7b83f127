package acmetest_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mholt/acmez/v3"
	"github.com/mholt/acmez/v3/acme"
	"go.uber.org/goleak"

	"github.com/pbxgate/pbxgate/internal/acme/acmetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is one CA with the HTTP-01 responder it validates against and an
// account on it.
type env struct {
	ca      *acmetest.CA
	resp    *responder
	client  *acmez.Client
	account acme.Account
}

// setup starts a responder (answering or not), a CA pointed at it, and
// registers an account.
func setup(t *testing.T, answer bool, validity time.Duration) *env {
	t.Helper()
	resp := startResponder(t, answer)
	ca := acmetest.Start(t, acmetest.Options{
		HTTPPort: resp.port,
		Validity: validity,
		Log:      logWriter{t},
	})
	client := newClient(t, ca, resp)
	return &env{ca: ca, resp: resp, client: client, account: newAccount(t, client)}
}

// obtain orders a certificate for names, replacing replaces if not nil,
// and returns its chain, leaf first.
func (e *env) obtain(t *testing.T, names []string, replaces *x509.Certificate) ([]*x509.Certificate, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := acmez.NewCSR(key, names)
	if err != nil {
		t.Fatal(err)
	}
	params, err := acmez.OrderParametersFromCSR(e.account, csr)
	if err != nil {
		t.Fatal(err)
	}
	params.Replaces = replaces
	chains, err := e.client.ObtainCertificate(ctx, params)
	if err != nil {
		return nil, err
	}
	if len(chains) == 0 {
		t.Fatal("no certificate chain")
	}
	return parseChain(t, chains[0].ChainPEM), nil
}

func TestObtainCertificate(t *testing.T) {
	t.Parallel()
	e := setup(t, true, 0)
	start := time.Now()
	chain, err := e.obtain(t, []string{"a.pbx.test"}, nil)
	if err != nil {
		t.Fatalf("obtaining certificate: %v", err)
	}
	verifyChain(t, chain, e.ca.IssuerRoots(), "a.pbx.test")
	if got := chain[0].DNSNames; !slices.Equal(got, []string{"a.pbx.test"}) {
		t.Errorf("SAN = %q, want [a.pbx.test]", got)
	}
	if got := e.resp.hitCount(); got == 0 {
		t.Error("Pebble never fetched the challenge from the responder")
	}

	if got := e.ca.NewOrders(); got != 1 {
		t.Fatalf("NewOrders() = %d, want 1", got)
	}
	o := e.ca.Orders()[0]
	if !slices.Equal(o.Identifiers, []string{"a.pbx.test"}) || o.Replaces != "" {
		t.Errorf("Orders()[0] = %+v, want identifiers [a.pbx.test] and no replaces", o)
	}
	if o.Time.Before(start) || o.Time.After(time.Now()) {
		t.Errorf("Orders()[0].Time = %v, not during the test", o.Time)
	}
}

func TestValidity(t *testing.T) {
	t.Parallel()
	e := setup(t, true, time.Hour)
	chain, err := e.obtain(t, []string{"short.pbx.test"}, nil)
	if err != nil {
		t.Fatalf("obtaining certificate: %v", err)
	}
	// Pebble makes NotAfter one second short of NotBefore + validity.
	if got := chain[0].NotAfter.Sub(chain[0].NotBefore); got < time.Hour-2*time.Second || got > time.Hour {
		t.Errorf("lifetime = %v, want about 1h", got)
	}
}

// TestUnansweredChallenge also proves that Start overrides
// PEBBLE_VA_ALWAYS_VALID: t.Setenv keeps it from running in parallel.
func TestUnansweredChallenge(t *testing.T) {
	t.Setenv("PEBBLE_VA_ALWAYS_VALID", "1")
	e := setup(t, false, 0)
	_, err := e.obtain(t, []string{"nobody.pbx.test"}, nil)
	if err == nil {
		t.Fatal("obtained a certificate for a challenge nobody answered")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the order did not fail in time: %v", err)
	}
	t.Logf("order failed as it should: %v", err)
	var problem acme.Problem
	if !errors.As(err, &problem) || problem.Type != acme.ProblemTypeUnauthorized {
		t.Errorf("error %v: want an unauthorized problem", err)
	}
	if !strings.Contains(err.Error(), "404") {
		t.Errorf("error %q does not mention the HTTP status 404", err)
	}
	if got := e.ca.NewOrders(); got != 1 {
		t.Errorf("NewOrders() = %d, want 1 (no retry without another solver)", got)
	}
	if got := os.Getenv("PEBBLE_VA_ALWAYS_VALID"); got != "1" {
		t.Errorf("PEBBLE_VA_ALWAYS_VALID = %q after Start, want it restored to 1", got)
	}
}

func TestEnvironmentRestored(t *testing.T) {
	names := []string{"PEBBLE_VA_NOSLEEP", "PEBBLE_VA_ALWAYS_VALID", "PEBBLE_WFE_NONCEREJECT", "PEBBLE_AUTHZREUSE"}
	before := map[string]string{}
	for _, n := range names {
		if v, ok := os.LookupEnv(n); ok {
			before[n] = v
		}
	}
	acmetest.Start(t, acmetest.Options{HTTPPort: 1})
	for _, n := range names {
		v, ok := os.LookupEnv(n)
		if w, had := before[n]; ok != had || v != w {
			t.Errorf("%s = %q (set %t) after Start, want %q (set %t)", n, v, ok, w, had)
		}
	}
}

func TestParallelCAs(t *testing.T) {
	t.Parallel()
	type result struct {
		chain []*x509.Certificate
		roots *x509.CertPool
	}
	names := []string{"one.pbx.test", "two.pbx.test"}
	results := make([]result, len(names))
	t.Run("group", func(t *testing.T) {
		for i, name := range names {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := setup(t, true, 0)
				chain, err := e.obtain(t, []string{name}, nil)
				if err != nil {
					t.Fatalf("obtaining certificate: %v", err)
				}
				if got := e.ca.NewOrders(); got != 1 {
					t.Errorf("NewOrders() = %d, want 1", got)
				}
				if o := e.ca.Orders(); len(o) != 1 || !slices.Equal(o[0].Identifiers, []string{name}) {
					t.Errorf("Orders() = %+v, want one for %s", o, name)
				}
				results[i] = result{chain, e.ca.IssuerRoots()}
			})
		}
	})
	if t.Failed() {
		return
	}
	verifyChain(t, results[0].chain, results[0].roots, names[0])
	verifyChain(t, results[1].chain, results[1].roots, names[1])
	// Each CA has its own roots: a chain of one does not verify under the
	// other.
	leaf, inter := results[0].chain[0], results[0].chain[1:]
	if _, err := leaf.Verify(verifyOptions(inter, results[1].roots, names[0])); err == nil {
		t.Error("a certificate of the first CA verifies under the roots of the second")
	}
}

func TestRenewalInfo(t *testing.T) {
	t.Parallel()
	e := setup(t, true, time.Hour)
	ctx := t.Context()
	chain, err := e.obtain(t, []string{"ari.pbx.test"}, nil)
	if err != nil {
		t.Fatalf("obtaining certificate: %v", err)
	}
	leaf := chain[0]

	// Pebble's own window: two thirds in, ±24 h, clamped to the
	// lifetime; for one hour, the whole of it.
	ari, err := e.client.GetRenewalInfo(ctx, leaf)
	if err != nil {
		t.Fatalf("GetRenewalInfo: %v", err)
	}
	w := ari.SuggestedWindow
	if !w.Start.Equal(leaf.NotBefore.Truncate(time.Millisecond)) || !w.End.Equal(leaf.NotAfter.Truncate(time.Millisecond)) {
		t.Errorf("window = [%v, %v], want the lifetime [%v, %v]", w.Start, w.End, leaf.NotBefore, leaf.NotAfter)
	}
	if ari.RetryAfter == nil || ari.RetryAfter.Before(time.Now().Add(5*time.Hour)) {
		t.Errorf("RetryAfter = %v, want about 6h from now", ari.RetryAfter)
	}

	start := time.Now().Add(-time.Minute).Truncate(time.Second)
	end := start.Add(2 * time.Minute)
	e.ca.SetRenewalWindow(t, leaf, start, end)
	ari, err = e.client.GetRenewalInfo(ctx, leaf)
	if err != nil {
		t.Fatalf("GetRenewalInfo after SetRenewalWindow: %v", err)
	}
	if w := ari.SuggestedWindow; !w.Start.Equal(start) || !w.End.Equal(end) {
		t.Errorf("window = [%v, %v], want [%v, %v]", w.Start, w.End, start, end)
	}

	// A renewal that says what it replaces is recorded with its ARI ID.
	if _, err := e.obtain(t, []string{"ari.pbx.test"}, leaf); err != nil {
		t.Fatalf("renewing: %v", err)
	}
	certID, err := acme.ARIUniqueIdentifier(leaf)
	if err != nil {
		t.Fatal(err)
	}
	orders := e.ca.Orders()
	if len(orders) != 2 || orders[1].Replaces != certID {
		t.Errorf("Orders() = %+v, want a second order replacing %s", orders, certID)
	}
}

func TestWriteTLSRoots(t *testing.T) {
	t.Parallel()
	ca := acmetest.Start(t, acmetest.Options{HTTPPort: 1})
	path := ca.WriteTLSRoots(t)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ca.TLSRootsPEM()) {
		t.Fatalf("%s holds %q, want TLSRootsPEM", path, got)
	}
	if !strings.HasPrefix(ca.DirectoryURL(), "https://127.0.0.1:") || !strings.HasSuffix(ca.DirectoryURL(), "/dir") {
		t.Errorf("DirectoryURL() = %q, want https://127.0.0.1:PORT/dir", ca.DirectoryURL())
	}

	for _, tc := range []struct {
		name    string
		roots   []byte
		wantErr bool
	}{
		{"ok/tls-roots", got, false},
		{"fail/no-roots", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := httpClient(t, tc.roots)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ca.DirectoryURL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("User-Agent", "acmetest_test")
			res, err := client.Do(req)
			if tc.wantErr {
				var unknown x509.UnknownAuthorityError
				if !errors.As(err, &unknown) {
					t.Errorf("GET %s: %v, want an unknown authority error", ca.DirectoryURL(), err)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET %s: %v", ca.DirectoryURL(), err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("GET %s: status %d", ca.DirectoryURL(), res.StatusCode)
			}
		})
	}
}

// responder serves the key authorizations an acmez.Solver presents, as
// pbxgate's plain listener does for HTTP-01; or answers 404 to everything.
type responder struct {
	port   int
	answer bool

	mu       sync.Mutex
	keyAuths map[string]string
	hits     int
}

func startResponder(t *testing.T, answer bool) *responder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &responder{
		port:     l.Addr().(*net.TCPAddr).Port,
		answer:   answer,
		keyAuths: map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/acme-challenge/{token}", r.serve)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return r
}

func (r *responder) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.hits++
	keyAuth, ok := r.keyAuths[req.PathValue("token")]
	r.mu.Unlock()
	if !ok || !r.answer {
		http.NotFound(w, req)
		return
	}
	_, _ = w.Write([]byte(keyAuth))
}

func (r *responder) hitCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits
}

// Present implements acmez.Solver.
func (r *responder) Present(_ context.Context, chal acme.Challenge) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keyAuths[chal.Token] = chal.KeyAuthorization
	return nil
}

// CleanUp implements acmez.Solver.
func (r *responder) CleanUp(_ context.Context, chal acme.Challenge) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.keyAuths, chal.Token)
	return nil
}

// newClient returns an acmez client of ca that trusts its TLS roots and
// solves HTTP-01 with solver.
func newClient(t *testing.T, ca *acmetest.CA, solver acmez.Solver) *acmez.Client {
	t.Helper()
	return &acmez.Client{
		Client: &acme.Client{
			Directory:    ca.DirectoryURL(),
			HTTPClient:   httpClient(t, ca.TLSRootsPEM()),
			UserAgent:    "pbxgate-acmetest",
			PollInterval: 50 * time.Millisecond,
			PollTimeout:  10 * time.Second,
		},
		ChallengeSolvers: map[string]acmez.Solver{acme.ChallengeTypeHTTP01: solver},
	}
}

// httpClient returns an HTTP client that trusts only rootsPEM.
func httpClient(t *testing.T, rootsPEM []byte) *http.Client {
	t.Helper()
	roots := x509.NewCertPool()
	if rootsPEM != nil && !roots.AppendCertsFromPEM(rootsPEM) {
		t.Fatal("no certificate in the TLS roots PEM")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func newAccount(t *testing.T, client *acmez.Client) acme.Account {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	account, err := client.NewAccount(t.Context(), acme.Account{
		Contact:              []string{"mailto:admin@pbx.test"},
		TermsOfServiceAgreed: true,
		PrivateKey:           key,
	})
	if err != nil {
		t.Fatalf("new account: %v", err)
	}
	return account
}

func parseChain(t *testing.T, chainPEM []byte) []*x509.Certificate {
	t.Helper()
	var chain []*x509.Certificate
	for rest := chainPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	if len(chain) < 2 {
		t.Fatalf("chain has %d certificates, want leaf and intermediate", len(chain))
	}
	return chain
}

func verifyChain(t *testing.T, chain []*x509.Certificate, roots *x509.CertPool, name string) {
	t.Helper()
	if _, err := chain[0].Verify(verifyOptions(chain[1:], roots, name)); err != nil {
		t.Errorf("verifying the chain for %s: %v", name, err)
	}
}

func verifyOptions(intermediates []*x509.Certificate, roots *x509.CertPool, name string) x509.VerifyOptions {
	pool := x509.NewCertPool()
	for _, c := range intermediates {
		pool.AddCert(c)
	}
	return x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: pool}
}

// logWriter sends Pebble's log to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
