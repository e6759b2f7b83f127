package guard

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

func TestPolicyDuration(t *testing.T) {
	p := Policy{BanTime: 10 * time.Minute, BanFactor: 2, BanMax: time.Hour}
	tests := []struct {
		name string
		p    Policy
		n    int
		want time.Duration
	}{
		{"first", p, 1, 10 * time.Minute},
		{"second-doubles", p, 2, 20 * time.Minute},
		{"third", p, 3, 40 * time.Minute},
		{"fourth-capped", p, 4, time.Hour},
		{"hundredth-capped", p, 100, time.Hour},
		{"huge-n-capped", p, 1 << 30, time.Hour},
		{"zero-n-is-first", p, 0, 10 * time.Minute},
		{"factor-1-fixed", Policy{BanTime: 10 * time.Minute, BanFactor: 1, BanMax: time.Hour}, 50, 10 * time.Minute},
		{"factor-1.5", Policy{BanTime: 10 * time.Minute, BanFactor: 1.5, BanMax: time.Hour}, 3, 22*time.Minute + 30*time.Second},
		{"ban-time-equals-max", Policy{BanTime: time.Hour, BanFactor: 3, BanMax: time.Hour}, 2, time.Hour},
		{"defaults-8th", DefaultPolicy(), 8, 1280 * time.Minute},
		{"defaults-capped-168h", DefaultPolicy(), 12, 168 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Duration(tt.n); got != tt.want {
				t.Errorf("Duration(%d) = %s, want %s", tt.n, got, tt.want)
			}
		})
	}
}

// banAgain bans ip with a traversal at the guard's clock, after moving it
// to the end of the ban in force (if any) plus gap.
func banAgain(t *testing.T, g *Guard, clk *fakeClock, ip string, gap time.Duration) Ban {
	t.Helper()
	if b, ok := g.Banned(addr(ip)); ok {
		clk.set(b.Until)
	}
	clk.add(gap)
	d := g.Observe(event.Event{Kind: event.Traversal, Time: clk.Now(), RemoteIP: addr(ip)})
	if !d.Banned {
		t.Fatalf("Observe at %s: %+v, want a ban", clk.Now(), d)
	}
	return d.Ban
}

func TestIncrements(t *testing.T) {
	cfg := func(c *Config) {
		c.Default.BanTime, c.Default.BanMax = 10*time.Minute, time.Hour
	}
	tests := []struct {
		name string
		cfg  func(*Config)
		gaps []time.Duration // before each ban, after the end of the previous
		want []time.Duration
		n    []int
	}{
		{"doubles-then-capped", cfg, []time.Duration{0, 0, 0, 0, 0},
			[]time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour}, []int{1, 2, 3, 4, 5}},
		{"remembered-within-ban-memory", cfg, []time.Duration{0, 23 * time.Hour, 23 * time.Hour},
			[]time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute}, []int{1, 2, 3}},
		{"forgotten-after-ban-memory", cfg, []time.Duration{0, 0, 24 * time.Hour},
			[]time.Duration{10 * time.Minute, 20 * time.Minute, 10 * time.Minute}, []int{1, 2, 1}},
		{"short-ban-memory", func(c *Config) { cfg(c); c.BanMemory = time.Hour }, []time.Duration{0, 59 * time.Minute, time.Hour},
			[]time.Duration{10 * time.Minute, 20 * time.Minute, 10 * time.Minute}, []int{1, 2, 1}},
		{"factor-1-fixed", func(c *Config) { cfg(c); c.Default.BanFactor = 1 }, []time.Duration{0, 0, 0},
			[]time.Duration{10 * time.Minute, 10 * time.Minute, 10 * time.Minute}, []int{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, clk := newGuard(t, tt.cfg)
			for i, gap := range tt.gaps {
				b := banAgain(t, g, clk, scanner, gap)
				if got := b.Until.Sub(b.Since); got != tt.want[i] || b.Count != tt.n[i] {
					t.Errorf("ban %d: %s count %d, want %s count %d", i+1, got, b.Count, tt.want[i], tt.n[i])
				}
			}
		})
	}
}

