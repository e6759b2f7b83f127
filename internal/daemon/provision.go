package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/provision"
	"github.com/pbxgate/pbxgate/internal/store"
)

// provNamespace is the key/value namespace of the provisioning model.
const provNamespace = "provisioning"

// provStore adapts the store to the Store package provision declares.
type provStore struct {
	db *store.DB
	ns store.Namespace
}

func newProvStore(db *store.DB) provStore {
	return provStore{db: db, ns: db.Namespace(provNamespace)}
}

func (s provStore) Get(ctx context.Context, key string) ([]byte, int64, error) {
	return s.ns.Get(ctx, key)
}

func (s provStore) CompareAndSwap(ctx context.Context, key string, version int64, val []byte) (int64, bool, error) {
	return s.ns.CompareAndSwap(ctx, key, version, val)
}

func (s provStore) Delete(ctx context.Context, key string) error { return s.ns.Delete(ctx, key) }

func (s provStore) List(ctx context.Context, prefix string) ([]provision.Item, error) {
	items, err := s.db.List(ctx, provNamespace, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]provision.Item, len(items))
	for i, it := range items {
		out[i] = provision.Item{Key: it.Key, Value: it.Value, Version: it.Version}
	}
	return out, nil
}

// The revision is the version of one item of its own namespace: every Put
// increments it.
const provRevisionNS, provRevisionKey = "provisioning-revision", "revision"

func (s provStore) Bump(ctx context.Context) (int64, error) {
	return s.db.Put(ctx, provRevisionNS, provRevisionKey, nil)
}

func (s provStore) Revision(ctx context.Context) (int64, error) {
	it, err := s.db.Get(ctx, provRevisionNS, provRevisionKey)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return it.Version, err
}

func (s provStore) RecordFetches(ctx context.Context, fs []provision.StoredFetch) error {
	rows := make([]store.Fetch, len(fs))
	for i, f := range fs {
		rows[i] = store.Fetch{MAC: f.MAC, Time: f.Time, IP: f.IP, UserAgent: f.UserAgent, File: f.File, Result: f.Result, Hash: f.Hash}
	}
	return s.db.RecordFetches(ctx, rows)
}

func (s provStore) Fetches(ctx context.Context, mac string, limit int) ([]provision.Fetch, error) {
	rows, err := s.db.Fetches(ctx, mac, limit)
	if err != nil {
		return nil, err
	}
	out := make([]provision.Fetch, len(rows))
	for i, r := range rows {
		out[i] = provision.Fetch{Time: r.Time, IP: r.IP, UserAgent: r.UserAgent, File: r.File, Result: r.Result, Hash: r.Hash}
	}
	return out, nil
}

func (s provStore) PruneFetches(ctx context.Context, before time.Time) error {
	_, err := s.db.PruneFetches(ctx, before)
	return err
}

// provDomains answers whether a domain exists from the domain tree.
type provDomains struct{ svc func() *domains.Service }

func (p provDomains) Exists(ctx context.Context, name string) (bool, error) {
	_, err := p.svc().Get(ctx, name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, domains.ErrNotFound), errors.Is(err, domains.ErrInvalid):
		return false, nil
	}
	return false, err
}

// provPoll is how often a node looks for provisioning changes made by
// others sharing the store.
const provPoll = time.Second

// startProvisioning loads the provisioning model and makes its file server.
func (d *Daemon) startProvisioning(ctx context.Context, cfg *config.Config, events event.Sink) error {
	d.prov = provision.NewService(provision.Options{
		Store: newProvStore(d.store), Domains: provDomains{d.domainService},
		Master: cfg.MasterDomain, Log: d.log, Now: d.now,
	})
	if err := d.prov.Load(ctx, true); err != nil {
		return err
	}
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pbxgate_provisioning_requests_total", Help: "Requests for phone files by result (ok, not_modified, unauthorized, unknown_mac, not_found, bad_name, error).",
	}, []string{"result"})
	d.reg.MustRegister(requests)
	srv, err := provision.NewServer(provision.ServerOptions{
		Service: d.prov, Events: events, Log: d.log, Now: d.now,
		Nonces:   d.nonceTable(config.Provisioning),
		OnResult: func(r string) { requests.WithLabelValues(r).Inc() },
		OnAuth:   d.deviceAuth,
	})
	if err != nil {
		return fmt.Errorf("provisioning server: %w", err)
	}
	d.provServer = srv
	return nil
}

// provisioningService returns the provisioning model (nil before Start).
func (d *Daemon) provisioningService() *provision.Service { return d.prov }

// OpenProvisioning opens the store of cfg for the provisioning commands
// and returns the provisioning model over it, loaded. Close the returned
// closer when done.
func OpenProvisioning(ctx context.Context, cfg *config.Config, log *slog.Logger) (*provision.Service, io.Closer, error) {
	dsvc, db, err := openLocal(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	svc := provision.NewService(provision.Options{
		Store: newProvStore(db), Domains: provDomains{func() *domains.Service { return dsvc }},
		Master: cfg.MasterDomain, Log: log,
	})
	if err := svc.Load(ctx, true); err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return svc, db, nil
}
