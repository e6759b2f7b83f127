// Package gateway puts every PBX service behind its security context.
//
// A [Snapshot] is built from one configuration: for each of the six context
// kinds (DESIGN §1.1) it compiles the [Policy] (IP access rules, SSL, realm
// authentication) and builds the service (API, admin UI, file servers,
// reverse proxy). The [Gateway] serves the current snapshot and swaps it
// atomically on reload; a retired snapshot is closed when its last request
// is done. The middleware only asks the policy and the authenticator; it
// decides nothing itself.
package gateway

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/internal/access"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/realm"
)

// Services are the parts of the gateway that live longer than a snapshot.
type Services struct {
	// API is mounted at /api/ and Metrics at /metrics, both in the
	// communication_manager context.
	API     http.Handler
	Metrics http.Handler
	// Admin is the administrator web UI at /admin/.
	Admin http.Handler
	// Provisioning is the phones' file server at /provision/.
	Provisioning http.Handler
	// Nonces returns the Digest nonce table of a context; the same table is
	// returned across reloads so that clients keep their nonces.
	Nonces func(context string) *realm.Nonces
	Events event.Sink
	Log    *slog.Logger
	// HTTPSPort is the bound port of the first TLS listener, where plain
	// HTTP requests to an ssl context are redirected; "" takes the port
	// from the configuration.
	HTTPSPort string
}

// secContext is one compiled context of a snapshot.
type secContext struct {
	kind    *kind
	scheme  realm.Scheme
	policy  Policy
	auth    *realm.Authenticator
	handler http.Handler
}

// Snapshot is the gateway built from one configuration.
type Snapshot struct {
	contexts    []*secContext
	proxies     *access.Proxies
	readTimeout time.Duration
	httpsPort   string
	// masterDomain names the host of a redirect when the request has none.
	masterDomain string
	warnings     []string
	closers      []io.Closer
	log          *slog.Logger

	// refs counts the gateway's reference plus requests in flight.
	refs atomic.Int64
}

type builder struct {
	cfg  *config.Config
	svc  Services
	errs config.Errors
}

func (b *builder) fail(path, format string, args ...any) {
	b.errs = append(b.errs, b.cfg.Errorf(path, format, args...))
}

// Build compiles cfg into a snapshot. It opens the file servers' roots but
// binds nothing. Every error names the field path and line.
func Build(cfg *config.Config, svc Services) (*Snapshot, error) {
	if svc.Events == nil {
		svc.Events = event.Discard
	}
	if svc.Log == nil {
		svc.Log = slog.New(slog.DiscardHandler)
	}
	if svc.Nonces == nil {
		svc.Nonces = func(string) *realm.Nonces { return nil }
	}
	b := &builder{cfg: cfg, svc: svc}
	s := &Snapshot{readTimeout: cfg.HTTP.ReadTimeout.Std(), masterDomain: cfg.MasterDomain, log: svc.Log.With("component", "gateway")}
	s.refs.Store(1)

	proxies, err := access.NewProxies(cfg.TrustedProxies)
	if err != nil {
		b.entryErrors("trusted_proxies", err)
	}
	s.proxies = proxies
	s.httpsPort = svc.HTTPSPort
	for _, l := range cfg.Listeners {
		if l.TLS && s.httpsPort == "" {
			_, s.httpsPort, _ = net.SplitHostPort(l.Address)
		}
	}
	for i := range kinds {
		k := &kinds[i]
		path := "contexts." + k.name
		c := cfg.Contexts.ByName(k.name)
		sc := &secContext{kind: k, policy: Policy{Enabled: c.Enabled, SSL: c.SSL, API: k.api}}
		if c.IPAccess.Enabled {
			rules, err := access.Compile(c.IPAccess.Whitelist, c.IPAccess.Blacklist)
			if err != nil {
				b.entryErrors(path+".ip_access", err)
			}
			sc.policy.IP = rules
		}
		if c.RealmAuth.Enabled {
			sc.policy.Auth = true
			sc.scheme = realm.Scheme(c.RealmAuth.Scheme)
			if sc.scheme == "" {
				sc.scheme = realm.SchemeAny
			}
			users := make([]realm.User, len(c.RealmAuth.Users))
			for j, u := range c.RealmAuth.Users {
				users[j] = realm.User{Username: u.Username, Password: u.Password}
			}
			a, err := realm.New(realm.Config{
				Realm: c.RealmAuth.Realm, Scheme: realm.Scheme(c.RealmAuth.Scheme),
				Users: users, Nonces: svc.Nonces(k.name),
			})
			if err != nil {
				b.realmErrors(path+".realm_auth", err)
			} else {
				for _, w := range a.Warnings() {
					s.warnings = append(s.warnings, fmt.Sprintf("%s.realm_auth.%s", path, w))
				}
			}
			sc.auth = a
		}
		h, closer := k.build(b, c, path)
		if closer != nil {
			s.closers = append(s.closers, closer)
		}
		sc.handler = h
		s.contexts = append(s.contexts, sc)
	}
	if len(b.errs) > 0 {
		s.close()
		return nil, b.errs
	}
	return s, nil
}

// Warnings lists what is accepted but unwise (plaintext passwords).
func (s *Snapshot) Warnings() []string { return s.warnings }

// acquire takes a reference for a request; it fails once the snapshot is
// retired and drained.
func (s *Snapshot) acquire() bool {
	for {
		n := s.refs.Load()
		if n == 0 {
			return false
		}
		if s.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (s *Snapshot) release() {
	if s.refs.Add(-1) == 0 {
		s.close()
	}
}

func (s *Snapshot) close() {
	for _, c := range s.closers {
		if err := c.Close(); err != nil {
			s.log.Warn("close retired service", "err", err)
		}
	}
}

// Retire drops the gateway's reference: the snapshot closes its services
// once the requests still using it are done. A snapshot that was never
// installed is closed at once.
func (s *Snapshot) Retire() { s.release() }

// contextFor finds the context whose prefix the path falls under.
func (s *Snapshot) contextFor(path string) *secContext {
	if path == "/metrics" {
		return s.byName(config.CommunicationManager)
	}
	for _, c := range s.contexts {
		if strings.HasPrefix(path, c.kind.prefix) {
			return c
		}
	}
	return nil
}

func (s *Snapshot) byName(name string) *secContext {
	for _, c := range s.contexts {
		if c.kind.name == name {
			return c
		}
	}
	return nil
}
