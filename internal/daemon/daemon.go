// Package daemon is pbxgate's composition root: the only package that wires
// the store, the listeners, the gateway and its services together, and the
// owner of the process lifecycle (start, reload, shutdown).
//
// # Reload
//
// [Daemon.Reload] (SIGHUP, a change of the configuration file, `pbxgate
// reload`) reads and validates the configuration in full and builds a new
// gateway snapshot and the listeners' certificates before anything changes;
// only then are they swapped in, atomically, and the old snapshot is retired
// once its requests are done. Listeners carry over: their sockets are never
// closed by a reload. A configuration that fails at any step changes nothing:
// the old one keeps serving, the error is logged in one line, counted, and
// raised as the system_state alarm config_reload_failed. Settings that cannot
// change while running (data_dir, database, the listeners' names, addresses
// and tls, log.format) are refused by name.
package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/alarm"
	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/ctl"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/gateway"
	"github.com/pbxgate/pbxgate/internal/guard"
	"github.com/pbxgate/pbxgate/internal/listen"
	"github.com/pbxgate/pbxgate/internal/provision"
	"github.com/pbxgate/pbxgate/internal/realm"
	"github.com/pbxgate/pbxgate/internal/sessions"
	"github.com/pbxgate/pbxgate/internal/sni"
	"github.com/pbxgate/pbxgate/internal/store"
	"github.com/pbxgate/pbxgate/internal/webui"
)

// Options are what the command line tells the daemon.
type Options struct {
	// ConfigPath is the YAML file or security.xml; "" runs on the embedded
	// defaults.
	ConfigPath string
	// DataDir, when set, overrides data_dir of the configuration.
	DataDir string
	// Log is the logger; its level follows log.level of the configuration
	// when LogLevel is given.
	Log      *slog.Logger
	LogLevel *slog.LevelVar
	// Console receives the one-time notice with the generated admin
	// password (standard error of `pbxgate serve`).
	Console io.Writer
	Version string
	// Watch reloads when the configuration file changes.
	Watch bool
	// Now is the clock (time.Now when nil); tests move it forward to make
	// certificates due.
	Now func() time.Time
}

// Daemon is one running pbxgate.
type Daemon struct {
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	started time.Time
	node    string

	reg      *prometheus.Registry
	metrics  *metrics
	alarms   *alarm.Set
	sessions *sessions.Registry
	gw       *gateway.Gateway
	services gateway.Services
	nonces   sync.Map // context name → *realm.Nonces

	reloadMu   sync.Mutex
	cfg        atomic.Pointer[config.Config]
	generation atomic.Int64
	loadedAt   atomic.Pointer[time.Time]
	adminPW    string
	// checkOnly builds without touching the data directory (config check).
	checkOnly bool

	store     *store.DB
	domains   atomic.Pointer[domains.Service]
	table     *sni.Table
	certs     *certMonitor
	defCert   atomic.Pointer[tls.Certificate]
	listeners []*boundListener
	ctl       *ctl.Server

	prov       *provision.Service
	provServer *provision.Server

	guard atomic.Pointer[guard.Guard]
	gs    guardState

	acme          *acme.Manager
	acmeResponder *acme.Responder
	acmeAlarmsMu  sync.Mutex
	acmeAlarms    map[[2]string]bool // raised: kind, domain
	watcher       io.Closer
	stop          context.CancelFunc

	shutdownOnce sync.Once
	shutdownErr  error
	// connCtx is the base context of every connection; endConns cancels
	// it at shutdown, which ends hijacked (WebSocket) connections.
	connCtx  context.Context
	endConns context.CancelFunc
	wg       sync.WaitGroup
}

type boundListener struct {
	l        *listen.Listener
	resolver *sni.Resolver // nil on plain listeners
	srv      *http.Server
}

// New reads and validates the configuration. It binds nothing.
func New(opts Options) (*Daemon, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Console == nil {
		opts.Console = io.Discard
	}
	d := &Daemon{
		opts:     opts,
		log:      opts.Log,
		now:      time.Now,
		alarms:   alarm.NewSet(nil),
		sessions: sessions.New(nil),
		reg:      prometheus.NewRegistry(),
	}
	if opts.Now != nil {
		d.now = opts.Now
	}
	cfg, err := LoadConfig(opts.ConfigPath, opts.DataDir)
	if err != nil {
		return nil, err
	}
	d.cfg.Store(cfg)
	d.applyLogLevel(cfg)
	return d, nil
}

// loadConfig reads the configuration the daemon was started with, without
// validating it: build validates and compiles it in one pass, so that every
// error is reported at once.
func (d *Daemon) loadConfig() (*config.Config, error) {
	return loadRaw(d.opts.ConfigPath, d.opts.DataDir)
}