func TestManualBans(t *testing.T) {
	g, clk := newGuard(t, func(c *Config) {
		c.Allowlist = mustPrefixes("10.0.0.0/8", "::ffff:192.0.2.0/120")
	})
	tests := []struct {
		name    string
		ip      string
		d       time.Duration
		reason  string
		wantErr error
		want    time.Duration
		count   int
	}{
		{name: "ok/manual-default-length", ip: scanner, want: 10 * time.Minute, count: 1, reason: ReasonManual},
		{name: "ok/manual-counts-toward-increments", ip: scanner, want: 20 * time.Minute, count: 2, reason: ReasonManual},
		{name: "ok/manual-explicit-length", ip: other, d: 3 * time.Hour, want: 3 * time.Hour, count: 1, reason: "abuse report"},
		{name: "fail/allowlisted", ip: "10.9.9.9", wantErr: ErrAllowlisted},
		{name: "fail/allowlisted-mapped-entry", ip: "192.0.2.1", wantErr: ErrAllowlisted},
		{name: "fail/allowlisted-mapped-ip", ip: "::ffff:10.9.9.9", wantErr: ErrAllowlisted},
		{name: "fail/negative", ip: scanner, d: -time.Second, wantErr: errAny},
		{name: "fail/invalid", ip: "", wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ip netip.Addr
			if tt.ip != "" {
				ip = addr(tt.ip)
			}
			b, err := g.Ban(ip, tt.d, tt.reason)
			switch {
			case tt.wantErr == errAny && err == nil, tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("Ban: %v, want %v", err, tt.wantErr)
			case tt.wantErr != nil:
				if _, ok := g.Banned(ip); ip.IsValid() && ok && errors.Is(err, ErrAllowlisted) {
					t.Errorf("%s banned after a refused Ban", ip)
				}
				return
			}
			if got := b.Until.Sub(b.Since); got != tt.want || b.Count != tt.count || !b.Manual || b.Reason != tt.reason {
				t.Errorf("Ban = %+v (%s), want %s count %d manual reason %q", b, got, tt.want, tt.count, tt.reason)
			}
			if got, ok := g.Banned(ip); !ok || got != b {
				t.Errorf("Banned = %+v %v, want %+v", got, ok, b)
			}
		})
	}
	// The second manual ban of scanner replaced the first.
	clk.add(15 * time.Minute)
	checkBanned(t, g, []string{scanner, other}, []string{"10.9.9.9"})
}

// errAny stands for "some error" in the tables.
var errAny = errors.New("any error")

func TestAllowlistWins(t *testing.T) {
	g, clk := newGuard(t, func(c *Config) { c.Allowlist = mustPrefixes("192.0.2.0/24", "2001:db8:1:2::a/128") })
	// Events never count.
	for i := range 100 {
		if d := g.Observe(event.Event{Kind: event.Traversal, Time: clk.Now(), RemoteIP: addr(fmt.Sprintf("192.0.2.%d", i))}); d.Reason != ReasonAllowlisted || d.Banned {
			t.Fatalf("Observe allowlisted: %+v", d)
		}
	}
	// Restored bans (say the allowlist grew since) are skipped.
	g.Restore([]Ban{{IP: addr("192.0.2.7"), Since: t0, Until: t0.Add(time.Hour), Reason: "old"}})
	// A ban of the /64 does not cover the allowlisted host.
	if _, err := g.Ban(addr(v6b), time.Hour, "range"); err != nil {
		t.Fatal(err)
	}
	checkBanned(t, g, []string{v6b}, []string{"192.0.2.7", v6a})
	for _, b := range g.Bans() {
		if b.IP == addr("192.0.2.7") {
			t.Errorf("Bans lists an allowlisted address: %+v", b)
		}
	}
	if st := g.Stats(); st.Sources != 0 {
		t.Errorf("Stats %+v: allowlisted sources were counted", st)
	}
}

func TestRestore(t *testing.T) {
	ban := func(ip string, until time.Duration, count int) Ban {
		return Ban{IP: addr(ip), Since: t0.Add(-time.Hour), Until: t0.Add(until), Reason: ReasonMaxRetry, Count: count}
	}
	tests := []struct {
		name      string
		before    []Ban // restored first
		restore   []Ban
		wantUntil map[string]time.Duration // 0: not banned
		// nextCount is the count of the next automatic ban of scanner
		// after the bans end.
		nextCount int
	}{
		{"ok/adds", nil, []Ban{ban(scanner, time.Hour, 1)}, map[string]time.Duration{scanner: time.Hour}, 2},
		{"ok/later-until-wins", []Ban{ban(scanner, 2*time.Hour, 2)}, []Ban{ban(scanner, time.Hour, 1)},
			map[string]time.Duration{scanner: 2 * time.Hour}, 3},
		{"ok/later-restored-wins", []Ban{ban(scanner, time.Hour, 1)}, []Ban{ban(scanner, 3*time.Hour, 3)},
			map[string]time.Duration{scanner: 3 * time.Hour}, 4},
		{"ok/later-in-same-batch-wins", nil, []Ban{ban(scanner, 3*time.Hour, 3), ban(scanner, time.Hour, 1)},
			map[string]time.Duration{scanner: 3 * time.Hour}, 4},
		{"ok/expired-skipped-count-remembered", nil, []Ban{ban(scanner, -time.Hour, 3)},
			map[string]time.Duration{scanner: 0}, 4},
		{"ok/long-expired-forgotten", nil, []Ban{ban(scanner, -25*time.Hour, 3)},
			map[string]time.Duration{scanner: 0}, 1},
		{"ok/invalid-skipped", nil, []Ban{{Until: t0.Add(time.Hour)}}, map[string]time.Duration{scanner: 0}, 1},
		{"ok/zero-count-is-1", nil, []Ban{ban(scanner, time.Hour, 0)}, map[string]time.Duration{scanner: time.Hour}, 2},
		{"ok/big-batch", nil, manyBans(100, time.Hour), map[string]time.Duration{"198.18.0.0": time.Hour, "198.18.0.99": time.Hour, scanner: 0}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, clk := newGuard(t, nil)
			g.Restore(tt.before)
			g.Restore(tt.restore)
			var latest time.Time
			for ip, until := range tt.wantUntil {
				b, ok := g.Banned(addr(ip))
				switch {
				case until == 0 && ok:
					t.Errorf("%s banned: %+v", ip, b)
				case until != 0 && (!ok || !b.Until.Equal(t0.Add(until))):
					t.Errorf("%s: %+v %v, want banned until t0+%s", ip, b, ok, until)
				}
				latest = maxTime(latest, b.Until)
			}
			clk.set(maxTime(latest, t0))
			if b := banAgain(t, g, clk, scanner, 0); b.Count != tt.nextCount {
				t.Errorf("next ban count %d, want %d", b.Count, tt.nextCount)
			}
		})
	}
}

