package guard

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// t0 is the start of every scenario.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is the injected clock of the tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) add(d time.Duration) { c.set(c.Now().Add(d)) }

// newGuard returns a guard on a fake clock at t0; edit, if not nil, adjusts
// the configuration.
func newGuard(t testing.TB, edit func(*Config)) (*Guard, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: t0}
	cfg := Config{Now: clk.Now}
	if edit != nil {
		edit(&cfg)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g, clk
}

// step is one input of a scenario: an event or, with ok, a successful
// authentication, at t0+at.
type step struct {
	at     time.Duration
	kind   event.Kind
	ip     string
	user   string
	target string
	ctx    string
	ok     bool
}

func ev(at time.Duration, kind event.Kind, ip string) step {
	return step{at: at, kind: kind, ip: ip}
}

func success(at time.Duration, ip, user string) step {
	return step{at: at, ip: ip, user: user, ok: true}
}

func (s step) by(user string) step   { s.user = user; return s }
func (s step) to(target string) step { s.target = target; return s }
func (s step) in(ctx string) step    { s.ctx = ctx; return s }

// rep returns n copies of s, every apart from s.at on; vary, if not nil,
// edits the ith copy.
func rep(n int, every time.Duration, s step, vary func(i int, s step) step) []step {
	out := make([]step, n)
	for i := range out {
		c := s
		c.at = s.at + time.Duration(i)*every
		if vary != nil {
			c = vary(i, c)
		}
		out[i] = c
	}
	return out
}

// users gives each copy its own user name, macs its own MAC of OUI 001565,
// paths its own path.
func users(i int, s step) step { s.user = fmt.Sprintf("user%d", i); return s }
func macs(i int, s step) step  { s.target = fmt.Sprintf("001565%06x", i); return s }
func paths(i int, s step) step { s.target = fmt.Sprintf("/probe/%d.cfg", i); return s }

// sources gives each copy its own source in 198.18.0.0/15.
func sources(i int, s step) step {
	s.ip = netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}).String()
	return s
}

func seq(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch v := p.(type) {
		case step:
			out = append(out, v)
		case []step:
			out = append(out, v...)
		default:
			panic(fmt.Sprintf("seq: %T", p))
		}
	}
	return out
}

// play feeds the steps, in order of time, and returns the decisions of the
// events (a success gives a zero Decision).
func play(t testing.TB, g *Guard, clk *fakeClock, steps []step) []Decision {
	t.Helper()
	steps = slices.Clone(steps)
	slices.SortStableFunc(steps, func(a, b step) int { return int(a.at - b.at) })
	out := make([]Decision, len(steps))
	for i, s := range steps {
		at := t0.Add(s.at)
		clk.set(at)
		ip := netip.MustParseAddr(s.ip)
		if s.ok {
			g.Success(ip, s.ctx, s.user, s.target, at)
			continue
		}
		out[i] = g.Observe(event.Event{Kind: s.kind, Time: at, Context: s.ctx, RemoteIP: ip, User: s.user, Target: s.target})
	}
	return out
}

// last returns the last decision of an event.
func last(ds []Decision) Decision {
	if len(ds) == 0 {
		return Decision{}
	}
	return ds[len(ds)-1]
}

// checkBanned checks which addresses are banned now.
func checkBanned(t *testing.T, g *Guard, banned, free []string) {
	t.Helper()
	for _, s := range banned {
		if _, ok := g.Banned(netip.MustParseAddr(s)); !ok {
			t.Errorf("%s is not banned, want banned", s)
		}
	}
	for _, s := range free {
		if b, ok := g.Banned(netip.MustParseAddr(s)); ok {
			t.Errorf("%s is banned (%+v), want free", s, b)
		}
	}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}
