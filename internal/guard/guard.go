package guard

import (
	"hash/maphash"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gaissmai/bart"

	"github.com/pbxgate/pbxgate/internal/event"
)

// The reasons of a [Decision], and of an automatic [Ban].
const (
	// ReasonAllowlisted: the source is in the allowlist; nothing is counted.
	ReasonAllowlisted = "allowlisted"
	// ReasonInvalidAddress: the event has no valid source; nothing is
	// counted.
	ReasonInvalidAddress = "invalid-address"
	// ReasonBanned: the source is already banned; the event is not counted.
	ReasonBanned = "banned"
	// ReasonNotCounted: the kind weighs 0.
	ReasonNotCounted = "not-counted"
	// ReasonCounted: counted, below the limit.
	ReasonCounted = "counted"
	// ReasonSite: counted per user/MAC of a site, below the limit.
	ReasonSite = "site"
	// ReasonMaxRetry: the source's weighted failures reached MaxRetry.
	ReasonMaxRetry = "max-retry"
	// ReasonUnknownMAC: the source's unknown-MAC probes reached
	// UnknownMACMax.
	ReasonUnknownMAC = "unknown-mac"
	// ReasonSweep: the source probed more unknown MACs of an OUI under a
	// sweep than TightMax.
	ReasonSweep = "sweep"
	// ReasonSiteUsers: the distinct failing users/MACs of a site reached
	// MaxRetry.
	ReasonSiteUsers = "site-users"
	// ReasonManual is the reason of a manual ban given none.
	ReasonManual = "manual"
)

// Decision is what the guard made of one event.
type Decision struct {
	// Banned is true when this event made a ban, which is in Ban.
	Banned bool
	// Ban is the ban made now or, with ReasonBanned, the ban in force.
	Ban Ban
	// Weight is the weight of the event under its policy.
	Weight int
	// Score is the count the event was judged on, after it: the source's
	// weighted failures, its unknown-MAC probes, or for a site the distinct
	// failing users/MACs. It is reset by a ban.
	Score int
	// Reason is one of the Reason constants.
	Reason string
	// Site is true when the source is a site and the event was counted per
	// user/MAC.
	Site bool
	// IdentityScore is, at a site, the weighted failures of the event's
	// user (or MAC) from that source within FindTime.
	IdentityScore int
	// Sweep is true when the event probed an OUI under a sweep.
	Sweep bool
}

// Guard counts security events and bans their sources. It is safe for
// concurrent use: Banned is lock-free, everything else takes one mutex.
type Guard struct {
	cfg      Config
	contexts map[string]*Policy
	allow    bart.Lite
	seed     maphash.Seed
	now      func() time.Time
	v6bits   int
	horizon  int64 // the longest FindTime, in nanoseconds
	// capRetry and capMAC are the window capacities: the largest MaxRetry,
	// and the largest of UnknownMACMax and TightMax+1.
	capRetry, capMAC int

	// snap is the published ban table, read without a lock by Banned;
	// every change under mu replaces it.
	snap atomic.Pointer[bart.Table[*Ban]]

	mu      sync.Mutex
	sources *table[netip.Addr, source]
	sites   *table[netip.Addr, site]
	pairs   *table[pairKey, window]
	users   *table[uint64, window]
	macs    *table[uint64, window]
	ouis    *table[uint32, oui]
	bans    *table[netip.Addr, *Ban]
	history *table[netip.Addr, record]
}

// source is the counters of one source address.
type source struct {
	fails  window // toward MaxRetry (not at a site)
	probes window // toward UnknownMACMax, keyed by MAC
}

func (s *source) reset() { s.fails, s.probes = s.fails[:0], s.probes[:0] }

// site is a source that authenticated successfully.
type site struct {
	until   int64
	failing recent[uint64] // the identities that failed, by last failure
}

// pairKey is one user/MAC (identity) of one site.
type pairKey struct {
	src netip.Addr
	id  uint64
}