func manyBans(n int, until time.Duration) []Ban {
	out := make([]Ban, n)
	for i := range out {
		out[i] = Ban{IP: netip.AddrFrom4([4]byte{198, 18, 0, byte(i)}), Since: t0, Until: t0.Add(until), Count: 1}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestExpiryAndUnban(t *testing.T) {
	g, clk := newGuard(t, nil)
	b := banAgain(t, g, clk, scanner, 0)
	banAgain(t, g, clk, other, 0)
	clk.set(b.Until.Add(-time.Nanosecond))
	checkBanned(t, g, []string{scanner, other}, nil)
	if got := len(g.Bans()); got != 2 {
		t.Errorf("Bans: %d, want 2", got)
	}

	// Expired at Until, before Expire runs.
	clk.set(b.Until)
	checkBanned(t, g, nil, []string{scanner, other})
	if got := g.Bans(); len(got) != 0 {
		t.Errorf("Bans after expiry: %+v", got)
	}
	if st := g.Stats(); st.Bans != 2 {
		t.Errorf("Stats before Expire: %+v, want 2 bans held", st)
	}
	// Counting starts afresh: one failure does not ban.
	if d := g.Observe(event.Event{Kind: event.AuthFailure, Time: clk.Now(), RemoteIP: addr(scanner)}); d.Reason != ReasonCounted || d.Score != 1 {
		t.Errorf("Observe after expiry: %+v", d)
	}
	g.Expire()
	if st := g.Stats(); st.Bans != 0 || st.BanHistory != 2 {
		t.Errorf("Stats after Expire: %+v, want no bans, 2 remembered", st)
	}
	clk.add(24 * time.Hour)
	g.Expire()
	if st := g.Stats(); st != (Stats{}) {
		t.Errorf("Stats a day later: %+v, want all empty", st)
	}

	// Unban lifts the ban and forgets the count.
	banAgain(t, g, clk, scanner, 0)
	second := banAgain(t, g, clk, scanner, 0)
	if second.Count != 2 {
		t.Fatalf("second ban count %d", second.Count)
	}
	if !g.Unban(addr(scanner)) {
		t.Error("Unban: false, want true")
	}
	if g.Unban(addr(scanner)) {
		t.Error("second Unban: true, want false")
	}
	if g.Unban(netip.Addr{}) {
		t.Error("Unban of the zero address: true")
	}
	checkBanned(t, g, nil, []string{scanner})
	if b := banAgain(t, g, clk, scanner, 0); b.Count != 1 {
		t.Errorf("ban after Unban: count %d, want 1", b.Count)
	}
	// Unban of an IPv6 address lifts the ban of its /64.
	if _, err := g.Ban(addr(v6a), 0, ""); err != nil {
		t.Fatal(err)
	}
	if !g.Unban(addr(v6b)) {
		t.Error("Unban of a neighbour in the /64: false")
	}
	checkBanned(t, g, nil, []string{v6a})
}

func TestBansSorted(t *testing.T) {
	g, _ := newGuard(t, nil)
	for _, ip := range []string{"203.0.113.9", v6a, "192.0.2.1", "203.0.113.10"} {
		if _, err := g.Ban(addr(ip), time.Hour, ""); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, b := range g.Bans() {
		got = append(got, b.Prefix.String())
	}
	want := []string{"192.0.2.1/32", "203.0.113.9/32", "203.0.113.10/32", "2001:db8:1:2::/64"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Bans = %v, want %v", got, want)
	}
}
