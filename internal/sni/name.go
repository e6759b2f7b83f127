package sni

import (
	"fmt"
	"net/netip"
	"strings"
)

// maxName is the longest DNS name in presentation form, without the trailing
// dot (RFC 1035 §2.3.4: 255 octets on the wire).
const maxName = 253

// maxLabel is the longest DNS label (RFC 1035 §2.3.4).
const maxLabel = 63

// nameKind is what normalize found in a server name.
type nameKind uint8

const (
	nameOK      nameKind = iota // a DNS name, normalized into the buffer
	nameEmpty                   // no name at all
	nameNumeric                 // last label all digits: an IPv4 literal or no DNS name
	nameIPv6                    // contains ':': an IPv6 literal
	nameInvalid                 // anything else that cannot be a DNS name
)

// normalize lowercases s into buf without its trailing dot and says whether
// it is a DNS name. It does not allocate. For nameOK the name is buf[:n].
func normalize(buf *[maxName]byte, s string) (n int, kind nameKind) {
	if s == "" {
		return 0, nameEmpty
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > maxName {
		return 0, nameInvalid
	}
	label, digits := 0, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '-', c == '_':
			digits = false
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			digits = false
		case c >= '0' && c <= '9':
		case c == '.':
			if label == 0 {
				return 0, nameInvalid
			}
			buf[i] = c
			label, digits = 0, true
			continue
		case c == ':':
			return 0, nameIPv6
		default:
			return 0, nameInvalid
		}
		label++
		if label > maxLabel {
			return 0, nameInvalid
		}
		buf[i] = c
	}
	if label == 0 {
		return 0, nameInvalid
	}
	if digits {
		return 0, nameNumeric
	}
	return len(s), nameOK
}

// normalizeName is normalize for Build: it returns the normalized name or
// why it is not a domain name.
func normalizeName(s string) (string, error) {
	var buf [maxName]byte
	n, kind := normalize(&buf, s)
	switch kind {
	case nameOK:
		if string(buf[:n]) == s {
			return s, nil // already normalized: keep the caller's string
		}
		return string(buf[:n]), nil
	case nameEmpty:
		return "", fmt.Errorf("empty name")
	case nameNumeric, nameIPv6:
		if isIPLiteral(s) {
			return "", fmt.Errorf("an IP address is not a domain name")
		}
		if kind == nameNumeric {
			return "", fmt.Errorf("the last label is all digits")
		}
	}
	if strings.Contains(s, "*") {
		return "", fmt.Errorf("a wildcard is not a domain name")
	}
	return "", fmt.Errorf("not a DNS name (letters, digits, '-', '_' in labels of 1 to %d bytes, at most %d bytes)", maxLabel, maxName)
}

// isIPLiteral says whether s (with an optional trailing dot) is an IP address.
func isIPLiteral(s string) bool {
	_, err := netip.ParseAddr(strings.TrimSuffix(s, "."))
	return err == nil
}
