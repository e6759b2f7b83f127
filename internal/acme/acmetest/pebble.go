package acmetest

import (
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"os"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// pebbleEnv pins the knobs Pebble reads with os.Getenv in va.New and
// wfe.New, whatever the environment of the test run holds.
var pebbleEnv = []struct{ name, value string }{
	// Validate at once, not after a random sleep of up to 5 s.
	{"PEBBLE_VA_NOSLEEP", "1"},
	// Validate for real, even if the developer's shell says otherwise.
	{"PEBBLE_VA_ALWAYS_VALID", "0"},
	// Reject no good nonce (Pebble's default rejects 5% as badNonce).
	{"PEBBLE_WFE_NONCEREJECT", "0"},
	// Never reuse a valid authorization (the default reuses half of
	// them): every order validates its challenges.
	{"PEBBLE_AUTHZREUSE", "0"},
}

// envMu serializes the construction of Pebbles, so that tests running in
// parallel do not see each other's environment changes.
var envMu sync.Mutex

// withPebbleEnv runs fn with the environment set to pebbleEnv, then
// restores it.
func withPebbleEnv(fn func()) error {
	envMu.Lock()
	defer envMu.Unlock()
	var restore []func() error
	defer func() {
		for _, r := range slices.Backward(restore) {
			_ = r() // only fails for an invalid name, which Setenv refused
		}
	}()
	for _, e := range pebbleEnv {
		old, had := os.LookupEnv(e.name)
		if err := os.Setenv(e.name, e.value); err != nil {
			return fmt.Errorf("setting %s: %w", e.name, err)
		}
		restore = append(restore, func() error {
			if had {
				return os.Setenv(e.name, old)
			}
			return os.Unsetenv(e.name)
		})
	}
	fn()
	return nil
}

// pebble is Pebble's CA, VA and WFE wired as its cmd/pebble main does.
type pebble struct {
	db      *db.MemoryStore
	ca      *ca.CAImpl
	va      *va.VAImpl
	handler http.Handler
}

// newPebble builds a Pebble whose VA validates HTTP-01 on httpPort and
// resolves names through the DNS server at dnsAddr (over TCP). validity is
// in seconds, 0 for Pebble's default.
func newPebble(logger *log.Logger, httpPort int, dnsAddr string, validity uint64) (*pebble, error) {
	const (
		// tlsPort is where the VA would dial for TLS-ALPN-01: nothing
		// listens on port 0, so that challenge fails at once.
		tlsPort = 0
		// One root and one intermediate, ECDSA: quick to generate.
		keyAlg         = "ecdsa"
		alternateRoots = 0
		chainLength    = 1
		// No Retry-After on pending authorizations and orders, so clients
		// poll at their own pace (Pebble's sample config sends 3 s and 5 s).
		retryAfterAuthz = 0
		retryAfterOrder = 0
		strict          = false
		requireEAB      = false
	)
	// A single profile: Pebble picks a random profile for an order that
	// names none.
	profiles := map[string]ca.Profile{
		"default": {Description: "acmetest", ValidityPeriod: validity},
	}
	caaIdentities := []string{"pebble.letsencrypt.org"}

	p := &pebble{db: db.NewMemoryStore()}
	err := withPebbleEnv(func() {
		p.ca = ca.New(logger, p.db, "", keyAlg, alternateRoots, chainLength, profiles)
		p.va = va.New(logger, httpPort, tlsPort, strict, dnsAddr, p.db)
		w := wfe.New(logger, p.db, p.va, p.ca, caaIdentities, strict, requireEAB, retryAfterAuthz, retryAfterOrder)
		p.handler = w.Handler()
	})
	if err != nil {
		return nil, fmt.Errorf("starting pebble: %w", err)
	}
	return p, nil
}

// issuerRoots returns a pool of the roots Pebble issues under.
func (p *pebble) issuerRoots() *x509.CertPool {
	pool := x509.NewCertPool()
	for i := range p.ca.GetNumberOfRootCerts() {
		pool.AddCert(p.ca.GetRootCert(i).Cert)
	}
	return pool
}

// stopVA ends the goroutine va.New starts, which ranges over the VA's task
// channel forever: Pebble has no way to stop it, and it would trip goleak
// in every package that starts a CA. It closes the channel, which is safe
// once the HTTPS listener is closed because only a request to it sends a
// task. If a later Pebble renames the field, this does nothing and goleak
// points at va.VAImpl.processTasks.
func (p *pebble) stopVA() {
	f := reflect.ValueOf(p.va).Elem().FieldByName("tasks")
	if !f.IsValid() || f.Kind() != reflect.Chan {
		return
	}
	//nolint:gosec // G103: the field is unexported; test-only code.
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Close()
}
