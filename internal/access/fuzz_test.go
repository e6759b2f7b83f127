package access

import (
	"net/netip"
	"strings"
	"testing"
)

func FuzzParseEntry(f *testing.F) {
	for _, s := range []string{
		"192.0.2.1", "10.1.2.3/8", "2001:db8::/32", "::ffff:10.0.0.0/104",
		"::ffff:0:0/95", "fe80::1%eth0", "10.0.0.300", " 10.0.0.0/8 ", "0.0.0.0/0",
		"::/0", "10.0.0.0/08", "", "1.2.3.4/32/1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseEntry(s)
		if err != nil {
			if p.IsValid() {
				t.Fatalf("ParseEntry(%q) returned %v with error %v", s, p, err)
			}
			if !strings.Contains(err.Error(), "is not an IP address or CIDR prefix") {
				t.Fatalf("ParseEntry(%q) error %q does not say what is wrong", s, err)
			}
			return
		}
		if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() || p.Addr().Zone() != "" {
			t.Fatalf("ParseEntry(%q) = %v, not canonical", s, p)
		}
		again, err := ParseEntry(p.String())
		if err != nil || again != p {
			t.Fatalf("ParseEntry(%q) = %v, which re-parses to %v, %v", s, p, again, err)
		}
	})
}

// refClientIP is the reference for FuzzClientIP: the rule of ClientIP written
// with strings.Split and netip.ParseAddrPort.
func refClientIP(p *Proxies, peer netip.Addr, xff []string) netip.Addr {
	peer = peer.Unmap()
	if !p.Trusted(peer) {
		return peer
	}
	var elems []string
	for _, v := range xff {
		elems = append(elems, strings.Split(v, ",")...)
	}
	cur := peer
	for i := len(elems) - 1; i >= 0; i-- {
		e := strings.Trim(elems[i], " \t")
		if e == "" {
			continue
		}
		var a netip.Addr
		if ap, err := netip.ParseAddrPort(e); err == nil {
			a = ap.Addr()
		} else if b, ok := strings.CutPrefix(e, "["); ok && strings.HasSuffix(b, "]") {
			x, err := netip.ParseAddr(strings.TrimSuffix(b, "]"))
			if err != nil || !x.Is6() {
				return cur
			}
			a = x
		} else if x, err := netip.ParseAddr(e); err == nil {
			a = x
		} else {
			return cur
		}
		if a.Zone() != "" {
			return cur
		}
		a = a.Unmap()
		if !p.Trusted(a) {
			return a
		}
		cur = a
	}
	return cur
}

func FuzzClientIP(f *testing.F) {
	p, err := NewProxies([]string{"10.0.0.0/8", "192.0.2.1", "2001:db8:ffff::/48"})
	if err != nil {
		f.Fatal(err)
	}
	// xff holds the header values separated by newlines.
	f.Add("10.0.0.1", "198.51.100.1")
	f.Add("10.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2")
	f.Add("10.0.0.1", "6.6.6.6\n198.51.100.1:80\n10.0.0.2")
	f.Add("10.0.0.1", "garbage, 10.0.0.2")
	f.Add("2001:db8:ffff::1", "[2001:db8::1]:443, [2001:db8:ffff::2]")
	f.Add("::ffff:10.0.0.1", "::ffff:198.51.100.1")
	f.Add("203.0.113.5", "10.0.0.1")
	f.Add("10.0.0.1", ",, ,")
	f.Add("10.0.0.1", "[fe80::1%25eth0]:80")
	f.Add("", "198.51.100.1")
	f.Fuzz(func(t *testing.T, peerStr, header string) {
		peer, _ := netip.ParseAddr(peerStr)
		var xff []string
		if header != "" {
			xff = strings.Split(header, "\n")
		}
		got := p.ClientIP(peer, xff)
		if want := refClientIP(p, peer, xff); got != want {
			t.Fatalf("ClientIP(%v, %q) = %v, reference says %v", peer, xff, got, want)
		}
		if !p.Trusted(peer) && got != peer.Unmap() {
			t.Fatalf("untrusted peer %v: ClientIP = %v, want the peer", peer, got)
		}
		if peer.IsValid() && (!got.IsValid() || got.Is4In6()) {
			t.Fatalf("ClientIP(%v, %q) = %v: invalid or IPv4-mapped", peer, xff, got)
		}
	})
}
