package access

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// randomPrefix returns a prefix at a random place of the whole address space:
// IPv4 three times in four, IPv6 otherwise, with lengths spread as in real
// access lists (mostly networks, some single hosts).
func randomPrefix(rng *rand.Rand) netip.Prefix {
	if rng.IntN(4) < 3 {
		a := netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		return netip.PrefixFrom(a, 8+rng.IntN(25)).Masked()
	}
	var b [16]byte
	hi, lo := rng.Uint64(), rng.Uint64()
	for i := range 8 {
		b[i], b[8+i] = byte(hi>>(8*i)), byte(lo>>(8*i))
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), 16+rng.IntN(113)).Masked()
}

// benchRules compiles n random prefixes, half whitelist and half blacklist,
// and returns addresses to look up: half inside a listed prefix, half random.
func benchRules(b *testing.B, n int) (*Rules, []netip.Addr) {
	b.Helper()
	g := addrGen{rng: rand.New(rand.NewPCG(1, uint64(n)))}
	prefixes := make([]netip.Prefix, n)
	strs := make([]string, n)
	for i := range prefixes {
		prefixes[i] = randomPrefix(g.rng)
		strs[i] = prefixes[i].String()
	}
	r, err := Compile(strs[:n/2], strs[n/2:])
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 1<<16)
	for i := range addrs {
		if i%2 == 0 {
			addrs[i] = g.within(prefixes[g.rng.IntN(n)])
		} else {
			addrs[i] = randomPrefix(g.rng).Addr()
		}
	}
	return r, addrs
}

func BenchmarkDecide(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
	}{{"prefixes=1k", 1_000}, {"prefixes=1M", 1_000_000}} {
		b.Run(bc.name, func(b *testing.B) {
			r, addrs := benchRules(b, bc.n)
			b.ReportAllocs()
			var allowed int
			i := 0
			for b.Loop() {
				if r.Decide(addrs[i&(len(addrs)-1)]).Allowed {
					allowed++
				}
				i++
			}
			_ = allowed
		})
	}
}

func BenchmarkClientIP(b *testing.B) {
	p, err := NewProxies([]string{"10.0.0.0/8", "2001:db8:ffff::/48"})
	if err != nil {
		b.Fatal(err)
	}
	peer := netip.MustParseAddr("10.0.0.1")
	xff := []string{"6.6.6.6, 198.51.100.7:5060", "10.0.0.3, [2001:db8:ffff::2]:443"}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.ClientIP(peer, xff)
	}
}
