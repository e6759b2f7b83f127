package access

import (
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := list("10.0.0.0/8", "192.0.2.1", "2001:db8:ffff::/48", "::ffff:172.16.0.0/108")
	tests := []struct {
		name string
		peer string // "" is the zero netip.Addr
		xff  []string
		want string // "" is the zero netip.Addr
	}{
		// An untrusted peer is the client, whatever it claims.
		{"ok/untrusted-no-header", "203.0.113.5", nil, "203.0.113.5"},
		{"ok/untrusted-ignores-xff", "203.0.113.5", list("198.51.100.1"), "203.0.113.5"},
		{"ok/untrusted-ignores-spoofed-trusted", "203.0.113.5", list("10.0.0.1"), "203.0.113.5"},
		{"ok/untrusted-v6-ignores-xff", "2001:db8::5", list("198.51.100.1"), "2001:db8::5"},
		{"ok/untrusted-mapped-peer-unmapped", "::ffff:203.0.113.5", list("198.51.100.1"), "203.0.113.5"},
		{"ok/invalid-peer-stays-invalid", "", list("198.51.100.1"), ""},

		// A trusted peer: the rightmost untrusted address is the client.
		{"ok/trusted-single", "10.0.0.1", list("198.51.100.1"), "198.51.100.1"},
		{"ok/trusted-single-proxy-addr", "192.0.2.1", list("198.51.100.1"), "198.51.100.1"},
		{"ok/trusted-mapped-peer", "::ffff:10.0.0.1", list("198.51.100.1"), "198.51.100.1"},
		{"ok/trusted-by-mapped-entry", "172.16.3.4", list("198.51.100.1"), "198.51.100.1"},
		{"ok/trusted-v6-peer", "2001:db8:ffff::1", list("2001:db8:1::9"), "2001:db8:1::9"},
		{"ok/trusted-v6-peer-v4-client", "2001:db8:ffff::1", list("198.51.100.1"), "198.51.100.1"},
		{"ok/spoofed-leftmost-ignored", "10.0.0.1", list("1.2.3.4, 198.51.100.1"), "198.51.100.1"},
		{"ok/spoofed-many-leftmost-ignored", "10.0.0.1", list("1.1.1.1, 2.2.2.2,3.3.3.3, 198.51.100.1"), "198.51.100.1"},
		{"ok/spoofed-trusted-left-of-client", "10.0.0.1", list("10.9.9.9, 198.51.100.1"), "198.51.100.1"},
		{"ok/chain-of-proxies", "10.0.0.1", list("198.51.100.1, 10.0.0.2, 10.0.0.3"), "198.51.100.1"},
		{"ok/chain-mixed-families", "10.0.0.1", list("2001:db8:1::9, 2001:db8:ffff::2, 192.0.2.1"), "2001:db8:1::9"},
		{"ok/chain-mapped-proxy-in-header", "10.0.0.1", list("198.51.100.1, ::ffff:10.0.0.2"), "198.51.100.1"},
		{"ok/chain-across-header-lines", "10.0.0.1", list("6.6.6.6, 198.51.100.1", "10.0.0.2", "10.0.0.3"), "198.51.100.1"},
		{"ok/client-in-last-header-line", "10.0.0.1", list("6.6.6.6", "198.51.100.1"), "198.51.100.1"},
		{"ok/mapped-client-unmapped", "10.0.0.1", list("::ffff:198.51.100.1"), "198.51.100.1"},

		// Nothing untrusted in the header: the leftmost trusted address reached.
		{"ok/empty-header-slice", "10.0.0.1", nil, "10.0.0.1"},
		{"ok/empty-header-value", "10.0.0.1", list(""), "10.0.0.1"},
		{"ok/blank-header-value", "10.0.0.1", list("  ,  "), "10.0.0.1"},
		{"ok/all-trusted", "10.0.0.1", list("10.0.0.3, 10.0.0.2"), "10.0.0.3"},
		{"ok/all-trusted-lines", "10.0.0.1", list("192.0.2.1", "10.0.0.2"), "192.0.2.1"},
		{"ok/empty-elements-skipped", "10.0.0.1", list("198.51.100.1,, 10.0.0.2,"), "198.51.100.1"},

		// Garbage stops the walk; nothing left of it is believed.
		{"fail/garbage-rightmost", "10.0.0.1", list("198.51.100.1, garbage"), "10.0.0.1"},
		{"fail/garbage-after-proxy", "10.0.0.1", list("198.51.100.1, nonsense, 10.0.0.2"), "10.0.0.2"},
		{"fail/unknown-token", "10.0.0.1", list("198.51.100.1, unknown"), "10.0.0.1"},
		{"fail/hostname", "10.0.0.1", list("198.51.100.1, proxy.example.com"), "10.0.0.1"},
		{"fail/bad-octet", "10.0.0.1", list("198.51.100.1, 10.0.0.300"), "10.0.0.1"},
		{"fail/cidr", "10.0.0.1", list("198.51.100.0/24"), "10.0.0.1"},
		{"fail/zone", "10.0.0.1", list("fe80::1%eth0"), "10.0.0.1"},
		{"fail/bracket-zone", "10.0.0.1", list("[fe80::1%25eth0]:80"), "10.0.0.1"},
		{"fail/garbage-in-later-line", "10.0.0.1", list("198.51.100.1", "x"), "10.0.0.1"},
		{"fail/bad-port", "10.0.0.1", list("198.51.100.1:99999"), "10.0.0.1"},
		{"fail/port-not-digits", "10.0.0.1", list("198.51.100.1:http"), "10.0.0.1"},
		{"fail/empty-port", "10.0.0.1", list("198.51.100.1:"), "10.0.0.1"},
		{"fail/two-ports", "10.0.0.1", list("198.51.100.1:80:81"), "10.0.0.1"},
		{"fail/v6-with-port-no-brackets", "10.0.0.1", list("[2001:db8::1]80"), "10.0.0.1"},
		{"fail/unclosed-bracket", "10.0.0.1", list("[2001:db8::1"), "10.0.0.1"},
		{"fail/v4-in-brackets", "10.0.0.1", list("[198.51.100.1]:80"), "10.0.0.1"},
		{"fail/quoted", "10.0.0.1", list(`"198.51.100.1"`), "10.0.0.1"},

		// Ports are stripped.
		{"ok/v4-port", "10.0.0.1", list("198.51.100.1:1234"), "198.51.100.1"},
		{"ok/v4-port-zero", "10.0.0.1", list("198.51.100.1:0"), "198.51.100.1"},
		{"ok/v4-port-max", "10.0.0.1", list("198.51.100.1:65535"), "198.51.100.1"},
		{"ok/v6-bracket-port", "10.0.0.1", list("[2001:db8:1::9]:80"), "2001:db8:1::9"},
		{"ok/v6-bracket-no-port", "10.0.0.1", list("[2001:db8:1::9]"), "2001:db8:1::9"},
		{"ok/v6-bare", "10.0.0.1", list("2001:db8:1::9"), "2001:db8:1::9"},
		{"ok/proxy-with-port-skipped", "10.0.0.1", list("198.51.100.1:5060, 10.0.0.2:443"), "198.51.100.1"},
		{"ok/tabs-and-spaces", "10.0.0.1", list("\t198.51.100.1 ,\t10.0.0.2 "), "198.51.100.1"},
	}
	p, err := NewProxies(proxies)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var peer, want netip.Addr
			if tt.peer != "" {
				peer = netip.MustParseAddr(tt.peer)
			}
			if tt.want != "" {
				want = netip.MustParseAddr(tt.want)
			}
			if got := p.ClientIP(peer, tt.xff); got != want {
				t.Errorf("ClientIP(%v, %q) = %v, want %v", peer, tt.xff, got, want)
			}
		})
	}
}

