package access

import (
	"net/netip"
	"testing"
)

// list is shorthand for a literal entry list in the tables.
func list(s ...string) []string { return s }

func TestDecide(t *testing.T) {
	const (
		allow = true
		deny  = false
	)
	var (
		none   []string
		lan4   = list("192.168.1.0/24")
		lan6   = list("2001:db8:1::/48")
		mixed  = list("10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1")
		nested = list("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3")
	)
	tests := []struct {
		name   string
		white  []string
		black  []string
		ip     string // "" is the zero netip.Addr
		allow  bool
		reason Reason
	}{
		// Rule 3: both lists empty, every IP is allowed.
		{"ok/no-rules-v4", none, none, "203.0.113.9", allow, ReasonNoRules},
		{"ok/no-rules-v6", none, none, "2001:db8::9", allow, ReasonNoRules},
		{"ok/no-rules-mapped", none, none, "::ffff:203.0.113.9", allow, ReasonNoRules},
		{"ok/no-rules-unspecified", none, none, "0.0.0.0", allow, ReasonNoRules},
		{"ok/no-rules-empty-slices", list(), list(), "198.51.100.1", allow, ReasonNoRules},
		{"fail/no-rules-invalid-address", none, none, "", deny, ReasonInvalidAddress},

		// Rule 1: whitelisted and not blacklisted is allowed.
		{"ok/whitelist-cidr-v4", lan4, none, "192.168.1.77", allow, ReasonWhitelisted},
		{"ok/whitelist-cidr-v4-first", lan4, none, "192.168.1.0", allow, ReasonWhitelisted},
		{"ok/whitelist-cidr-v4-last", lan4, none, "192.168.1.255", allow, ReasonWhitelisted},
		{"ok/whitelist-single-v4", list("192.0.2.7"), none, "192.0.2.7", allow, ReasonWhitelisted},
		{"ok/whitelist-cidr-v6", lan6, none, "2001:db8:1:ffff::1", allow, ReasonWhitelisted},
		{"ok/whitelist-single-v6", list("2001:db8::7"), none, "2001:db8::7", allow, ReasonWhitelisted},
		{"ok/whitelist-mixed-v4", mixed, none, "10.200.3.4", allow, ReasonWhitelisted},
		{"ok/whitelist-mixed-single-v4", mixed, none, "192.0.2.7", allow, ReasonWhitelisted},
		{"ok/whitelist-mixed-v6", mixed, none, "2001:db8:ffff::1", allow, ReasonWhitelisted},
		{"ok/whitelist-mixed-loopback-v6", mixed, none, "::1", allow, ReasonWhitelisted},
		{"ok/whitelist-not-blacklisted", lan4, list("192.168.1.128/25"), "192.168.1.5", allow, ReasonWhitelisted},
		{"ok/whitelist-v6-with-v4-blacklist", lan6, list("0.0.0.0/0"), "2001:db8:1::5", allow, ReasonWhitelisted},
		{"ok/whitelist-nested-deepest", nested, none, "10.1.2.3", allow, ReasonWhitelisted},
		{"ok/whitelist-nested-middle", nested, none, "10.1.9.9", allow, ReasonWhitelisted},
		{"ok/whitelist-nested-outer", nested, none, "10.9.9.9", allow, ReasonWhitelisted},
		{"ok/whitelist-slash-0-v4", list("0.0.0.0/0"), none, "203.0.113.1", allow, ReasonWhitelisted},
		{"ok/whitelist-slash-0-v6", list("::/0"), none, "2001:db8::1", allow, ReasonWhitelisted},
		{"ok/whitelist-host-bits-masked", list("192.168.1.99/24"), none, "192.168.1.1", allow, ReasonWhitelisted},
		{"ok/whitelist-host-bits-v6", list("2001:db8::1/32"), none, "2001:db8:ffff::2", allow, ReasonWhitelisted},
		{"ok/whitelist-spaces-trimmed", list("  192.168.1.0/24 "), none, "192.168.1.1", allow, ReasonWhitelisted},

		// An IPv4-mapped IPv6 peer matches IPv4 rules; mapped entries are IPv4.
		{"ok/mapped-peer-v4-whitelist", lan4, none, "::ffff:192.168.1.77", allow, ReasonWhitelisted},
		{"ok/mapped-peer-v4-single", list("192.0.2.7"), none, "::ffff:192.0.2.7", allow, ReasonWhitelisted},
		{"ok/mapped-entry-v4-peer", list("::ffff:192.168.1.0/120"), none, "192.168.1.8", allow, ReasonWhitelisted},
		{"ok/mapped-entry-mapped-peer", list("::ffff:192.0.2.7"), none, "::ffff:192.0.2.7", allow, ReasonWhitelisted},
		{"ok/mapped-entry-slash-96-is-v4-any", list("::ffff:0.0.0.0/96"), none, "198.51.100.1", allow, ReasonWhitelisted},
		{"fail/mapped-entry-slash-96-not-v6", list("::ffff:0.0.0.0/96"), none, "2001:db8::1", deny, ReasonNotWhitelisted},
		{"fail/mapped-peer-v4-blacklist", none, lan4, "::ffff:192.168.1.77", deny, ReasonBlacklisted},
		{"fail/mapped-peer-not-whitelisted", lan4, none, "::ffff:192.168.2.1", deny, ReasonNotWhitelisted},
		{"fail/mapped-entry-blacklist", none, list("::ffff:203.0.113.0/120"), "203.0.113.50", deny, ReasonBlacklisted},
		{"fail/v6-slash-0-does-not-cover-mapped", list("::/0"), none, "::ffff:192.0.2.1", deny, ReasonNotWhitelisted},
		{"fail/v6-blacklist-slash-0-not-mapped", none, list("::/0"), "::ffff:192.0.2.1", allow, ReasonNotBlacklisted},

		// Rule 2: blacklisted is never allowed, even when whitelisted.
		{"fail/blacklist-wins", lan4, list("192.168.1.66"), "192.168.1.66", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-same-prefix", lan4, lan4, "192.168.1.1", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-wider", list("192.168.1.66"), list("192.168.0.0/16"), "192.168.1.66", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-narrower", lan4, list("192.168.1.64/26"), "192.168.1.100", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-v6", lan6, list("2001:db8:1:2::/64"), "2001:db8:1:2::99", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-slash-0-v4", lan4, list("0.0.0.0/0"), "192.168.1.1", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-slash-0-v6", lan6, list("::/0"), "2001:db8:1::1", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-mixed-v6", mixed, list("2001:db8:dead::/48"), "2001:db8:dead::1", deny, ReasonBlacklisted},
		{"fail/blacklist-wins-nested", nested, list("10.1.2.0/24"), "10.1.2.3", deny, ReasonBlacklisted},
		{"fail/blacklist-only-v4", none, list("203.0.113.0/24"), "203.0.113.200", deny, ReasonBlacklisted},
		{"fail/blacklist-only-single-v4", none, list("203.0.113.9"), "203.0.113.9", deny, ReasonBlacklisted},
		{"fail/blacklist-only-v6", none, list("2001:db8:bad::/48"), "2001:db8:bad::1", deny, ReasonBlacklisted},
		{"fail/blacklist-only-single-v6", none, list("2001:db8::bad"), "2001:db8::bad", deny, ReasonBlacklisted},
		{"fail/blacklist-slash-0-v4", none, list("0.0.0.0/0"), "8.8.8.8", deny, ReasonBlacklisted},
		{"fail/blacklist-host-bits", none, list("203.0.113.9/24"), "203.0.113.1", deny, ReasonBlacklisted},
		{"fail/blacklist-zoned-peer", none, list("fe80::/10"), "fe80::1%eth0", deny, ReasonBlacklisted},
		{"fail/blacklist-zoned-peer-single", none, list("fe80::1"), "fe80::1%eth0", deny, ReasonBlacklisted},
		{"fail/blacklist-invalid-address", none, list("0.0.0.0/0", "::/0"), "", deny, ReasonInvalidAddress},

		// Rule 4: a non-empty whitelist allows only what it lists.
		{"fail/not-whitelisted-v4", lan4, none, "192.168.2.1", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-v4-adjacent", lan4, none, "192.168.0.255", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-single", list("192.0.2.7"), none, "192.0.2.8", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-v6", lan6, none, "2001:db8:2::1", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-v6-single", list("2001:db8::7"), none, "2001:db8::8", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-v4-against-v6-list", lan6, none, "192.168.1.1", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-v6-against-v4-list", lan4, none, "2001:db8:1::1", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-v4-slash-0-v6-addr", list("0.0.0.0/0"), none, "2001:db8::1", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-mixed", mixed, none, "11.0.0.1", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-mixed-v6", mixed, none, "::2", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-nested", nested, none, "11.1.2.3", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-not-blacklisted", lan4, list("10.0.0.0/8"), "172.16.0.1", deny, ReasonNotWhitelisted},
		{"fail/not-whitelisted-compat-not-mapped", list("192.0.2.7"), none, "::192.0.2.7", deny, ReasonNotWhitelisted},
		{"fail/whitelist-invalid-address", list("0.0.0.0/0", "::/0"), none, "", deny, ReasonInvalidAddress},

		// Rule 4, blacklist only: all but the blacklisted.
		{"ok/not-blacklisted-v4", none, list("203.0.113.0/24"), "203.0.114.1", allow, ReasonNotBlacklisted},
		{"ok/not-blacklisted-v6", none, list("2001:db8:bad::/48"), "2001:db8:bad1::1", allow, ReasonNotBlacklisted},
		{"ok/not-blacklisted-v4-against-v6", none, list("::/0"), "198.51.100.1", allow, ReasonNotBlacklisted},
		{"ok/not-blacklisted-v6-against-v4", none, list("0.0.0.0/0"), "2001:db8::1", allow, ReasonNotBlacklisted},
		{"ok/not-blacklisted-mapped", none, list("203.0.113.0/24"), "::ffff:198.51.100.1", allow, ReasonNotBlacklisted},
		{"ok/not-blacklisted-single", none, list("203.0.113.9"), "203.0.113.10", allow, ReasonNotBlacklisted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile(tt.white, tt.black)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			var ip netip.Addr
			if tt.ip != "" {
				ip = netip.MustParseAddr(tt.ip)
			}
			want := Decision{Allowed: tt.allow, Reason: tt.reason}
			if got := r.Decide(ip); got != want {
				t.Errorf("Decide(%s) = %+v, want %+v", tt.ip, got, want)
			}
			if got := r.Allowed(ip); got != tt.allow {
				t.Errorf("Allowed(%s) = %v, want %v", tt.ip, got, tt.allow)
			}
		})
	}
}

func TestZeroRulesAllowAll(t *testing.T) {
	var r Rules
	for _, s := range []string{"192.0.2.1", "2001:db8::1", "::ffff:10.0.0.1"} {
		if got := r.Decide(netip.MustParseAddr(s)); got != (Decision{Allowed: true, Reason: ReasonNoRules}) {
			t.Errorf("zero Rules Decide(%s) = %+v, want allowed no-rules", s, got)
		}
	}
	if got := r.Decide(netip.Addr{}); got.Allowed {
		t.Errorf("zero Rules allowed the invalid address: %+v", got)
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	r, err := Compile(
		[]string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "fe80::/10"},
		[]string{"10.1.0.0/16", "2001:db8:bad::/48"},
	)
	if err != nil {
		t.Fatal(err)
	}
	addrs := []netip.Addr{
		netip.MustParseAddr("10.2.3.4"),
		netip.MustParseAddr("10.1.3.4"),
		netip.MustParseAddr("192.0.2.7"),
		netip.MustParseAddr("::ffff:10.2.3.4"),
		netip.MustParseAddr("2001:db8::1"),
		netip.MustParseAddr("2001:db8:bad::1"),
		netip.MustParseAddr("fe80::1%eth0"),
		netip.MustParseAddr("203.0.113.1"),
		{},
	}
	var sink Decision
	for _, ip := range addrs {
		if n := testing.AllocsPerRun(100, func() { sink = r.Decide(ip) }); n != 0 {
			t.Errorf("Decide(%v) allocates %v times per call, want 0", ip, n)
		}
	}
	_ = sink
}