// loadRaw reads path ("" for the embedded defaults) and applies a data
// directory override.
func loadRaw(path, dataDir string) (*config.Config, error) {
	cfg := config.Default()
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			return nil, err
		}
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	return cfg, nil
}

// LoadConfig reads path ("" for the embedded defaults), applies a data
// directory override, and validates. Every command that reads local state
// goes through it.
func LoadConfig(path, dataDir string) (*config.Config, error) {
	cfg, err := loadRaw(path, dataDir)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Config returns the configuration being served.
func (d *Daemon) Config() *config.Config { return d.cfg.Load() }

// Start opens the store, makes what a first start needs, binds the
// listeners and starts serving.
func (d *Daemon) Start(ctx context.Context) (err error) {
	ctx, d.stop = context.WithCancel(ctx)
	d.connCtx, d.endConns = context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		if err != nil {
			_ = d.Shutdown(context.Background())
		}
	}()
	cfg := d.cfg.Load()
	d.started = d.now()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if d.node, err = nodeID(cfg.DataDir); err != nil {
		return err
	}
	pw, created, err := adminPassword(cfg.DataDir)
	if err != nil {
		return err
	}
	d.adminPW = pw
	if created {
		fmt.Fprintf(d.opts.Console, "pbxgate: first start: user %q, password %s (kept in %s/%s)\n",
			AdminUser, pw, cfg.DataDir, AdminPasswordFile)
	}
	if d.store, err = store.Open(ctx, cfg.Database, cfg.DataDir, d.log); err != nil {
		return err
	}
	if err := d.useMaster(ctx, cfg.MasterDomain); err != nil {
		return err
	}
	d.table = sni.NewTable()

	d.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d.metrics = newMetrics(d.reg)
	d.certs = newCertMonitor(d.reg)
	lm := listen.NewMetrics(d.reg)
	events := d.eventSink()
	d.gw = gateway.New(gateway.NewMetrics(d.reg), events)
	d.gw.Banned = d.banned
	d.startGuard()
	if err := d.startProvisioning(ctx, cfg, events); err != nil {
		return err
	}
	d.services = gateway.Services{
		API: d.apiHandler(), Admin: webui.Handler(), Metrics: promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{}),
		Provisioning: d.provServer,
		Nonces:       d.nonceTable, Events: events, Log: d.log,
	}
	d.gw.Session = func(r *http.Request) *sessions.Session {
		c, _ := r.Context().Value(connKey{}).(net.Conn)
		return sessions.FromConn(c)
	}

	for _, lc := range cfg.Listeners {
		bl := &boundListener{}
		if lc.TLS {
			bl.resolver = sni.NewResolver(d.table)
		}
		opts := listen.Options{Name: lc.Name, Address: lc.Address, Sessions: d.sessions, Metrics: lm, Log: d.log}
		if bl.resolver != nil {
			opts.Resolver = bl.resolver
		}
		if bl.l, err = listen.Listen(ctx, opts); err != nil {
			return err
		}
		bl.l.SetAdmitter(listen.AdmitFunc(func(ip netip.Addr) bool { return !d.banned(ip) }))
		if lc.TLS && d.services.HTTPSPort == "" {
			_, d.services.HTTPSPort, _ = net.SplitHostPort(bl.l.Addr().String())
		}
		d.listeners = append(d.listeners, bl)
	}
	built, err := d.build(cfg)
	if err != nil {
		return err
	}
	d.install(cfg, built)
	if err := d.readBans(ctx); err != nil {
		return fmt.Errorf("read the bans: %w", err)
	}
	if err := d.rebuildCertificates(ctx); err != nil {
		return err
	}
	d.startACME(ctx, built.acme)

	d.ctl = ctl.NewServer(cfg.DataDir, map[string]ctl.Handler{
		"reload": func(ctx context.Context, _ []string) (string, error) {
			if err := d.Reload(ctx); err != nil {
				return "", err
			}
			return fmt.Sprintf("configuration generation %d serving", d.generation.Load()), nil
		},
	}, d.log)
	if err := d.ctl.Start(); err != nil {
		return err
	}
	for _, bl := range d.listeners {
		bl.srv = d.httpServer(cfg)
		if !bl.l.TLS() {
			bl.srv.Handler = d.challengeHandler(bl.l.Name(), bl.srv.Handler)
		}
		d.wg.Go(func() {
			if err := bl.srv.Serve(bl.l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error("listener stopped", "listener", bl.l.Name(), "err", err)
			}
		})
		d.log.Info("listening", "listener", bl.l.Name(), "address", bl.l.Addr().String(), "tls", bl.l.TLS())
	}
	d.wg.Go(func() { d.heartbeat(ctx) })
	d.wg.Go(func() { d.watchDomains(ctx) })
	d.wg.Go(func() { d.provServer.Run(ctx, provPoll) })
	d.wg.Go(func() { d.runGuard(ctx) })
	if d.opts.Watch && d.opts.ConfigPath != "" {
		if d.watcher, err = d.watch(ctx); err != nil {
			return err
		}
	}
	return nil
}

