package daemon

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbxgate/pbxgate/internal/alarm"
	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/guard"
	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/store"
)

// AlarmProvisioningScan is the system_state alarm of a sweep of one
// vendor's MAC range from many sources.
const AlarmProvisioningScan = "provisioning_scan"

// guardPoll is how often a node expires bans, reads the bans of the
// others, and refreshes the sweep alarms.
const guardPoll = time.Second

// guardState is the daemon's side of the guard: the engine (nil when the
// guard is off), its log file, and what was last read from the store.
type guardState struct {
	mu      sync.Mutex // guards log, rev, scans
	log     io.WriteCloser
	logPath string
	rev     int64
	scans   map[string]bool

	bans   *prometheus.CounterVec
	active prometheus.GaugeFunc
}

// guardConfig turns the configuration into the engine's.
func guardConfig(c *config.Guard, now func() time.Time) (guard.Config, error) {
	policy := func(o config.GuardOverride, base guard.Policy) guard.Policy {
		p := base
		if o.MaxRetry != nil {
			p.MaxRetry = *o.MaxRetry
		}
		if o.FindTime != nil {
			p.FindTime = o.FindTime.Std()
		}
		if o.BanTime != nil {
			p.BanTime = o.BanTime.Std()
		}
		if o.BanFactor != nil {
			p.BanFactor = *o.BanFactor
		}
		if o.BanMax != nil {
			p.BanMax = o.BanMax.Std()
		}
		if o.UnknownMACMax != nil {
			p.UnknownMACMax = *o.UnknownMACMax
		}
		return p
	}
	def := guard.Policy{
		MaxRetry: c.MaxRetry, FindTime: c.FindTime.Std(), BanTime: c.BanTime.Std(),
		BanFactor: c.BanFactor, BanMax: c.BanMax.Std(), UnknownMACMax: c.UnknownMACMax,
	}
	gc := guard.Config{
		Default:  def,
		Contexts: map[string]guard.Policy{},
		Sweep: guard.SweepPolicy{
			Sources: c.Sweep.Sources, Window: c.Sweep.Window.Std(), TightMax: c.Sweep.TightMax, Hold: c.Sweep.Hold.Std(),
		},
		Now: now,
	}
	for name, o := range c.Contexts {
		gc.Contexts[name] = policy(o, def)
	}
	for _, e := range c.Allowlist {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			a, aerr := netip.ParseAddr(e)
			if aerr != nil {
				return guard.Config{}, fmt.Errorf("guard.allowlist: %q: %w", e, aerr)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		gc.Allowlist = append(gc.Allowlist, p.Masked())
	}
	return gc, gc.Validate()
}

// buildGuard makes the engine of cfg (nil when the guard is off), keeping
// the bans of the one it replaces.
func (d *Daemon) buildGuard(cfg *config.Config) (*guard.Guard, error) {
	if !cfg.Guard.Enabled {
		return nil, nil
	}
	gc, err := guardConfig(&cfg.Guard, d.now)
	if err != nil {
		return nil, err
	}
	g, err := guard.New(gc)
	if err != nil {
		return nil, err
	}
	if old := d.guard.Load(); old != nil {
		g.Restore(old.Bans())
	}
	return g, nil
}

// startGuard registers the guard's metrics; build makes the guard of each
// configuration and install puts it in service.
func (d *Daemon) startGuard() {
	d.gs.scans = map[string]bool{}
	d.gs.bans = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pbxgate_guard_bans_total", Help: "Bans made by the guard, by context of the event that made them (and \"manual\").",
	}, []string{"context"})
	d.gs.active = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pbxgate_guard_banned", Help: "Addresses banned now.",
	}, func() float64 {
		if g := d.guard.Load(); g != nil {
			return float64(len(g.Bans()))
		}
		return 0
	})
	d.reg.MustRegister(d.gs.bans, d.gs.active)
}

// openGuardLog opens (or, after a change of guard.log_file, reopens) the
// guard's log file.
func (d *Daemon) openGuardLog(cfg *config.Config) error {
	path := cfg.Guard.LogFile
	if path != "" && !filepath.IsAbs(path) {
		path = filepath.Join(cfg.DataDir, path)
	}
	d.gs.mu.Lock()
	defer d.gs.mu.Unlock()
	if path == d.gs.logPath {
		return nil
	}
	var f *os.File
	if path != "" {
		var err error
		if f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err != nil {
			return fmt.Errorf("guard.log_file: %w", err)
		}
	}
	if d.gs.log != nil {
		_ = d.gs.log.Close()
	}
	d.gs.log, d.gs.logPath = nil, path
	if f != nil {
		d.gs.log = f
	}
	return nil
}

