package access

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// naiveRules is the reference implementation of the four rules: a linear scan
// over plain prefixes, written without the tables or ParseEntry.
type naiveRules struct {
	white, black []netip.Prefix
}

func (n naiveRules) decide(ip netip.Addr) Decision {
	if !ip.IsValid() {
		return Decision{Allowed: false, Reason: ReasonInvalidAddress}
	}
	ip = ip.Unmap().WithZone("")
	in := func(ps []netip.Prefix) bool {
		for _, p := range ps {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	switch {
	case in(n.black):
		return Decision{Allowed: false, Reason: ReasonBlacklisted}
	case len(n.white) > 0 && in(n.white):
		return Decision{Allowed: true, Reason: ReasonWhitelisted}
	case len(n.white) > 0:
		return Decision{Allowed: false, Reason: ReasonNotWhitelisted}
	case len(n.black) > 0:
		return Decision{Allowed: true, Reason: ReasonNotBlacklisted}
	default:
		return Decision{Allowed: true, Reason: ReasonNoRules}
	}
}

// addrGen draws addresses from a small space, so that random prefixes overlap
// and random addresses hit them.
type addrGen struct {
	rng *rand.Rand
}

func (g addrGen) addr() netip.Addr {
	if g.rng.IntN(4) == 0 {
		var b [16]byte
		b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
		b[4] = byte(g.rng.IntN(3))
		for i := 5; i < 16; i++ {
			b[i] = byte(g.rng.IntN(4)) << (g.rng.IntN(2) * 6)
		}
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{10, byte(g.rng.IntN(3)), byte(g.rng.IntN(256)), byte(g.rng.IntN(256))})
}

// within returns a random address inside p.
func (g addrGen) within(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		if g.rng.IntN(2) == 1 {
			b[i/8] |= 0x80 >> (i % 8)
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// entry returns a random prefix (host bits often set) and the string that
// spells it, sometimes as a single address or as an IPv4-mapped IPv6 entry.
func (g addrGen) entry() (netip.Prefix, string) {
	a := g.addr()
	var bits int
	if a.Is4() {
		bits = 8 + g.rng.IntN(25)
		if g.rng.IntN(50) == 0 {
			bits = 0
		}
	} else {
		bits = 32 + g.rng.IntN(97)
		if g.rng.IntN(50) == 0 {
			bits = 0
		}
	}
	p := netip.PrefixFrom(a, bits)
	switch {
	case bits == a.BitLen() && g.rng.IntN(2) == 0:
		return p, a.String()
	case a.Is4() && g.rng.IntN(5) == 0:
		mapped := netip.AddrFrom16(a.As16())
		return p, netip.PrefixFrom(mapped, bits+96).String()
	default:
		return p, p.String()
	}
}

func (g addrGen) list(n int) ([]netip.Prefix, []string) {
	ps := make([]netip.Prefix, n)
	ss := make([]string, n)
	for i := range ps {
		ps[i], ss[i] = g.entry()
	}
	return ps, ss
}

func TestDecideMatchesNaive(t *testing.T) {
	g := addrGen{rng: rand.New(rand.NewPCG(20240601, 1))}
	var count [6]int // decisions per reason, to prove every path was exercised
	reasons := map[Reason]int{
		ReasonNoRules: 0, ReasonWhitelisted: 1, ReasonBlacklisted: 2,
		ReasonNotWhitelisted: 3, ReasonNotBlacklisted: 4, ReasonInvalidAddress: 5,
	}
	for round := range 300 {
		nw, nb := g.rng.IntN(40), g.rng.IntN(40)
		switch round % 4 { // force each shape of rule set
		case 0:
			nw = 0
		case 1:
			nb = 0
		case 2:
			if round%8 == 2 {
				nw, nb = 0, 0
			}
		}
		wp, ws := g.list(nw)
		bp, bs := g.list(nb)
		r, err := Compile(ws, bs)
		if err != nil {
			t.Fatalf("round %d: Compile: %v", round, err)
		}
		ref := naiveRules{white: wp, black: bp}
		all := append(append([]netip.Prefix(nil), wp...), bp...)
		for range 400 {
			var ip netip.Addr
			switch k := g.rng.IntN(20); {
			case k == 0:
				// the invalid address
			case k < 10 && len(all) > 0:
				ip = g.within(all[g.rng.IntN(len(all))])
			default:
				ip = g.addr()
			}
			if ip.Is4() && g.rng.IntN(4) == 0 {
				ip = netip.AddrFrom16(ip.As16()) // peer seen as IPv4-mapped IPv6
			}
			got, want := r.Decide(ip), ref.decide(ip)
			if got != want {
				t.Fatalf("round %d: Decide(%v) = %+v, naive says %+v\nwhitelist %q\nblacklist %q",
					round, ip, got, want, ws, bs)
			}
			count[reasons[got.Reason]]++
		}
	}
	for reason, i := range reasons {
		if count[i] < 100 {
			t.Errorf("only %d decisions with reason %s: the generator does not exercise it", count[i], reason)
		}
	}
	t.Logf("decisions per reason: %v", count)
}
