package guard

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gaissmai/bart"
)

// ErrAllowlisted is returned by [Guard.Ban] for an allowlisted address.
var ErrAllowlisted = errors.New("address is allowlisted")

// Ban is one banned source.
type Ban struct {
	// IP is the address the ban was made for.
	IP netip.Addr
	// Prefix is the range the ban covers: IP/32, or for IPv6 the
	// Config.IPv6Prefix network of IP.
	Prefix netip.Prefix
	// Since and Until bound the ban; it is over at Until.
	Since, Until time.Time
	// Reason is one of the Reason constants, or the reason given to a
	// manual ban.
	Reason string
	// Count says this is the nth ban of the source within BanMemory.
	Count int
	// Manual is true for a ban made by [Guard.Ban].
	Manual bool
}

// record is the ban history of one source: how many bans, and when the last
// one ends.
type record struct {
	count int
	until int64
}

// active returns the ban in force on k at now, or nil.
func (g *Guard) active(k netip.Addr, now int64) *Ban {
	b, ok := g.bans.peek(k)
	if !ok || (*b).Until.UnixNano() <= now {
		return nil
	}
	return *b
}

// next returns the number of the next ban of k: one more than the last,
// while that one is remembered.
func (g *Guard) next(k netip.Addr, now int64) int {
	if r, ok := g.history.peek(k); ok && now < r.until+int64(g.cfg.BanMemory) {
		return r.count + 1
	}
	return 1
}

// Duration returns the length of the nth ban under p: BanTime ×
// BanFactor^(n-1), capped at BanMax.
func (p Policy) Duration(n int) time.Duration {
	d := float64(p.BanTime)
	for i := 1; i < n && p.BanFactor > 1 && d < float64(p.BanMax); i++ {
		d *= p.BanFactor
	}
	if d >= float64(p.BanMax) {
		return p.BanMax
	}
	return time.Duration(d)
}

// banNow bans k for the event in d.
func (g *Guard) banNow(d Decision, k, ip netip.Addr, t time.Time, p *Policy, reason string) Decision {
	n := g.next(k, t.UnixNano())
	b := &Ban{IP: ip, Prefix: g.prefix(k), Since: t, Until: t.Add(p.Duration(n)), Reason: reason, Count: n}
	g.put(k, b)
	g.forget(k)
	d.Banned, d.Ban, d.Reason = true, *b, reason
	return d
}

// put stores and publishes a ban, and records it in the history.
func (g *Guard) put(k netip.Addr, b *Ban) {
	if _, ok := g.bans.peek(k); !ok && g.bans.len() >= g.cfg.MaxBans {
		if old, ok := g.bans.oldest(); ok {
			g.bans.del(old)
			g.snap.Store(g.snap.Load().DeletePersist(g.prefix(old)))
		}
	}
	v, _ := g.bans.upsert(k, nil)
	*v = b
	g.snap.Store(g.snap.Load().InsertPersist(g.prefix(k), b))
	r, fresh := g.history.upsert(k, nil)
	if fresh {
		*r = record{}
	}
	r.count = max(r.count, b.Count)
	r.until = max(r.until, b.Until.UnixNano())
}

// republish rebuilds the published table from the bans, after changes too
// many to publish one by one.
func (g *Guard) republish() {
	t := new(bart.Table[*Ban])
	g.bans.each(func(k netip.Addr, b **Ban) { t.Insert(g.prefix(k), *b) })
	g.snap.Store(t)
}

// Banned reports whether ip is banned now, and the ban. It takes no lock
// and does not allocate: call it on every connection. An expired ban, not yet
// dropped by Expire, is not a ban; an allowlisted address is never banned.
func (g *Guard) Banned(ip netip.Addr) (Ban, bool) {
	if !ip.IsValid() {
		return Ban{}, false
	}
	ip = ip.Unmap().WithZone("")
	b, ok := g.snap.Load().Get(g.prefix(g.key(ip)))
	if !ok || !g.now().Before(b.Until) || g.allow.Contains(ip) {
		return Ban{}, false
	}
	return *b, true
}