func TestClientIPNoProxies(t *testing.T) {
	peer := netip.MustParseAddr("10.0.0.1")
	xff := list("198.51.100.1")
	var zero Proxies
	empty, err := NewProxies(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*Proxies{"nil": nil, "zero": &zero, "empty": empty} {
		if got := p.ClientIP(peer, xff); got != peer {
			t.Errorf("%s Proxies: ClientIP = %v, want the peer %v", name, got, peer)
		}
		if p.Trusted(peer) {
			t.Errorf("%s Proxies trusts %v", name, peer)
		}
	}
}

func TestClientIPDoesNotAllocate(t *testing.T) {
	p, err := NewProxies(list("10.0.0.0/8", "2001:db8:ffff::/48"))
	if err != nil {
		t.Fatal(err)
	}
	peer := netip.MustParseAddr("10.0.0.1")
	xff := list("6.6.6.6, [2001:db8:1::9]:443", "10.0.0.3:80, 2001:db8:ffff::2")
	var sink netip.Addr
	if n := testing.AllocsPerRun(100, func() { sink = p.ClientIP(peer, xff) }); n != 0 {
		t.Errorf("ClientIP allocates %v times per call, want 0", n)
	}
	if want := netip.MustParseAddr("2001:db8:1::9"); sink != want {
		t.Errorf("ClientIP = %v, want %v", sink, want)
	}
}
