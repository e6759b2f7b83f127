package daemon

import (
	"context"
	"io"
	"log/slog"

	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/store"
)

// OpenDomains opens the store of cfg for a command that works on local
// state (pbxgate domain …) and returns the domain tree's rules over it. A
// running gateway on the same store sees the changes within seconds (it
// polls the tree's revision). Close the returned closer when done.
func OpenDomains(ctx context.Context, cfg *config.Config, log *slog.Logger) (*domains.Service, io.Closer, error) {
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
