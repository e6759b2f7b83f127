package realm

import (
	"fmt"
	"strings"
)

// String returns c as the directives of a Digest Authorization header (the
// part after "Digest "), which [ParseDigest] reads back to c. A username
// that is not printable ASCII is written as username* (RFC 8187).
func (c *Credentials) String() string {
	var b strings.Builder
	if printableASCII(c.Username) {
		b.WriteString("username=" + quote(c.Username))
	} else {
		b.WriteString("username*=UTF-8''" + encodeExtValue(c.Username))
	}
	b.WriteString(", realm=" + quote(c.Realm))
	b.WriteString(", nonce=" + quote(c.Nonce))
	b.WriteString(", uri=" + quote(c.URI))
	if c.Algorithm != "" {
		b.WriteString(", algorithm=" + tokenOrQuote(c.Algorithm))
	}
	if c.QOP != "" {
		b.WriteString(", qop=" + tokenOrQuote(c.QOP))
	}
	if c.NC != "" {
		b.WriteString(", nc=" + tokenOrQuote(c.NC))
	}
	if c.CNonce != "" {
		b.WriteString(", cnonce=" + quote(c.CNonce))
	}
	b.WriteString(", response=" + quote(c.Response))
	if c.Opaque != "" {
		b.WriteString(", opaque=" + quote(c.Opaque))
	}
	if c.Userhash {
		b.WriteString(", userhash=true")
	}
	return b.String()
}

// quote returns s as a quoted string, escaping '"' and '\'.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// tokenOrQuote writes s bare if it is a token, else quoted.
func tokenOrQuote(s string) string {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// printableASCII reports whether s is printable ASCII (space included).
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// encodeExtValue percent-encodes every byte of s that is not an attr-char.
func encodeExtValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isAttrChar(s[i]) {
			b.WriteByte(s[i])
		} else {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
	}
	return b.String()
}
