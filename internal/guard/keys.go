package guard

import (
	"hash/maphash"
	"net/netip"
)

// key returns the counting key of an unmapped address: itself for IPv4, its
// IPv6Prefix network for IPv6.
func (g *Guard) key(ip netip.Addr) netip.Addr {
	if ip.Is4() || g.v6bits == 128 {
		return ip
	}
	p, _ := ip.Prefix(g.v6bits)
	return p.Addr()
}

// prefix returns the range a key covers.
func (g *Guard) prefix(k netip.Addr) netip.Prefix {
	if k.Is4() {
		return netip.PrefixFrom(k, 32)
	}
	return netip.PrefixFrom(k, g.v6bits)
}

// hash returns the key of a user name: names are attacker-chosen and of any
// length, so the tables keep a keyed 64-bit hash, never the string.
func (g *Guard) hash(user string) uint64 {
	return maphash.String(g.seed, user) &^ (1 << 63)
}

// identity returns what a site's failure is counted against: the user, else
// the MAC, else one anonymous identity (0) for every failure naming neither.
func (g *Guard) identity(user string, mac uint64, isMAC bool) uint64 {
	switch {
	case user != "":
		return g.hash(user) | 1
	case isMAC:
		return 1<<63 | mac
	}
	return 0
}

// parseMAC parses twelve hexadecimal digits, in either case.
func parseMAC(s string) (uint64, bool) {
	if len(s) != 12 {
		return 0, false
	}
	var v uint64
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint64(c)
	}
	return v, true
}
