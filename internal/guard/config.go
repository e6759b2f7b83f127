package guard

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// Limits of the configuration. They bound the memory of one counter: a
// window holds at most as many entries as its largest threshold.
const (
	// MaxThreshold bounds MaxRetry, UnknownMACMax and TightMax.
	MaxThreshold = 100
	// MaxSweepSources bounds SweepPolicy.Sources.
	MaxSweepSources = 1000
	// MaxWeight bounds a weight of Config.Weights.
	MaxWeight = 1000
)

// WeightMaxRetry, as a weight of Config.Weights, makes one event of that kind
// weigh the MaxRetry of its policy: it bans at once, even from a site.
const WeightMaxRetry = -1

// Policy is how strict the guard is with the sources of one security context.
// A zero field takes its default: for [Config.Default] the value of
// [DefaultPolicy], for a policy of [Config.Contexts] the value of
// Config.Default.
type Policy struct {
	// MaxRetry is the weighted failures of one source within FindTime that
	// ban it (default 5, at most 100).
	MaxRetry int
	// FindTime is the sliding window of the counters (default 10m): an event
	// exactly FindTime old is forgotten.
	FindTime time.Duration
	// BanTime is the length of a first ban (default 10m).
	BanTime time.Duration
	// BanFactor multiplies the length of each new ban of an address whose
	// earlier ban is still remembered (see Config.BanMemory): the nth ban
	// lasts BanTime × BanFactor^(n-1) (default 2; 1 = fixed; at most 100).
	BanFactor float64
	// BanMax caps the length of a ban (default 168h; at least BanTime).
	BanMax time.Duration
	// UnknownMACMax is the distinct unknown MACs probed by one source
	// within FindTime that ban it (default 10, at most 100). It is a budget
	// of its own: unknown-MAC probes do not count toward MaxRetry.
	UnknownMACMax int
	// SiteTime is how long a successful authentication makes its source a
	// site (default 24h): a NAT address whose failures are counted per
	// user/MAC (see the package documentation).
	SiteTime time.Duration
}

// DefaultPolicy returns the default policy.
func DefaultPolicy() Policy {
	return Policy{
		MaxRetry:      5,
		FindTime:      10 * time.Minute,
		BanTime:       10 * time.Minute,
		BanFactor:     2,
		BanMax:        168 * time.Hour,
		UnknownMACMax: 10,
		SiteTime:      24 * time.Hour,
	}
}

// SweepPolicy is the detection of distributed sweeps: many sources probing
// unknown MACs of one vendor OUI. Zero fields take the values of
// [DefaultSweep].
type SweepPolicy struct {
	// Sources is the number of distinct sources probing unknown MACs of one
	// OUI within Window that turns a sweep on (default 20, at most 1000).
	// At most 2×Sources sources are remembered per OUI, the latest.
	Sources int
	// Window is the window of Sources (default 10m).
	Window time.Duration
	// TightMax is the distinct unknown MACs of that OUI that one source
	// may probe within FindTime while the sweep is on (default 1: the
	// second bans; at most 100).
	TightMax int
	// Hold keeps a sweep on this long after the last probe of its OUI
	// (default 1h).
	Hold time.Duration
	// MaxOUIs bounds the number of OUIs tracked (default 4096). When the
	// table is full, the OUI probed least recently makes room, preferably
	// one without a sweep on.
	MaxOUIs int
}

// DefaultSweep returns the default sweep policy.
func DefaultSweep() SweepPolicy {
	return SweepPolicy{Sources: 20, Window: 10 * time.Minute, TightMax: 1, Hold: time.Hour, MaxOUIs: 4096}
}

// DefaultWeights returns the default weight of each event kind. Kinds it does
// not list, and kinds added later, weigh 1.
//
//	auth_failure    1
//	digest_replay   2
//	not_found       1
//	ip_refused      0 (not counted: the access rules already refused it)
//	path_traversal  WeightMaxRetry (bans at once)
//	unknown_mac     1 (toward UnknownMACMax, not MaxRetry)
func DefaultWeights() map[event.Kind]int {
	return map[event.Kind]int{
		event.AuthFailure:  1,
		event.DigestReplay: 2,
		event.NotFound:     1,
		event.IPRefused:    0,
		event.Traversal:    WeightMaxRetry,
		event.UnknownMAC:   1,
	}
}

