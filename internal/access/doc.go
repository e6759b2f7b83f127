// Package access is pbxgate's IP access decision engine: it compiles the
// whitelist and blacklist of a security context into prefix tables and decides,
// for one client address, whether the request may pass. It also finds the
// client address of a request that came through trusted reverse proxies.
//
// The package is pure: no I/O, no logging, no net/http. Front-ends ask it; it
// answers with a [Decision] that carries the [Reason], so the caller can log
// and count why an address was refused.
//
// # Entries
//
// A list entry is an IPv4 or IPv6 address ("192.0.2.1", "2001:db8::1"), which
// stands for itself (a /32 or /128), or a CIDR prefix ("192.168.1.0/24",
// "2001:db8::/32"). Surrounding spaces are trimmed. A prefix whose address has
// host bits set ("10.1.2.3/8") is accepted and masked to its network
// ("10.0.0.0/8"): the operator's intent is clear and refusing it would only
// make a config fail over a cosmetic detail. IPv4-mapped IPv6 entries
// ("::ffff:192.0.2.1", "::ffff:10.0.0.0/104") are stored as the IPv4 entry
// they denote ("192.0.2.1/32", "10.0.0.0/8"); a mapped prefix shorter than /96
// would cover more than the mapped range and is refused. IPv6 zones
// ("fe80::1%eth0") are refused: a rule cannot depend on an interface name.
// See [ParseEntry].
//
// # Rules
//
// [Compile] builds [Rules] from the two lists; [Rules.Decide] applies, exactly:
//
//  1. an IP in the whitelist is allowed, unless it is also in the blacklist;
//  2. an IP in the blacklist is never allowed;
//  3. both lists empty: every IP is allowed;
//  4. whitelist non-empty: only whitelisted IPs are allowed (blacklist-only:
//     all but those).
//
// An IPv4-mapped IPv6 peer (::ffff:192.0.2.1) is matched as the IPv4 address it
// carries; an invalid (zero) address is always refused. Decide does not
// allocate and is safe for concurrent use.
//
// # Client address
//
// [Proxies.ClientIP] returns the socket peer, unless the peer is a trusted
// proxy: then it walks X-Forwarded-For from right to left, over the addresses
// the trusted proxies added, and returns the first address that is not itself
// a trusted proxy. See its documentation for the exact rule.
package access
