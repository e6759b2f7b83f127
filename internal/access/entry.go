package access

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gaissmai/bart"
)

// List names, as used in [EntryError.List]; they are the YAML key names of the
// lists.
const (
	ListWhitelist      = "whitelist"
	ListBlacklist      = "blacklist"
	ListTrustedProxies = "trusted_proxies"
)

// ParseEntry parses one list entry: an IPv4 or IPv6 address, which becomes a
// /32 or /128 prefix, or a CIDR prefix. Surrounding white space is trimmed.
//
// The result is canonical: a prefix with host bits set is accepted and masked
// ("10.1.2.3/8" becomes 10.0.0.0/8), and an IPv4-mapped IPv6 entry becomes the
// IPv4 entry it denotes ("::ffff:10.0.0.0/104" becomes 10.0.0.0/8). Refused,
// with an error that quotes the entry: anything that is not an address or a
// prefix, a prefix length out of range or spelled with a sign or leading zero,
// an IPv6 zone ("fe80::1%eth0"), and an IPv4-mapped prefix shorter than /96.
func ParseEntry(s string) (netip.Prefix, error) {
	v := strings.TrimSpace(s)
	addrPart, bitsPart, hasBits := strings.Cut(v, "/")
	addr, err := netip.ParseAddr(addrPart)
	if err != nil {
		return netip.Prefix{}, entryError(v, "")
	}
	if addr.Zone() != "" {
		return netip.Prefix{}, entryError(v, "IPv6 zones are not allowed")
	}
	bits := addr.BitLen()
	if hasBits {
		n, ok := parseBits(bitsPart, addr.BitLen())
		if !ok {
			return netip.Prefix{}, entryError(v, fmt.Sprintf("prefix length must be a number from 0 to %d", addr.BitLen()))
		}
		bits = n
	}
	if addr.Is4In6() {
		if bits < 96 {
			return netip.Prefix{}, entryError(v, "an IPv4-mapped prefix must be /96 or longer")
		}
		addr = addr.Unmap()
		bits -= 96
	}
	return netip.PrefixFrom(addr, bits).Masked(), nil
}

// parseBits parses a prefix length: decimal digits, no sign, no leading zero,
// at most max.
func parseBits(s string, max int) (int, bool) {
	if s == "" || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= max
}

func entryError(v, why string) error {
	msg := fmt.Sprintf("%q is not an IP address or CIDR prefix", v)
	if why != "" {
		msg += ": " + why
	}
	return errors.New(msg)
}

// EntryError is one bad entry of a list: the list name (one of the List
// constants), the 0-based index of the entry in that list, the entry as given,
// and why it was refused. A caller that knows where the list came from can map
// List and Index to a field path and a line.
type EntryError struct {
	List  string
	Index int
	Value string
	Err   error
}

// Error reads `whitelist[2]: "10.0.0.300" is not an IP address or CIDR prefix`.
func (e *EntryError) Error() string {
	return fmt.Sprintf("%s[%d]: %v", e.List, e.Index, e.Err)
}

// Unwrap returns the parse error.
func (e *EntryError) Unwrap() error { return e.Err }

// EntryErrors is every bad entry found by [Compile] or [NewProxies], in list
// order. Use errors.As with an *EntryErrors target to get them all, or with an
// **EntryError target to get the first.
type EntryErrors []*EntryError

// Error joins the entry errors with "; ".
func (es EntryErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the entry errors, for errors.Is and errors.As.
func (es EntryErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// parseList parses the entries of one list into tbl, appending every bad one
// to errs.
func parseList(list string, entries []string, tbl *bart.Lite, errs EntryErrors) EntryErrors {
	for i, s := range entries {
		p, err := ParseEntry(s)
		if err != nil {
			errs = append(errs, &EntryError{List: list, Index: i, Value: s, Err: err})
			continue
		}
		tbl.Insert(p)
	}
	return errs
}
