package guard

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// benchGuard returns a guard holding n bans of flood addresses 0..n-1 and an
// allowlist of a few networks.
func benchGuard(b *testing.B, n int) *Guard {
	b.Helper()
	g, err := New(Config{Allowlist: mustPrefixes("192.168.0.0/16", "2001:db8:ffff::/48")}) // the real clock
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	bans := make([]Ban, n)
	for i := range bans {
		bans[i] = Ban{IP: floodAddr(i), Since: now, Until: now.Add(time.Hour), Count: 1}
	}
	g.Restore(bans)
	return g
}

func BenchmarkBanned(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		g := benchGuard(b, n)
		b.Run(fmt.Sprintf("bans=%d/hit", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				g.Banned(floodAddr(i % n))
				i++
			}
		})
		b.Run(fmt.Sprintf("bans=%d/miss", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				g.Banned(floodAddr(n + i&0xffff))
				i++
			}
		})
		b.Run(fmt.Sprintf("bans=%d/parallel", n), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					g.Banned(floodAddr(i % (2 * n)))
					i++
				}
			})
		})
	}
}

func BenchmarkObserve(b *testing.B) {
	user := "alice"
	b.Run("one-source-auth", func(b *testing.B) {
		g, _ := newGuard(b, nil)
		ip := netip.MustParseAddr(scanner)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			// One failure per FindTime: counted, never banned.
			g.Observe(event.Event{Kind: event.AuthFailure, Time: t0.Add(time.Duration(i) * 10 * time.Minute), RemoteIP: ip, User: user})
			i++
		}
	})
	b.Run("distinct-sources-auth", func(b *testing.B) {
		g, _ := newGuard(b, func(c *Config) { c.MaxKeys = 10_000 })
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			g.Observe(event.Event{Kind: event.AuthFailure, Time: t0.Add(time.Duration(i)), RemoteIP: floodAddr(i), User: user})
			i++
		}
	})
	b.Run("distinct-sources-unknown-mac", func(b *testing.B) {
		g, _ := newGuard(b, func(c *Config) { c.MaxKeys = 10_000 })
		macs := make([]string, 1024)
		for i := range macs {
			macs[i] = fmt.Sprintf("001565%06x", i)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			g.Observe(event.Event{Kind: event.UnknownMAC, Time: t0.Add(time.Duration(i)), RemoteIP: floodAddr(i), Target: macs[i&1023]})
			i++
		}
	})
	b.Run("site-auth", func(b *testing.B) {
		g, _ := newGuard(b, nil)
		ip := netip.MustParseAddr(office)
		g.Success(ip, "", "phone", "", t0)
		e := event.Event{Kind: event.AuthFailure, Time: t0, RemoteIP: ip, User: "broken"}
		b.ReportAllocs()
		for b.Loop() {
			g.Observe(e)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		g, _ := newGuard(b, func(c *Config) { c.MaxKeys = 10_000 })
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				g.Observe(event.Event{Kind: event.NotFound, Time: t0.Add(time.Duration(i)), RemoteIP: floodAddr(i & 0xfffff)})
				i++
			}
		})
	})
}
