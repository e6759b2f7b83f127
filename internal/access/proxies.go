package access

import (
	"net/netip"
	"strings"

	"github.com/gaissmai/bart"
)

// Proxies is the set of trusted reverse proxies, whose X-Forwarded-For header
// is believed. A nil or zero Proxies trusts no one. It is immutable once built
// and safe for concurrent use.
type Proxies struct {
	set bart.Lite
}

// NewProxies parses the trusted proxy entries, with the syntax of
// [ParseEntry]. If any entry is bad, the error is an [EntryErrors] whose
// entries have List [ListTrustedProxies], and the Proxies is nil.
func NewProxies(entries []string) (*Proxies, error) {
	p := &Proxies{}
	if errs := parseList(ListTrustedProxies, entries, &p.set, nil); len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// Len returns the number of distinct trusted prefixes.
func (p *Proxies) Len() int {
	if p == nil {
		return 0
	}
	return p.set.Size()
}

// Trusted reports whether ip is a trusted proxy. An IPv4-mapped IPv6 address
// is matched as IPv4; the invalid address is never trusted.
func (p *Proxies) Trusted(ip netip.Addr) bool {
	if p == nil || !ip.IsValid() {
		return false
	}
	return p.set.Contains(ip.Unmap())
}

// ClientIP returns the address of the client behind the socket peer, given the
// values of the request's X-Forwarded-For header fields in the order they
// appear (each value may be a comma-separated list). The rule:
//
//   - If the peer is not a trusted proxy, the header is ignored (anyone can
//     send it) and the peer is the client.
//   - Otherwise the addresses of the header, read as one list, are walked from
//     right to left: the rightmost one was added by the nearest proxy, and
//     only the part the trusted proxies appended can be believed. An address
//     that is itself a trusted proxy is stepped over; the first one that is
//     not trusted is the client.
//   - A malformed element ("unknown", a name, garbage) stops the walk: nothing
//     left of it can be believed, and the last address reached (the peer or a
//     trusted proxy) is returned. Empty list elements (",,") are skipped, as
//     HTTP list syntax allows.
//   - If the header is empty or every address in it is trusted, the leftmost
//     trusted address reached (or the peer) is returned.
//
// An element may carry a port ("192.0.2.1:1234", "[2001:db8::1]:80"), which is
// dropped; an IPv6 address may be in brackets without a port. IPv4-mapped IPv6
// addresses are returned as IPv4; an IPv6 zone is malformed. The returned
// address is valid whenever peer is. ClientIP does not allocate.
func (p *Proxies) ClientIP(peer netip.Addr, xff []string) netip.Addr {
	peer = peer.Unmap()
	if !p.Trusted(peer) {
		return peer
	}
	cur := peer
	for i := len(xff) - 1; i >= 0; i-- {
		rest := xff[i]
		for done := false; !done; {
			elem := rest
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				elem, rest = rest[j+1:], rest[:j]
			} else {
				done = true
			}
			elem = strings.Trim(elem, " \t")
			if elem == "" {
				continue
			}
			a, ok := parseForwardedAddr(elem)
			if !ok {
				return cur
			}
			if !p.Trusted(a) {
				return a
			}
			cur = a
		}
	}
	return cur
}

// parseForwardedAddr parses one X-Forwarded-For element: an address, an IPv4
// address with a port, or a bracketed IPv6 address with or without a port.
func parseForwardedAddr(s string) (netip.Addr, bool) {
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		if rest := s[end+1:]; rest != "" && (rest[0] != ':' || !validPort(rest[1:])) {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}, false
		}
		return a.Unmap(), true
	}
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.IndexByte(s[i+1:], ':') < 0 {
		// One colon: an IPv4 address and a port (IPv6 has at least two).
		if !validPort(s[i+1:]) {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s[:i])
		if err != nil || !a.Is4() {
			return netip.Addr{}, false
		}
		return a, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// validPort reports whether s is a decimal port number, 0 to 65535 (leading
// zeros allowed, as strconv.ParseUint does).
func validPort(s string) bool {
	if s == "" {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return false
		}
	}
	return true
}
