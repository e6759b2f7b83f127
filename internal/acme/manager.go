package acme

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/internal/domains"
)

var (
	// ErrNotInTree refuses an order for a name that is not a domain of the
	// tree.
	ErrNotInTree = errors.New("not a domain of the tree")
	// ErrNotACME refuses an order for a domain that does not ask for one.
	ErrNotACME = errors.New("domain does not ask for ACME")
	// ErrBudget means that the weekly order budget of the domain's
	// registered domain is spent; the order waits.
	ErrBudget = errors.New("weekly order budget spent")
	// ErrBusy means that another node (or command) is ordering for the
	// domain right now.
	ErrBusy = errors.New("an order for the domain is running elsewhere")
)

// Store is the shared storage the client needs: items under "/"-separated
// keys with a version for compare-and-swap, and a lock held across nodes.
type Store interface {
	// Get returns the value and version of key; version 0 (and a nil
	// error) when key does not exist.
	Get(ctx context.Context, key string) (val []byte, version int64, err error)
	// CompareAndSwap writes val if key is at version (0: if it does not
	// exist) and returns the new version; ok is false, and nothing is
	// written, when key is at another version.
	CompareAndSwap(ctx context.Context, key string, version int64, val []byte) (newVersion int64, ok bool, err error)
	// Put writes val whatever is there.
	Put(ctx context.Context, key string, val []byte) error
	// Delete removes key; an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// TryLock takes the lock name unless anyone holds it; ttl bounds how
	// long a lock of a crashed holder lasts where the store cannot tell.
	TryLock(ctx context.Context, name string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// Domains is the domain tree the client reads and writes certificates to.
type Domains interface {
	List(ctx context.Context) ([]domains.Domain, error)
	Get(ctx context.Context, name string) (domains.Domain, error)
	Update(ctx context.Context, name string, p domains.Patch) (domains.Domain, error)
}

// Config is the client's configuration; a zero Directory turns it off.
type Config struct {
	// Directory is the CA's ACME directory URL.
	Directory string
	// Roots, when not nil, replaces the system roots for the CA's HTTPS.
	Roots *x509.CertPool
	// KeyType is "ecdsa-p256" or "rsa-2048".
	KeyType string
	// RenewRatio is the part of the lifetime after which to renew.
	RenewRatio float64
	// OrdersPerWeek is the order budget per registered domain.
	OrdersPerWeek int
	// CheckInterval is the period of Run's checks.
	CheckInterval time.Duration
}

// Options are the parts a Manager is built from.
type Options struct {
	Store   Store
	Domains Domains
	Log     *slog.Logger
	// Now is the clock (time.Now if nil): tests move it to make
	// certificates due.
	Now func() time.Time
	// OnCheck is called after every check, and after Renew, with changed
	// set when an order ran or a renewal time moved: the daemon re-reads
	// the tree then, and the alarms every time.
	OnCheck func(changed bool)
	// OnOrder is called after every order placed, or refused for the
	// budget, with its outcome: "issued", "failed" or "queued".
	OnOrder func(domain, outcome string)
	// UserAgent names the client to the CA.
	UserAgent string
}

// Manager orders and renews certificates. Its methods are safe for
// concurrent use.
type Manager struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time
	cfg  atomic.Pointer[clientConfig]
	kick chan struct{}
	// running serialises the checks of this process.
	running sync.Mutex
}

// clientConfig is a Config with the HTTP client made for it.
type clientConfig struct {
	Config
	http *http.Client
}

// New returns a Manager with cfg; call Run to start checking.
func New(cfg Config, opts Options) *Manager {
	m := &Manager{opts: opts, log: opts.Log, now: opts.Now, kick: make(chan struct{}, 1)}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.log = m.log.With("component", "acme")
	if m.now == nil {
		m.now = time.Now
	}
	m.SetConfig(cfg)
	return m
}

// SetConfig installs cfg (on reload); the next check uses it.
func (m *Manager) SetConfig(cfg Config) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.TLSClientConfig = &tls.Config{RootCAs: cfg.Roots, MinVersion: tls.VersionTLS12}
	m.cfg.Store(&clientConfig{Config: cfg, http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}})
	m.Kick()
}

func (m *Manager) config() *clientConfig { return m.cfg.Load() }

// Kick asks Run for a check now (the domain tree changed).
func (m *Manager) Kick() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Run checks every domain at once and then every CheckInterval, or when
// kicked, until ctx ends.
func (m *Manager) Run(ctx context.Context) {
	for {
		m.Check(ctx)
		interval := m.config().CheckInterval
		if interval <= 0 {
			interval = time.Minute
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-m.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// Check plans every domain with acme_enabled and orders the certificates
// that are due, one after the other.
func (m *Manager) Check(ctx context.Context) {
	m.running.Lock()
	defer m.running.Unlock()
	changed := false
	defer func() {
		if m.opts.OnCheck != nil && ctx.Err() == nil {
			m.opts.OnCheck(changed)
		}
	}()
	cfg := m.config()
	if cfg.Directory == "" {
		return
	}
	list, err := m.opts.Domains.List(ctx)
	if err != nil {
		m.log.Warn("acme check: cannot read the domain tree", "err", err)
		return
	}
	for _, d := range list {
		if ctx.Err() != nil {
			return
		}
		if !d.ACMEEnabled {
			continue
		}
		var st DomainState
		if _, err := loadJSON(ctx, m.opts.Store, stateKey(d.Name), &st); err != nil {
			m.log.Warn("acme check: cannot read the domain's state", "domain", d.Name, "err", err)
			continue
		}
		dec := Plan(Input{Domain: d, State: st, Configured: true, RenewRatio: cfg.RenewRatio, Now: m.now()})
		if dec.State == StateValid && dec.Leaf != nil {
			if next, moved := m.refreshARI(ctx, cfg, d.Name, dec.Leaf, st); moved {
				changed = true
				dec = Plan(Input{Domain: d, State: next, Configured: true, RenewRatio: cfg.RenewRatio, Now: m.now()})
			}
		}
		if !dec.Order {
			continue
		}
		_, err := m.order(ctx, cfg, d.Name, false)
		switch {
		case errors.Is(err, ErrBusy):
			m.log.Debug("acme order running elsewhere", "domain", d.Name)
		case errors.Is(err, ErrBudget):
			// order logged it.
		case err != nil:
			m.log.Warn("acme order failed", "domain", d.Name, "err", err)
		}
		changed = true
	}
}

// Renew orders a certificate for the domain now, whether or not it is
// due, unless it is not an ACME domain of the tree, holds a manual
// certificate, or its registered domain's budget is spent. It returns the
// domain as written.
func (m *Manager) Renew(ctx context.Context, name string) (domains.Domain, error) {
	cfg := m.config()
	if cfg.Directory == "" {
		return domains.Domain{}, errors.New("acme.directory is not set in the configuration: ACME is off")
	}
	d, err := m.order(ctx, cfg, name, true)
	if m.opts.OnCheck != nil {
		m.opts.OnCheck(true)
	}
	return d, err
}