type connKey struct{}

func (d *Daemon) httpServer(cfg *config.Config) *http.Server {
	return &http.Server{
		Handler:           d.gw,
		ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout.Std(),
		IdleTimeout:       cfg.HTTP.IdleTimeout.Std(),
		MaxHeaderBytes:    cfg.HTTP.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(d.log.With("component", "http").Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return d.connCtx },
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
}

// useMaster makes the domain tree's rules for master and makes sure the
// master domain exists (re-rooting the tree when master_domain changed).
func (d *Daemon) useMaster(ctx context.Context, master string) error {
	svc := domains.New(domainStore{d.store}, master)
	if err := svc.EnsureMaster(ctx); err != nil {
		return fmt.Errorf("master domain %s: %w", master, err)
	}
	d.domains.Store(svc)
	return nil
}

// defaultCert returns the default certificate being served.
func (d *Daemon) defaultCert() *tls.Certificate { return d.defCert.Load() }

// Addr returns the bound address of the named listener, or nil.
func (d *Daemon) Addr(name string) net.Addr {
	for _, bl := range d.listeners {
		if bl.l.Name() == name {
			return bl.l.Addr()
		}
	}
	return nil
}

// AdminPassword returns the generated admin password.
func (d *Daemon) AdminPassword() string { return d.adminPW }

// Shutdown stops accepting, lets requests in flight finish until ctx ends,
// ends the connections that outlive requests (proxied WebSockets), then
// closes everything.
func (d *Daemon) Shutdown(ctx context.Context) error {
	d.shutdownOnce.Do(func() { d.shutdownErr = d.shutdown(ctx) })
	return d.shutdownErr
}

func (d *Daemon) shutdown(ctx context.Context) error {
	if d.stop != nil {
		d.stop()
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	add := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	if d.watcher != nil {
		add(d.watcher.Close())
	}
	if d.ctl != nil {
		add(d.ctl.Close())
	}
	var wg sync.WaitGroup
	for _, bl := range d.listeners {
		if bl.srv == nil {
			_ = bl.l.Close()
			continue
		}
		wg.Go(func() {
			if err := bl.srv.Shutdown(ctx); err != nil {
				add(fmt.Errorf("listener %s: %w", bl.l.Name(), err))
				_ = bl.srv.Close()
			}
		})
	}
	wg.Wait()
	if d.endConns != nil {
		d.endConns()
	}
	if d.gw != nil {
		if err := d.gw.Wait(ctx); err != nil {
			add(fmt.Errorf("requests still running: %w", err))
		}
	}
	d.wg.Wait()
	if d.gw != nil {
		d.gw.Close()
	}
	if d.store != nil {
		add(d.store.Close())
	}
	return errors.Join(errs...)
}

// nonceTable returns the Digest nonce table of a context, the same one
// across reloads.
func (d *Daemon) nonceTable(context string) *realm.Nonces {
	if n, ok := d.nonces.Load(context); ok {
		return n.(*realm.Nonces)
	}
	n, _ := d.nonces.LoadOrStore(context, realm.NewNonces(realm.NonceOptions{}))
	return n.(*realm.Nonces)
}

// Status tells what the daemon serves: node, version, configuration generation.
func (d *Daemon) Status() api.Status {
	cfg := d.cfg.Load()
	st := api.Status{Node: d.node, Version: d.opts.Version, Started: d.started.UTC()}
	st.Config.Source = cfg.Source
	st.Config.Generation = d.generation.Load()
	if t := d.loadedAt.Load(); t != nil {
		st.Config.LoadedAt = t.UTC()
	}
	return st
}

func (d *Daemon) apiHandler() http.Handler {
	return api.New(api.Deps{
		Status: d.Status, Alarms: d.alarms, Sessions: d.sessions, Nodes: d.nodes,
		Domains: d.domainService, DomainsChanged: d.domainsChanged, TLS: tlsAPI{d},
		ACME: acmeAPI{d}, Provisioning: d.provisioningService, Bans: bansAPI{d},
	})
}
