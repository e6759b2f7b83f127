package access_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/pbxgate/pbxgate/internal/access"
)

func show(r *access.Rules, ips ...string) {
	for _, s := range ips {
		d := r.Decide(netip.MustParseAddr(s))
		fmt.Printf("%-20s allowed=%-5v %s\n", s, d.Allowed, d.Reason)
	}
}

// Rule 1: an IP in the whitelist is allowed, unless it is also in the
// blacklist.
func Example_whitelistUnlessBlacklisted() {
	r, err := access.Compile(
		[]string{"192.168.1.0/24", "2001:db8::/32"},
		[]string{"192.168.1.66"},
	)
	if err != nil {
		panic(err)
	}
	show(r, "192.168.1.10", "2001:db8::7", "192.168.1.66")
	// Output:
	// 192.168.1.10         allowed=true  whitelisted
	// 2001:db8::7          allowed=true  whitelisted
	// 192.168.1.66         allowed=false blacklisted
}

// Rule 2: an IP in the blacklist is never allowed, even when a whitelist
// entry covers it too.
func Example_blacklistNeverAllowed() {
	r, err := access.Compile(
		[]string{"0.0.0.0/0"},
		[]string{"203.0.113.0/24"},
	)
	if err != nil {
		panic(err)
	}
	show(r, "203.0.113.9", "::ffff:203.0.113.9", "198.51.100.1")
	// Output:
	// 203.0.113.9          allowed=false blacklisted
	// ::ffff:203.0.113.9   allowed=false blacklisted
	// 198.51.100.1         allowed=true  whitelisted
}

// Rule 3: both lists empty, every IP is allowed.
func Example_noRules() {
	r, err := access.Compile(nil, nil)
	if err != nil {
		panic(err)
	}
	show(r, "198.51.100.1", "2001:db8::1")
	// Output:
	// 198.51.100.1         allowed=true  no-rules
	// 2001:db8::1          allowed=true  no-rules
}

// Rule 4: a non-empty whitelist allows only what it lists; a blacklist alone
// allows all but what it lists.
func Example_onlyWhitelisted() {
	white, err := access.Compile([]string{"10.0.0.0/8"}, nil)
	if err != nil {
		panic(err)
	}
	show(white, "10.1.2.3", "172.16.0.1")
	black, err := access.Compile(nil, []string{"10.0.0.0/8"})
	if err != nil {
		panic(err)
	}
	show(black, "10.1.2.3", "172.16.0.1")
	// Output:
	// 10.1.2.3             allowed=true  whitelisted
	// 172.16.0.1           allowed=false not-whitelisted
	// 10.1.2.3             allowed=false blacklisted
	// 172.16.0.1           allowed=true  not-blacklisted
}

func ExampleCompile_errors() {
	_, err := access.Compile([]string{"10.0.0.0/8", "10.0.0.300"}, []string{"fe80::1%eth0"})
	var errs access.EntryErrors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Printf("%s %d %q: %v\n", e.List, e.Index, e.Value, e.Err)
		}
	}
	// Output:
	// whitelist 1 "10.0.0.300": "10.0.0.300" is not an IP address or CIDR prefix
	// blacklist 0 "fe80::1%eth0": "fe80::1%eth0" is not an IP address or CIDR prefix: IPv6 zones are not allowed
}

func ExampleParseEntry() {
	for _, s := range []string{"192.0.2.1", "10.1.2.3/8", "::ffff:10.0.0.0/104", "2001:db8::/32"} {
		p, err := access.ParseEntry(s)
		fmt.Println(p, err)
	}
	// Output:
	// 192.0.2.1/32 <nil>
	// 10.0.0.0/8 <nil>
	// 10.0.0.0/8 <nil>
	// 2001:db8::/32 <nil>
}

func ExampleProxies_ClientIP() {
	p, err := access.NewProxies([]string{"10.0.0.0/8"})
	if err != nil {
		panic(err)
	}
	// The client spoofs an address; the proxy at 10.0.0.2 appends the real
	// one; the proxy at 10.0.0.1 appends 10.0.0.2 and connects to us.
	xff := []string{"6.6.6.6, 198.51.100.7, 10.0.0.2"}
	fmt.Println(p.ClientIP(netip.MustParseAddr("10.0.0.1"), xff))
	// Anyone else's header is ignored.
	fmt.Println(p.ClientIP(netip.MustParseAddr("203.0.113.5"), xff))
	// Output:
	// 198.51.100.7
	// 203.0.113.5
}