// New validates cfg, with its defaults set, and returns a Guard with no
// counters and no bans.
func New(cfg Config) (*Guard, error) {
	c := cfg.withDefaults()
	if err := c.check(); err != nil {
		return nil, err
	}
	g := &Guard{
		cfg:    c,
		seed:   maphash.MakeSeed(),
		now:    c.Now,
		v6bits: c.IPv6Prefix,
		capMAC: c.Sweep.TightMax + 1,
	}
	for _, p := range c.Allowlist {
		g.allow.Insert(normalize(p))
	}
	g.contexts = make(map[string]*Policy, len(c.Contexts))
	for name, p := range c.Contexts {
		g.contexts[name] = &p
	}
	for _, p := range append([]*Policy{&g.cfg.Default}, slices.Collect(maps.Values(g.contexts))...) {
		g.capRetry = max(g.capRetry, p.MaxRetry)
		g.capMAC = max(g.capMAC, p.UnknownMACMax)
		g.horizon = max(g.horizon, int64(p.FindTime))
	}
	g.sources = newTable[netip.Addr, source](c.MaxKeys)
	g.sites = newTable[netip.Addr, site](c.MaxKeys)
	g.pairs = newTable[pairKey, window](c.MaxKeys)
	g.users = newTable[uint64, window](c.MaxKeys)
	g.macs = newTable[uint64, window](c.MaxKeys)
	g.ouis = newTable[uint32, oui](c.Sweep.MaxOUIs)
	g.bans = newTable[netip.Addr, *Ban](c.MaxBans)
	g.history = newTable[netip.Addr, record](c.MaxBans)
	g.snap.Store(new(bart.Table[*Ban]))
	return g, nil
}

// policy returns the policy of a context.
func (g *Guard) policy(context string) *Policy {
	if p, ok := g.contexts[context]; ok {
		return p
	}
	return &g.cfg.Default
}

// weight returns the weight of kind under p.
func (g *Guard) weight(kind event.Kind, p *Policy) int {
	w, ok := g.cfg.Weights[kind]
	switch {
	case !ok:
		return 1
	case w == WeightMaxRetry:
		return p.MaxRetry
	}
	return w
}

// Observe counts one event and bans its source when it goes over a limit of
// the event's policy; the Decision carries the ban made now, if any. See the
// package documentation for the rules. An event without a time is counted
// at the guard's clock.
func (g *Guard) Observe(e event.Event) Decision {
	pol := g.policy(e.Context)
	d := Decision{Weight: g.weight(e.Kind, pol)}
	if !e.RemoteIP.IsValid() {
		d.Reason = ReasonInvalidAddress
		return d
	}
	ip := e.RemoteIP.Unmap().WithZone("")
	if g.allow.Contains(ip) {
		d.Reason = ReasonAllowlisted
		return d
	}
	t := e.Time
	if t.IsZero() {
		t = g.now()
	}
	now := t.UnixNano()
	k := g.key(ip)

	g.mu.Lock()
	defer g.mu.Unlock()
	if b := g.active(k, now); b != nil {
		d.Ban, d.Reason = *b, ReasonBanned
		return d
	}
	if d.Weight == 0 {
		d.Reason = ReasonNotCounted
		return d
	}
	mac, isMAC := parseMAC(e.Target)
	if isMAC {
		g.count(g.macs, mac, now, d.Weight, max(g.capRetry, g.capMAC))
	}
	if e.Kind == event.UnknownMAC {
		return g.probe(d, k, ip, t, pol, mac, isMAC)
	}
	if e.User != "" {
		g.count(g.users, g.hash(e.User), now, d.Weight, max(g.capRetry, g.capMAC))
	}
	since := now - int64(pol.FindTime)
	if d.Weight < pol.MaxRetry {
		if s, ok := g.sites.get(k); ok && s.until > now {
			id := g.identity(e.User, mac, isMAC)
			pair, fresh := g.pairs.upsert(pairKey{k, id}, nil)
			if fresh {
				*pair = (*pair)[:0]
			}
			pair.add(now, d.Weight, 0, g.capRetry, g.horizon)
			s.failing.touch(id, now, g.capRetry, g.horizon)
			d.Site, d.IdentityScore, d.Score = true, pair.sum(since), s.failing.count(since)
			if d.Score >= pol.MaxRetry {
				return g.banNow(d, k, ip, t, pol, ReasonSiteUsers)
			}
			d.Reason = ReasonSite
			return d
		}
	}
	src := g.source(k)
	src.fails.add(now, d.Weight, 0, g.capRetry, g.horizon)
	d.Score = src.fails.sum(since)
	if d.Score >= pol.MaxRetry {
		return g.banNow(d, k, ip, t, pol, ReasonMaxRetry)
	}
	d.Reason = ReasonCounted
	return d
}

