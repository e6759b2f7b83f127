package guard

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

const (
	newcomer = "203.0.113.21"
	phone    = "192.0.2.50"
)

// probeOf is an unknown-MAC probe of OUI 001565 (or, with oui, another).
func probeOf(at time.Duration, ip string, n int, oui ...string) step {
	o := "001565"
	if len(oui) > 0 {
		o = oui[0]
	}
	return ev(at, event.UnknownMAC, ip).to(fmt.Sprintf("%s%06x", o, n)).in("provisioning")
}

// next gives each copy its own MAC, of the OUI of the step.
func next(i int, s step) step {
	s.target = s.target[:6] + fmt.Sprintf("%06x", 0x800000+i)
	return s
}

// swarm is 20 sources probing one MAC each of 001565 within a minute: a
// sweep with the default policy.
func swarm(at time.Duration, n int) []step {
	return rep(n, 3*time.Second, probeOf(at, "", 0), func(i int, s step) step {
		s = sources(i, s)
		s.target = fmt.Sprintf("001565%06x", 0x100+i)
		return s
	})
}

func TestSweep(t *testing.T) {
	const m = time.Minute
	first := netip.AddrFrom4([4]byte{198, 18, 0, 0}).String()
	runScenarios(t, []scenario{
		{name: "ok/19-sources-no-sweep", steps: seq(swarm(0, 19), rep(2, time.Second, probeOf(2*m, first, 1), next)),
			reason: ReasonCounted, score: 3, free: []string{first}},
		{name: "ban/20th-source-trips-on-its-second-probe", steps: seq(swarm(0, 19), rep(2, time.Second, probeOf(2*m, newcomer, 1), next)),
			reason: ReasonSweep, score: 2, banned: []string{newcomer}},
		{name: "ok/20-sources-1-probe-each-trip-but-ban-none", steps: swarm(0, 20),
			reason: ReasonCounted, score: 1, free: []string{first}},
		{name: "ok/new-source-first-probe-allowed", steps: seq(swarm(0, 20), probeOf(2*m, newcomer, 1)),
			reason: ReasonCounted, score: 1, free: []string{newcomer}},
		{name: "ban/new-source-second-probe", steps: seq(swarm(0, 20), rep(2, time.Second, probeOf(2*m, newcomer, 1), next)),
			reason: ReasonSweep, score: 2, banned: []string{newcomer}},
		{name: "ban/swarm-source-second-probe", steps: seq(swarm(0, 20), probeOf(2*m, first, 7)),
			reason: ReasonSweep, score: 2, banned: []string{first}},
		{name: "ok/other-oui-normal-budget", steps: seq(swarm(0, 20), rep(9, time.Second, probeOf(2*m, newcomer, 1, "0004f2"), next)),
			reason: ReasonCounted, score: 9, free: []string{newcomer}},
		{name: "ban/other-oui-normal-budget-10th", steps: seq(swarm(0, 20), rep(10, time.Second, probeOf(2*m, newcomer, 1, "0004f2"), next)),
			reason: ReasonUnknownMAC, score: 10, banned: []string{newcomer}},
		{name: "ok/other-oui-probes-do-not-count-for-tight-budget",
			steps:  seq(swarm(0, 20), rep(5, time.Second, probeOf(2*m, newcomer, 1, "0004f2"), next), probeOf(3*m, newcomer, 9)),
			reason: ReasonCounted, score: 6, free: []string{newcomer}},
		{name: "ok/hold-expired", steps: seq(swarm(0, 20), rep(2, time.Second, probeOf(62*m, newcomer, 1), next)),
			reason: ReasonCounted, score: 2, free: []string{newcomer}},
		{name: "ban/hold-extended-by-probes",
			steps:  seq(swarm(0, 20), probeOf(50*m, other, 1), rep(2, time.Second, probeOf(100*m, newcomer, 1), next)),
			reason: ReasonSweep, score: 2, banned: []string{newcomer}},
		{name: "ok/sources-spread-over-window",
			steps: seq(rep(20, m, probeOf(0, "", 0), func(i int, s step) step { return sources(i, s) }),
				rep(2, time.Second, probeOf(21*m, newcomer, 1), next)),
			reason: ReasonCounted, score: 2, free: []string{newcomer}},
		{name: "ok/new-phone-retrying-its-own-mac-under-sweep",
			steps:  seq(swarm(0, 20), rep(5, time.Second, probeOf(2*m, phone, 0xbeef), nil)),
			reason: ReasonCounted, score: 1, free: []string{phone}},
		{name: "ban/site-probing-under-sweep",
			steps:  seq(success(0, office, "alice"), swarm(0, 20), rep(2, time.Second, probeOf(2*m, office, 1), next)),
			reason: ReasonSweep, score: 2, banned: []string{office}},
		{name: "ban/tight-max-3", cfg: func(c *Config) { c.Sweep.TightMax = 3 },
			steps:  seq(swarm(0, 20), rep(4, time.Second, probeOf(2*m, newcomer, 1), next)),
			reason: ReasonSweep, score: 4, banned: []string{newcomer}},
		{name: "ok/sources-5", cfg: func(c *Config) { c.Sweep.Sources = 5 },
			steps:  seq(swarm(0, 4), rep(2, time.Second, probeOf(2*m, newcomer, 1), next)),
			reason: ReasonSweep, score: 2, banned: []string{newcomer}},
		{name: "ok/uppercase-mac-same-oui",
			steps:  seq(swarm(0, 20), ev(2*m, event.UnknownMAC, newcomer).to("001565AABBCC"), ev(2*m+time.Second, event.UnknownMAC, newcomer).to("001565aabbcd")),
			reason: ReasonSweep, score: 2, banned: []string{newcomer}},
	})
}

