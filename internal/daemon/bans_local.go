package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/store"
)

// LocalBans are the bans in the store of a configuration, for the ban
// commands; a running gateway on the same store follows their changes
// within seconds (it polls the bans' revision).
type LocalBans struct {
	db  *store.DB
	cfg *config.Config
}

// OpenBans opens the store of cfg for the ban commands. Close it when done.
func OpenBans(ctx context.Context, cfg *config.Config, log *slog.Logger) (*LocalBans, error) {
	db, err := store.Open(ctx, cfg.Database, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	return &LocalBans{db: db, cfg: cfg}, nil
}

// Close closes the store.
func (l *LocalBans) Close() error { return l.db.Close() }

// List returns the bans in force.
func (l *LocalBans) List(ctx context.Context) ([]api.BanView, error) {
	rows, err := l.db.Bans(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]api.BanView, 0, len(rows))
	for _, r := range rows {
		out = append(out, api.BanView{IP: r.IP, Since: r.Since, Until: r.Until, Reason: r.Reason, Count: r.Count, Manual: r.Manual})
	}
	return out, nil
}

// Add bans ip for d, unless the guard's allowlist holds it.
func (l *LocalBans) Add(ctx context.Context, ip netip.Addr, d time.Duration, reason string) (api.BanView, error) {
	ip = ip.Unmap()
	for _, e := range l.cfg.Guard.Allowlist {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			if a, aerr := netip.ParseAddr(e); aerr == nil {
				p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
		}
		if p.IsValid() && p.Contains(ip) {
			return api.BanView{}, fmt.Errorf("%w (%s)", api.ErrAllowlisted, e)
		}
	}
	now := time.Now().UTC()
	b := store.Ban{IP: ip.String(), Since: now, Until: now.Add(d), Reason: reason, Count: 1, Manual: true, Node: "command line"}
	if err := l.db.PutBan(ctx, b); err != nil {
		return api.BanView{}, err
	}
	return api.BanView{IP: b.IP, Since: b.Since, Until: b.Until, Reason: b.Reason, Count: b.Count, Manual: true}, nil
}

// Remove lifts the ban of ip; false when there was none.
func (l *LocalBans) Remove(ctx context.Context, ip netip.Addr) (bool, error) {
	return l.db.DeleteBan(ctx, ip.Unmap().String())
}