// probe counts an unknown-MAC probe. A source's probes count distinct MACs:
// a new phone asks for its own file again and again (without credentials,
// then with them), a scanner asks for new MACs.
func (g *Guard) probe(d Decision, k, ip netip.Addr, t time.Time, pol *Policy, mac uint64, isMAC bool) Decision {
	now := t.UnixNano()
	o := uint32(mac >> 24)
	var key uint64
	if isMAC {
		key = mac + 1
		d.Sweep = g.sweepProbe(o, k, now)
	}
	src := g.source(k)
	src.probes.add(now, d.Weight, key, g.capMAC, g.horizon)
	since := now - int64(pol.FindTime)
	d.Score = src.probes.sum(since)
	if d.Sweep && src.probes.sumOUI(since, o) > g.cfg.Sweep.TightMax {
		return g.banNow(d, k, ip, t, pol, ReasonSweep)
	}
	if d.Score >= pol.UnknownMACMax {
		return g.banNow(d, k, ip, t, pol, ReasonUnknownMAC)
	}
	d.Reason = ReasonCounted
	return d
}

// Success records a successful device or user authentication from ip in a
// context: the source is a site for the SiteTime of the context's policy
// from t (the latest such time counts), and the earlier failures of that
// user (or, without a user, that MAC) from it are forgotten. Success counts
// nothing. Allowlisted and invalid addresses are ignored.
func (g *Guard) Success(ip netip.Addr, context, user, mac string, t time.Time) {
	if !ip.IsValid() {
		return
	}
	ip = ip.Unmap().WithZone("")
	if g.allow.Contains(ip) {
		return
	}
	if t.IsZero() {
		t = g.now()
	}
	until := t.Add(g.policy(context).SiteTime).UnixNano()
	m, isMAC := parseMAC(mac)
	id := g.identity(user, m, isMAC)
	k := g.key(ip)

	g.mu.Lock()
	defer g.mu.Unlock()
	s, fresh := g.sites.upsert(k, nil)
	if fresh {
		*s = site{failing: s.failing[:0]}
	}
	s.until = max(s.until, until)
	s.failing.remove(id)
	g.pairs.del(pairKey{k, id})
}

// source returns the counters of k, created if need be.
func (g *Guard) source(k netip.Addr) *source {
	s, fresh := g.sources.upsert(k, nil)
	if fresh {
		s.reset()
	}
	return s
}

// count adds an event to the window of key in tbl.
func (g *Guard) count(tbl *table[uint64, window], key uint64, now int64, w, capacity int) {
	win, fresh := tbl.upsert(key, nil)
	if fresh {
		*win = (*win)[:0]
	}
	win.add(now, w, 0, capacity, g.horizon)
}

// forget drops the counters of a source, when it is banned or unbanned.
func (g *Guard) forget(k netip.Addr) {
	g.sources.del(k)
	if s, ok := g.sites.peek(k); ok {
		for _, e := range s.failing {
			g.pairs.del(pairKey{k, e.k})
		}
		s.failing = s.failing[:0]
	}
}