// Config configures a [Guard]. Zero fields take their defaults.
type Config struct {
	// Default is the policy of events whose context has none in Contexts.
	Default Policy
	// Contexts are the policies of security contexts, by context name. The
	// config layer merges them with the default; a zero field left here
	// takes the value of Default.
	Contexts map[string]Policy
	// Sweep configures the detection of distributed sweeps.
	Sweep SweepPolicy
	// Weights overrides the weight of event kinds, kind by kind, over
	// [DefaultWeights]: from 0 (not counted) to MaxWeight, or
	// WeightMaxRetry.
	Weights map[event.Kind]int
	// Allowlist always wins: its addresses are never counted nor banned, and
	// Banned answers false for them even when a ban covers them.
	Allowlist []netip.Prefix
	// MaxKeys bounds each counter table: sources, sites, users, MACs, and
	// the (source, user) pairs of sites (default 100000). The least recently
	// used key makes room.
	MaxKeys int
	// MaxBans bounds the ban table and the ban history (default 100000).
	// When it is full, the oldest ban makes room.
	MaxBans int
	// BanMemory is how long after its ban ends an address's ban count is
	// remembered for increments (default 24h).
	BanMemory time.Duration
	// IPv6Prefix is the length of the IPv6 prefix counted and banned as one
	// source (default 64, from 32 to 128): a host can change its address
	// within its /64 at will. IPv4 sources are single addresses.
	IPv6Prefix int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// withDefaults returns c with its zero fields set to their defaults, its
// context policies completed from the default one and its weights merged
// over DefaultWeights.
func (c Config) withDefaults() Config {
	c.Default = c.Default.or(DefaultPolicy())
	if c.Contexts != nil {
		ctxs := make(map[string]Policy, len(c.Contexts))
		for name, p := range c.Contexts {
			ctxs[name] = p.or(c.Default)
		}
		c.Contexts = ctxs
	}
	c.Sweep = c.Sweep.or(DefaultSweep())
	w := DefaultWeights()
	for k, v := range c.Weights {
		w[k] = v
	}
	c.Weights = w
	c.MaxKeys = orInt(c.MaxKeys, 100000)
	c.MaxBans = orInt(c.MaxBans, 100000)
	c.BanMemory = orInt(c.BanMemory, 24*time.Hour)
	c.IPv6Prefix = orInt(c.IPv6Prefix, 64)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func orInt[T int | time.Duration | float64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func (p Policy) or(d Policy) Policy {
	p.MaxRetry = orInt(p.MaxRetry, d.MaxRetry)
	p.FindTime = orInt(p.FindTime, d.FindTime)
	p.BanTime = orInt(p.BanTime, d.BanTime)
	p.BanFactor = orInt(p.BanFactor, d.BanFactor)
	p.BanMax = orInt(p.BanMax, d.BanMax)
	p.UnknownMACMax = orInt(p.UnknownMACMax, d.UnknownMACMax)
	p.SiteTime = orInt(p.SiteTime, d.SiteTime)
	return p
}

func (s SweepPolicy) or(d SweepPolicy) SweepPolicy {
	s.Sources = orInt(s.Sources, d.Sources)
	s.Window = orInt(s.Window, d.Window)
	s.TightMax = orInt(s.TightMax, d.TightMax)
	s.Hold = orInt(s.Hold, d.Hold)
	s.MaxOUIs = orInt(s.MaxOUIs, d.MaxOUIs)
	return s
}

// Validate checks c once its zero fields take their defaults. Each error
// names the field by its configuration path ("default.max_retry: must be at
// least 1", "contexts.voicemail.ban_max: …", "allowlist[2]: …"); all of them
// are joined.
func (c Config) Validate() error {
	return c.withDefaults().check()
}

// check validates a configuration whose defaults are set.
func (c Config) check() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	c.Default.check("default", add)
	names := make([]string, 0, len(c.Contexts))
	for name := range c.Contexts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		c.Contexts[name].check("contexts."+name, add)
	}
	s := c.Sweep
	between(add, "sweep.sources", s.Sources, 1, MaxSweepSources)
	positive(add, "sweep.window", s.Window)
	between(add, "sweep.tight_max", s.TightMax, 1, MaxThreshold)
	positive(add, "sweep.hold", s.Hold)
	between(add, "sweep.max_ouis", s.MaxOUIs, 1, 1<<24)
	kinds := make([]event.Kind, 0, len(c.Weights))
	for k := range c.Weights {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		if w := c.Weights[k]; w != WeightMaxRetry && (w < 0 || w > MaxWeight) {
			add("weights."+string(k), "must be from 0 to %d, or %d (max_retry)", MaxWeight, WeightMaxRetry)
		}
	}
	for i, p := range c.Allowlist {
		switch {
		case !p.IsValid():
			add(fmt.Sprintf("allowlist[%d]", i), "not a valid CIDR prefix")
		case p.Addr().Is4In6() && p.Bits() < 96:
			add(fmt.Sprintf("allowlist[%d]", i), "%s: an IPv4-mapped prefix must be /96 or longer", p)
		}
	}
	between(add, "max_keys", c.MaxKeys, 1, 1<<30)
	between(add, "max_bans", c.MaxBans, 1, 1<<30)
	positive(add, "ban_memory", c.BanMemory)
	between(add, "ipv6_prefix", c.IPv6Prefix, 32, 128)
	return errors.Join(errs...)
}

func (p Policy) check(path string, add func(field, format string, args ...any)) {
	between(add, path+".max_retry", p.MaxRetry, 1, MaxThreshold)
	positive(add, path+".find_time", p.FindTime)
	positive(add, path+".ban_time", p.BanTime)
	if math.IsNaN(p.BanFactor) || p.BanFactor < 1 || p.BanFactor > 100 {
		add(path+".ban_factor", "must be from 1 to 100")
	}
	if p.BanMax < p.BanTime {
		add(path+".ban_max", "must be at least ban_time (%s)", p.BanTime)
	}
	between(add, path+".unknown_mac_max", p.UnknownMACMax, 1, MaxThreshold)
	positive(add, path+".site_time", p.SiteTime)
}

func between(add func(field, format string, args ...any), field string, v, lo, hi int) {
	switch {
	case v < lo:
		add(field, "must be at least %d", lo)
	case v > hi:
		add(field, "must be at most %d", hi)
	}
}

func positive(add func(field, format string, args ...any), field string, d time.Duration) {
	if d <= 0 {
		add(field, "must be positive")
	}
}

// normalize returns the allowlist prefixes as the guard matches them: masked,
// IPv4-mapped ones as IPv4.
func normalize(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked()
}
