package access

import (
	"net/netip"

	"github.com/gaissmai/bart"
)

// Reason says which rule made a [Decision].
type Reason string

// The reasons of a decision.
const (
	// ReasonNoRules: both lists are empty, every address is allowed.
	ReasonNoRules Reason = "no-rules"
	// ReasonWhitelisted: the address is in the whitelist and not in the
	// blacklist.
	ReasonWhitelisted Reason = "whitelisted"
	// ReasonBlacklisted: the address is in the blacklist, whether or not it is
	// also in the whitelist.
	ReasonBlacklisted Reason = "blacklisted"
	// ReasonNotWhitelisted: the whitelist is not empty and the address is not
	// in it.
	ReasonNotWhitelisted Reason = "not-whitelisted"
	// ReasonNotBlacklisted: only a blacklist is set and the address is not in
	// it, so it is allowed.
	ReasonNotBlacklisted Reason = "not-blacklisted"
	// ReasonInvalidAddress: the address is the zero netip.Addr; it is refused.
	ReasonInvalidAddress Reason = "invalid-address"
)

// Decision is the answer for one address.
type Decision struct {
	Allowed bool
	Reason  Reason
}

// Rules is a compiled whitelist and blacklist. The zero Rules has both lists
// empty and allows every valid address. A Rules is immutable once compiled and
// safe for concurrent use; it must not be copied (use the pointer).
type Rules struct {
	white bart.Lite
	black bart.Lite
}

// Compile parses both lists (see [ParseEntry] for the syntax) and builds the
// tables. If any entry is bad, the error is an [EntryErrors] listing every bad
// entry of both lists, whitelist first, and the Rules is nil. Duplicate and
// overlapping entries are allowed.
func Compile(whitelist, blacklist []string) (*Rules, error) {
	r := &Rules{}
	var errs EntryErrors
	errs = parseList(ListWhitelist, whitelist, &r.white, errs)
	errs = parseList(ListBlacklist, blacklist, &r.black, errs)
	if len(errs) > 0 {
		return nil, errs
	}
	return r, nil
}

// Decide applies the access rules to ip:
//
//  1. an IP in the whitelist is allowed, unless it is also in the blacklist;
//  2. an IP in the blacklist is never allowed;
//  3. both lists empty: every IP is allowed;
//  4. whitelist non-empty: only whitelisted IPs are allowed (blacklist-only:
//     all but those).
//
// An IPv4-mapped IPv6 address is matched as the IPv4 address it carries, and a
// zone is ignored. The zero (invalid) netip.Addr is refused with
// [ReasonInvalidAddress]. Decide does not allocate.
func (r *Rules) Decide(ip netip.Addr) Decision {
	if !ip.IsValid() {
		return Decision{Allowed: false, Reason: ReasonInvalidAddress}
	}
	ip = ip.Unmap()
	if r.black.Contains(ip) {
		return Decision{Allowed: false, Reason: ReasonBlacklisted}
	}
	if r.white.Size() > 0 {
		if r.white.Contains(ip) {
			return Decision{Allowed: true, Reason: ReasonWhitelisted}
		}
		return Decision{Allowed: false, Reason: ReasonNotWhitelisted}
	}
	if r.black.Size() > 0 {
		return Decision{Allowed: true, Reason: ReasonNotBlacklisted}
	}
	return Decision{Allowed: true, Reason: ReasonNoRules}
}

// Allowed reports whether [Rules.Decide] allows ip.
func (r *Rules) Allowed(ip netip.Addr) bool {
	return r.Decide(ip).Allowed
}

// Len returns the number of distinct prefixes in each list, after masking
// and removing duplicates.
func (r *Rules) Len() (white, black int) {
	return r.white.Size(), r.black.Size()
}
