package guard

import "net/netip"

// Stats are the sizes of the guard's tables, for metrics and tests. Each
// counter table stays at or below Config.MaxKeys, OUIs at or below
// SweepPolicy.MaxOUIs, bans and history at or below Config.MaxBans.
type Stats struct {
	Sources    int // per-source counters
	Sites      int // sources that authenticated successfully
	Pairs      int // per (site, user/MAC) counters
	Users      int // per-user counters, from any source
	MACs       int // per-MAC counters, from any source
	OUIs       int // OUIs tracked by the sweep detector
	Sweeps     int // OUIs under a sweep now
	Bans       int // bans held, expired ones not yet dropped included
	BanHistory int // sources whose ban count is remembered
}

// Stats returns the sizes of the tables.
func (g *Guard) Stats() Stats {
	now := g.now().UnixNano()
	g.mu.Lock()
	defer g.mu.Unlock()
	st := Stats{
		Sources:    g.sources.len(),
		Sites:      g.sites.len(),
		Pairs:      g.pairs.len(),
		Users:      g.users.len(),
		MACs:       g.macs.len(),
		OUIs:       g.ouis.len(),
		Bans:       g.bans.len(),
		BanHistory: g.history.len(),
	}
	g.ouis.each(func(_ uint32, v *oui) {
		if v.activeAt(now, g.cfg.Sweep.Hold) {
			st.Sweeps++
		}
	})
	return st
}

// Scores are the counts of one source, user and MAC now, within the
// FindTime of the default policy. Like every window, they saturate a little
// above the largest threshold of the configuration.
type Scores struct {
	// Failures is the source's weighted failures outside a site.
	Failures int
	// UnknownMACs is the source's unknown-MAC probes.
	UnknownMACs int
	// Site is true while the source is a site; Failing is then its
	// distinct failing users/MACs and Identity the weighted failures of
	// the user (else the MAC) asked about from it.
	Site     bool
	Failing  int
	Identity int
	// User is the weighted failures naming the user, from any source
	// (unknown-MAC probes are not counted for users).
	User int
	// MAC is the probes and failures aiming at the MAC, from any source.
	MAC int
}

// Scores returns the counts of ip, user and mac (any may be zero or empty).
// It does not change the order of the tables.
func (g *Guard) Scores(ip netip.Addr, user, mac string) Scores {
	now := g.now().UnixNano()
	since := now - int64(g.cfg.Default.FindTime)
	m, isMAC := parseMAC(mac)
	var sc Scores
	g.mu.Lock()
	defer g.mu.Unlock()
	if ip.IsValid() {
		k := g.key(ip.Unmap().WithZone(""))
		if s, ok := g.sources.peek(k); ok {
			sc.Failures, sc.UnknownMACs = s.fails.sum(since), s.probes.sum(since)
		}
		if s, ok := g.sites.peek(k); ok && s.until > now {
			sc.Site, sc.Failing = true, s.failing.count(since)
			if p, ok := g.pairs.peek(pairKey{k, g.identity(user, m, isMAC)}); ok {
				sc.Identity = p.sum(since)
			}
		}
	}
	if user != "" {
		if w, ok := g.users.peek(g.hash(user)); ok {
			sc.User = w.sum(since)
		}
	}
	if isMAC {
		if w, ok := g.macs.peek(m); ok {
			sc.MAC = w.sum(since)
		}
	}
	return sc
}

// Expire drops expired bans, forgotten ban counts, ended sites, sweeps past
// their Hold and counters with nothing left in their window. The daemon
// calls it periodically (every minute is plenty); the answers of the guard
// do not depend on it, only its memory does.
func (g *Guard) Expire() {
	now := g.now().UnixNano()
	stale := now - g.horizon
	g.mu.Lock()
	defer g.mu.Unlock()
	// Counter tables are ordered by last event: stop at the first fresh one.
	g.sources.prune(true, func(_ netip.Addr, s *source) bool {
		return max(s.fails.last(), s.probes.last()) <= stale
	})
	windowStale := func(_ pairKey, w *window) bool { return w.last() <= stale }
	g.pairs.prune(true, windowStale)
	for _, tbl := range []*table[uint64, window]{g.users, g.macs} {
		tbl.prune(true, func(_ uint64, w *window) bool { return w.last() <= stale })
	}
	g.sites.prune(false, func(_ netip.Addr, s *site) bool {
		return s.until <= now && s.failing.last() <= stale
	})
	sp := g.cfg.Sweep
	g.ouis.prune(false, func(_ uint32, v *oui) bool {
		return !v.activeAt(now, sp.Hold) && v.last <= now-int64(sp.Window)
	})
	g.history.prune(false, func(_ netip.Addr, r *record) bool {
		return r.until+int64(g.cfg.BanMemory) <= now
	})
	if g.bans.prune(false, func(_ netip.Addr, b **Ban) bool { return (*b).Until.UnixNano() <= now }) > 0 {
		g.republish()
	}
}