// guardLine writes one line to the guard's log file.
func (d *Daemon) guardLine(t time.Time, format string, args ...any) {
	d.gs.mu.Lock()
	defer d.gs.mu.Unlock()
	if d.gs.log == nil {
		return
	}
	line := t.UTC().Format("2006-01-02T15:04:05.000Z") + " pbxgate-guard: " + fmt.Sprintf(format, args...) + "\n"
	if _, err := io.WriteString(d.gs.log, line); err != nil {
		d.log.Warn("write the guard log", "err", err)
	}
}

// observe feeds a security event to the guard; a ban it makes is
// persisted for the other nodes and for restarts.
func (d *Daemon) observe(e event.Event) {
	g := d.guard.Load()
	if g == nil {
		return
	}
	dec := g.Observe(e)
	d.guardLine(e.Time, "event=%s context=%s ip=%s user=%q target=%q score=%d", e.Kind, e.Context, e.RemoteIP, e.User, e.Target, dec.Score)
	if !dec.Banned {
		return
	}
	d.gs.bans.WithLabelValues(e.Context).Inc()
	d.recordBan(dec.Ban)
}

// recordBan logs a ban and writes it to the store.
func (d *Daemon) recordBan(b guard.Ban) {
	d.guardLine(b.Since, "ban ip=%s until=%s duration=%s count=%d reason=%q", b.IP, b.Until.UTC().Format(time.RFC3339), b.Until.Sub(b.Since), b.Count, b.Reason)
	d.log.Warn("banned", "component", "guard", "remote_ip", b.IP.String(), "until", b.Until.UTC(), "count", b.Count, "reason", b.Reason)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.store.PutBan(ctx, store.Ban{IP: b.IP.String(), Since: b.Since, Until: b.Until, Reason: b.Reason, Count: b.Count, Manual: b.Manual, Node: d.node}); err != nil {
		d.log.Error("store a ban", "component", "guard", "remote_ip", b.IP.String(), "err", err)
	}
}

// banned reports whether ip is banned now.
func (d *Daemon) banned(ip netip.Addr) bool {
	g := d.guard.Load()
	if g == nil {
		return false
	}
	_, ok := g.Banned(ip)
	return ok
}

// deviceAuth tells the guard that a source authenticated a device.
func (d *Daemon) deviceAuth(ip netip.Addr, user string, mac model.MAC) {
	if g := d.guard.Load(); g != nil {
		g.Success(ip, config.Provisioning, user, mac.String(), d.now())
	}
}

// readBans loads the bans of the store into the guard when they changed
// since the last read: bans of the other nodes are added, and bans the
// store no longer has (unbanned elsewhere, or by the command line) are
// lifted, unless they are younger than the read (not yet written).
func (d *Daemon) readBans(ctx context.Context) error {
	g := d.guard.Load()
	rev, err := d.store.BansRevision(ctx)
	if err != nil {
		return err
	}
	d.gs.mu.Lock()
	same := rev == d.gs.rev
	d.gs.mu.Unlock()
	if same || g == nil {
		return nil
	}
	readAt := d.now()
	rows, err := d.store.Bans(ctx, readAt)
	if err != nil {
		return err
	}
	in := make(map[netip.Addr]bool, len(rows))
	bans := make([]guard.Ban, 0, len(rows))
	for _, r := range rows {
		ip, err := netip.ParseAddr(r.IP)
		if err != nil {
			continue
		}
		in[ip] = true
		bans = append(bans, guard.Ban{IP: ip, Since: r.Since, Until: r.Until, Reason: r.Reason, Count: r.Count, Manual: r.Manual})
	}
	g.Restore(bans)
	for _, b := range g.Bans() {
		if !in[b.IP] && b.Since.Before(readAt.Add(-guardPoll)) {
			g.Unban(b.IP)
			d.guardLine(readAt, "unban ip=%s reason=%q", b.IP, "lifted on another node or by an operator")
		}
	}
	d.gs.mu.Lock()
	d.gs.rev = rev
	d.gs.mu.Unlock()
	return nil
}