func TestSweepsReport(t *testing.T) {
	g, clk := newGuard(t, nil)
	// A known phone of the vendor authenticates all along: it is never
	// affected (successes are not events).
	for i := range 10 {
		g.Success(addr(phone), "provisioning", "phone", "001565000001", t0.Add(time.Duration(i)*time.Second))
	}
	play(t, g, clk, seq(swarm(0, 25), probeOf(10*time.Minute, newcomer, 1, "0004f2")))
	got := g.Sweeps()
	want := Sweep{OUI: "001565", Sources: 25, Since: t0.Add(19 * 3 * time.Second), Last: t0.Add(24 * 3 * time.Second), Active: true}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("Sweeps = %+v, want [%+v]", got, want)
	}
	if st := g.Stats(); st.Sweeps != 1 || st.OUIs != 2 {
		t.Errorf("Stats = %+v, want 1 sweep of 2 OUIs", st)
	}
	checkBanned(t, g, nil, []string{phone})
	if d := g.Observe(event.Event{Kind: event.AuthFailure, Time: clk.Now(), RemoteIP: addr(phone), User: "phone"}); d.Reason != ReasonSite {
		t.Errorf("phone failure: %+v, want counted as a site", d)
	}

	// Still on just before Hold after the last probe, off at it.
	last := t0.Add(24 * 3 * time.Second)
	clk.set(last.Add(time.Hour - time.Nanosecond))
	if len(g.Sweeps()) != 1 {
		t.Error("sweep off before Hold")
	}
	clk.set(last.Add(time.Hour))
	if got := g.Sweeps(); len(got) != 0 {
		t.Errorf("Sweeps after Hold = %+v", got)
	}
	g.Expire()
	if st := g.Stats(); st.OUIs != 0 {
		t.Errorf("Stats after Expire = %+v, want no OUI", st)
	}
}

func TestSweepBounded(t *testing.T) {
	g, clk := newGuard(t, func(c *Config) { c.Sweep.MaxOUIs = 8 })
	// 1000 sources on one OUI: at most 2×Sources remembered.
	play(t, g, clk, swarm(0, 1000))
	g.mu.Lock()
	v, ok := g.ouis.peek(0x001565)
	if !ok || len(v.sources) > 40 {
		t.Errorf("OUI 001565 tracks %d sources, want at most 40", len(v.sources))
	}
	g.mu.Unlock()
	// Probes of many other OUIs do not evict the sweep while it is on.
	for i := range 200 {
		g.Observe(event.Event{Kind: event.UnknownMAC, Time: clk.Now(), RemoteIP: addr(newcomer), Target: fmt.Sprintf("%06x000001", 0x100000+i)})
		if i%8 == 0 {
			g.Unban(addr(newcomer))
		}
	}
	if st := g.Stats(); st.OUIs > 8 || st.Sweeps != 1 {
		t.Errorf("Stats = %+v, want at most 8 OUIs and the sweep kept", st)
	}
}
