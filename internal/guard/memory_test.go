package guard

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// floodAddr returns the ith address of a flood: distinct for every i below
// 2^24, outside the addresses the scenarios use.
func floodAddr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
}

func TestBoundedUnderFlood(t *testing.T) {
	const (
		flood   = 1_000_000
		maxKeys = 10_000
	)
	n := flood
	if testing.Short() {
		n = flood / 10
	}
	g, clk := newGuard(t, func(c *Config) {
		c.MaxKeys = maxKeys
		c.Sweep.MaxOUIs = 256
	})
	kinds := []event.Kind{event.AuthFailure, event.UnknownMAC, event.NotFound, event.DigestReplay}
	attacker := addr(scanner)
	var banned Decision
	for i := range n {
		clk.add(time.Millisecond)
		now := clk.Now()
		e := event.Event{
			Kind:     kinds[i%len(kinds)],
			Time:     now,
			RemoteIP: floodAddr(i),
			User:     fmt.Sprintf("user-%d", i),
			Target:   fmt.Sprintf("%012x", uint64(i)*0x9e3779b1&(1<<48-1)),
		}
		if i%7 == 0 {
			g.Success(floodAddr(i), "", e.User, e.Target, now)
		}
		g.Observe(e)
		// A steady attacker, one failure every 10000 events (10s) once
		// the tables are full.
		if i >= n/2 && i%10_000 == 0 && !banned.Banned {
			banned = g.Observe(event.Event{Kind: event.AuthFailure, Time: now, RemoteIP: attacker, User: "admin"})
		}
	}
	st := g.Stats()
	for name, size := range map[string]int{"sources": st.Sources, "sites": st.Sites, "pairs": st.Pairs, "users": st.Users, "macs": st.MACs} {
		if size > maxKeys {
			t.Errorf("%s table holds %d keys, want at most %d", name, size, maxKeys)
		}
	}
	if st.OUIs > 256 || st.Bans > 100_000 {
		t.Errorf("Stats = %+v", st)
	}
	if !banned.Banned || banned.Ban.Reason != ReasonMaxRetry {
		t.Errorf("attacker: %+v, want banned for max-retry", banned)
	}
	if _, ok := g.Banned(attacker); !ok {
		t.Error("attacker not banned")
	}
	t.Logf("after %d events: %+v", n, st)
}

func TestBanTableBounded(t *testing.T) {
	g, clk := newGuard(t, func(c *Config) { c.MaxBans = 1000 })
	for i := range 5000 {
		g.Observe(event.Event{Kind: event.Traversal, Time: clk.Now(), RemoteIP: floodAddr(i)})
	}
	if st := g.Stats(); st.Bans != 1000 || st.BanHistory != 1000 {
		t.Errorf("Stats = %+v, want 1000 bans and 1000 remembered", st)
	}
	// The oldest bans made room for the newest.
	checkBanned(t, g, []string{floodAddr(4999).String(), floodAddr(4000).String()}, []string{floodAddr(0).String(), floodAddr(3999).String()})
	if got := len(g.Bans()); got != 1000 {
		t.Errorf("Bans: %d, want 1000", got)
	}
}

// TestConcurrent runs every method at once; run it with -race.
func TestConcurrent(t *testing.T) {
	g, clk := newGuard(t, nil)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				ip := floodAddr(w*10_000 + i%50)
				now := clk.Now()
				switch i % 10 {
				case 0:
					g.Success(ip, "", "alice", "", now)
				case 1:
					g.Banned(ip)
				case 2:
					_, _ = g.Ban(ip, time.Minute, "")
				case 3:
					g.Unban(ip)
				case 4:
					g.Restore([]Ban{{IP: ip, Until: now.Add(time.Hour)}})
				case 5:
					g.Bans()
					g.Sweeps()
					g.Stats()
					g.Scores(ip, "alice", mac1)
				case 6:
					g.Expire()
					clk.add(time.Second)
				default:
					g.Observe(event.Event{Kind: event.UnknownMAC, Time: now, RemoteIP: ip, Target: fmt.Sprintf("001565%06x", i)})
					g.Observe(event.Event{Kind: event.AuthFailure, Time: now, RemoteIP: ip, User: fmt.Sprint(i)})
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for i := range 20_000 {
				g.Banned(floodAddr(i % 100_000))
			}
		})
	}
	wg.Wait()
	// The published table and the bans held agree.
	for _, b := range g.Bans() {
		if got, ok := g.Banned(b.IP); !ok || got != b {
			t.Errorf("Bans lists %+v, Banned says %+v %v", b, got, ok)
		}
	}
}