// Ban bans ip by hand for d, or with d = 0 for the length the default
// policy gives its next ban; it counts toward the increments of later bans.
// It replaces a ban in force and forgets the source's counters. An
// allowlisted address is refused with [ErrAllowlisted].
func (g *Guard) Ban(ip netip.Addr, d time.Duration, reason string) (Ban, error) {
	if !ip.IsValid() {
		return Ban{}, errors.New("ban: invalid IP address")
	}
	if d < 0 {
		return Ban{}, fmt.Errorf("ban %s: negative duration %s", ip, d)
	}
	ip = ip.Unmap().WithZone("")
	if g.allow.Contains(ip) {
		return Ban{}, fmt.Errorf("ban %s: %w", ip, ErrAllowlisted)
	}
	if reason == "" {
		reason = ReasonManual
	}
	t := g.now()
	k := g.key(ip)

	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.next(k, t.UnixNano())
	if d == 0 {
		d = g.cfg.Default.Duration(n)
	}
	b := &Ban{IP: ip, Prefix: g.prefix(k), Since: t, Until: t.Add(d), Reason: reason, Count: n, Manual: true}
	g.put(k, b)
	g.forget(k)
	return *b, nil
}

// Unban lifts the ban covering ip, and forgets its ban count and its
// counters: the operator said the source is fine. It reports whether a ban
// in force was lifted.
func (g *Guard) Unban(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	k := g.key(ip.Unmap().WithZone(""))
	now := g.now().UnixNano()

	g.mu.Lock()
	defer g.mu.Unlock()
	wasActive := g.active(k, now) != nil
	if g.bans.del(k) {
		g.snap.Store(g.snap.Load().DeletePersist(g.prefix(k)))
	}
	g.history.del(k)
	g.forget(k)
	return wasActive
}

// restoreBatch is the number of bans above which Restore rebuilds the
// published table once rather than updating it ban by ban.
const restoreBatch = 16

// Restore adds bans from the store (at start) or from other nodes. Of two
// bans of one source the later Until wins; expired, allowlisted and invalid
// ones are skipped, but their counts still feed the increments while
// remembered. The ban covers the source's range under this configuration.
func (g *Guard) Restore(bans []Ban) {
	now := g.now().UnixNano()
	g.mu.Lock()
	defer g.mu.Unlock()
	batch := len(bans) > restoreBatch
	changed := false
	for _, in := range bans {
		if !in.IP.IsValid() {
			continue
		}
		ip := in.IP.Unmap().WithZone("")
		k := g.key(ip)
		until := in.Until.UnixNano()
		if g.allow.Contains(ip) || until <= now {
			if until+int64(g.cfg.BanMemory) > now {
				r, fresh := g.history.upsert(k, nil)
				if fresh {
					*r = record{}
				}
				r.count, r.until = max(r.count, in.Count), max(r.until, until)
			}
			continue
		}
		if cur := g.active(k, now); cur != nil && !in.Until.After(cur.Until) {
			continue
		}
		b := in
		b.IP, b.Prefix, b.Count = ip, g.prefix(k), max(in.Count, 1)
		if batch {
			v, _ := g.bans.upsert(k, nil)
			*v = &b
			r, fresh := g.history.upsert(k, nil)
			if fresh {
				*r = record{}
			}
			r.count, r.until = max(r.count, b.Count), max(r.until, until)
			changed = true
		} else {
			g.put(k, &b)
		}
	}
	if changed {
		g.republish()
	}
}

// Bans returns the bans in force, sorted by address.
func (g *Guard) Bans() []Ban {
	now := g.now().UnixNano()
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]Ban, 0, g.bans.len())
	g.bans.each(func(_ netip.Addr, b **Ban) {
		if (*b).Until.UnixNano() > now && !g.allow.Contains((*b).IP) {
			out = append(out, **b)
		}
	})
	slices.SortFunc(out, func(a, b Ban) int {
		if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
			return c
		}
		return a.IP.Compare(b.IP)
	})
	return out
}
