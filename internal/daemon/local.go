package daemon

import (
	"context"
	"io"
	"log/slog"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/store"
)

// OpenDomains opens the store of cfg for a command that works on local
// state (pbxgate domain …) and returns the domain tree's rules over it. A
// running gateway on the same store sees the changes within seconds (it
// polls the tree's revision). Close the returned closer when done.
func OpenDomains(ctx context.Context, cfg *config.Config, log *slog.Logger) (*domains.Service, io.Closer, error) {
	return openLocal(ctx, cfg, log)
}

func openLocal(ctx context.Context, cfg *config.Config, log *slog.Logger) (*domains.Service, *store.DB, error) {
	db, err := store.Open(ctx, cfg.Database, cfg.DataDir, log)
	if err != nil {
		return nil, nil, err
	}
	svc := domains.New(domainStore{db}, cfg.MasterDomain)
	if err := svc.EnsureMaster(ctx); err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return svc, db, nil
}

// OpenACME opens the store of cfg for the acme commands and returns the
// ACME client over it, not started: Status reads the store, Renew orders
// from this process while the running gateways answer the challenge from
// the shared store. Close the returned closer when done.
func OpenACME(ctx context.Context, cfg *config.Config, log *slog.Logger) (*acme.Manager, io.Closer, error) {
	svc, db, err := openLocal(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	acmeCfg, errs := acmeConfig(cfg)
	if len(errs) > 0 {
		_ = db.Close()
		return nil, nil, cfg.Report(errs)
	}
	m := acme.New(acmeCfg, acme.Options{
		Store:     newACMEStore(db),
		Domains:   svc,
		Log:       log,
		UserAgent: "pbxgate-cli",
	})
	return m, db, nil
}
