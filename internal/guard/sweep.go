package guard

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Sweep is the state of the sweep detector for one OUI.
type Sweep struct {
	// OUI is the vendor prefix: six lowercase hexadecimal digits.
	OUI string
	// Sources is the most distinct sources seen probing the OUI within one
	// Window since the sweep went on (at most 2×SweepPolicy.Sources).
	Sources int
	// Since is when the sweep went on, Last the last probe of the OUI.
	Since, Last time.Time
	// Active is true while the sweep is on: until Hold after Last.
	Active bool
}

// oui is the sweep detector of one OUI.
type oui struct {
	sources recent[netip.Addr]
	on      bool
	peak    int
	since   int64
	last    int64
}

// activeAt reports whether the sweep is on at now.
func (o *oui) activeAt(now int64, hold time.Duration) bool {
	return o.on && now-o.last < int64(hold)
}

// sweepProbe records a probe of an unknown MAC of OUI o by source k and
// reports whether a sweep of o is on after it.
func (g *Guard) sweepProbe(o uint32, k netip.Addr, now int64) bool {
	sp := &g.cfg.Sweep
	v, fresh := g.ouis.upsert(o, func(v *oui) bool { return v.activeAt(now, sp.Hold) })
	if fresh {
		*v = oui{sources: v.sources[:0]}
	}
	if !v.activeAt(now, sp.Hold) {
		v.on, v.peak = false, 0
	}
	v.last = max(v.last, now)
	v.sources.touch(k, now, 2*sp.Sources, int64(sp.Window))
	n := v.sources.count(now - int64(sp.Window))
	if !v.on && n >= sp.Sources {
		v.on, v.since = true, now
	}
	if v.on {
		v.peak = max(v.peak, n)
	}
	return v.on
}

// Sweeps returns the OUIs under a sweep now, sorted by OUI: the
// provisioning_scan alarm is raised while it is not empty.
func (g *Guard) Sweeps() []Sweep {
	now := g.now().UnixNano()
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Sweep
	g.ouis.each(func(o uint32, v *oui) {
		if v.activeAt(now, g.cfg.Sweep.Hold) {
			out = append(out, Sweep{
				OUI:     fmt.Sprintf("%06x", o),
				Sources: v.peak,
				Since:   time.Unix(0, v.since).UTC(),
				Last:    time.Unix(0, v.last).UTC(),
				Active:  true,
			})
		}
	})
	slices.SortFunc(out, func(a, b Sweep) int { return cmp.Compare(a.OUI, b.OUI) })
	return out
}
