package guard

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// FuzzObserve feeds events whose attacker-chosen fields (kind, user, target,
// address) are arbitrary: the guard must not panic, must keep its tables
// bounded and must agree with itself about bans.
func FuzzObserve(f *testing.F) {
	f.Add("auth_failure", "alice", "001565aabbcc", []byte{203, 0, 113, 1}, uint16(1))
	f.Add("unknown_mac", "", "001565AABBCC", []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, uint16(0))
	f.Add("path_traversal", "", "/../../etc/passwd", []byte{192, 0, 2, 1}, uint16(60))
	f.Add("weird", "\x00\xff", "zzzzzzzzzzzz", []byte{}, uint16(65535))
	f.Fuzz(func(t *testing.T, kind, user, target string, ip []byte, gap uint16) {
		g, clk := newGuard(t, func(c *Config) { c.MaxKeys, c.MaxBans, c.Sweep.MaxOUIs = 4, 4, 2 })
		a, _ := netip.AddrFromSlice(ip)
		for i := range 12 {
			clk.add(time.Duration(gap) * time.Second)
			if i == 3 {
				g.Success(a, "", user, target, clk.Now())
			}
			d := g.Observe(event.Event{Kind: event.Kind(kind), Time: clk.Now(), RemoteIP: a, User: user, Target: target + string(rune('a'+i))})
			if d.Banned {
				if got, ok := g.Banned(a); !ok || got != d.Ban {
					t.Fatalf("ban %+v made, Banned says %+v %v", d.Ban, got, ok)
				}
			}
		}
		st := g.Stats()
		if st.Sources > 4 || st.Users > 4 || st.MACs > 4 || st.Pairs > 4 || st.Sites > 4 || st.OUIs > 2 || st.Bans > 4 {
			t.Fatalf("tables over their bounds: %+v", st)
		}
		g.Expire()
	})
}