// runGuard expires bans, follows the store and keeps the sweep alarms,
// until ctx ends.
func (d *Daemon) runGuard(ctx context.Context) {
	t := time.NewTicker(guardPoll)
	defer t.Stop()
	lastPrune := d.now()
	for {
		select {
		case <-ctx.Done():
			d.gs.mu.Lock()
			if d.gs.log != nil {
				_ = d.gs.log.Close()
				d.gs.log = nil
			}
			d.gs.mu.Unlock()
			return
		case <-t.C:
		}
		if g := d.guard.Load(); g != nil {
			g.Expire()
		}
		if err := d.readBans(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("read the bans", "component", "guard", "err", err)
		}
		d.syncScanAlarms()
		if now := d.now(); now.Sub(lastPrune) > time.Hour {
			lastPrune = now
			if _, err := d.store.PruneBans(ctx, now.Add(-time.Hour)); err != nil && ctx.Err() == nil {
				d.log.Warn("prune the bans", "component", "guard", "err", err)
			}
		}
	}
}

// syncScanAlarms raises provisioning_scan for every OUI being swept and
// clears it for the others.
func (d *Daemon) syncScanAlarms() {
	g := d.guard.Load()
	want := map[string]bool{}
	if g != nil {
		for _, s := range g.Sweeps() {
			if !s.Active {
				continue
			}
			want[s.OUI] = true
			d.alarms.Raise(AlarmProvisioningScan, s.OUI, fmt.Sprintf(
				"%d sources asked for unknown MACs of the OUI %s since %s (last at %s): the unknown-MAC budget of that OUI is tightened",
				s.Sources, s.OUI, s.Since.UTC().Format(time.RFC3339), s.Last.UTC().Format(time.RFC3339)), alarm.Warning)
		}
	}
	d.gs.mu.Lock()
	defer d.gs.mu.Unlock()
	for oui := range d.gs.scans {
		if !want[oui] {
			d.alarms.Clear(AlarmProvisioningScan, oui)
		}
	}
	d.gs.scans = want
}

// bansAPI is the guard's bans as the API changes them.
type bansAPI struct{ d *Daemon }

func (b bansAPI) List(ctx context.Context) ([]api.BanView, error) {
	var out []api.BanView
	if g := b.d.guard.Load(); g != nil {
		for _, x := range g.Bans() {
			out = append(out, banView(x))
		}
		return out, nil
	}
	rows, err := b.d.store.Bans(ctx, b.d.now())
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out = append(out, api.BanView{IP: r.IP, Since: r.Since, Until: r.Until, Reason: r.Reason, Count: r.Count, Manual: r.Manual})
	}
	return out, nil
}

func (b bansAPI) Add(ctx context.Context, ip netip.Addr, dur time.Duration, reason string) (api.BanView, error) {
	g := b.d.guard.Load()
	if g == nil {
		now := b.d.now()
		x := guard.Ban{IP: ip, Since: now, Until: now.Add(dur), Reason: reason, Count: 1, Manual: true}
		b.d.recordBan(x)
		return banView(x), nil
	}
	x, err := g.Ban(ip, dur, reason)
	if err != nil {
		return api.BanView{}, fmt.Errorf("%w: %w", api.ErrAllowlisted, err)
	}
	b.d.gs.bans.WithLabelValues("manual").Inc()
	b.d.recordBan(x)
	return banView(x), nil
}

func (b bansAPI) Remove(ctx context.Context, ip netip.Addr) (bool, error) {
	inGuard := false
	if g := b.d.guard.Load(); g != nil {
		inGuard = g.Unban(ip)
	}
	inStore, err := b.d.store.DeleteBan(ctx, ip.String())
	if err != nil {
		return false, err
	}
	if inGuard || inStore {
		b.d.guardLine(b.d.now(), "unban ip=%s reason=%q", ip, "lifted by an operator")
	}
	return inGuard || inStore, nil
}

func banView(b guard.Ban) api.BanView {
	return api.BanView{IP: b.IP.String(), Since: b.Since.UTC(), Until: b.Until.UTC(), Reason: b.Reason, Count: b.Count, Manual: b.Manual}
}
