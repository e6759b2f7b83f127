package domains

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of a DNS name (RFC 1035 §2.3.4), without the trailing dot.
const (
	MaxNameLen  = 253
	maxLabelLen = 63
)

// NormalizeName returns name lowercased and without its trailing dot, or a
// *FieldError for field "name" when it is not a DNS name as the package
// documentation defines it.
func NormalizeName(name string) (string, error) {
	return checkName("name", name)
}

// checkName is NormalizeName reporting its error for field.
func checkName(field, name string) (string, error) {
	n, why := normalizeName(name)
	if why != "" {
		return "", fieldErr(field, "%s is not a DNS name: %s", quote(name), why)
	}
	return n, nil
}

// normalizeName returns the normal form of name, or why it is not a name.
func normalizeName(name string) (norm, why string) {
	s := strings.TrimSuffix(name, ".")
	switch {
	case s == "":
		return "", "it is empty"
	case s == "*" || strings.HasPrefix(s, "*."):
		return "", "wildcards belong in certificates, not in domain names"
	case len(s) > MaxNameLen:
		return "", fmt.Sprintf("it is %d characters long, more than %d", len(s), MaxNameLen)
	}
	b := []byte(s)
	start, last := 0, 0 // of the current label, of the last one ended
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			label := b[start:i]
			switch {
			case len(label) == 0:
				return "", "it has an empty label"
			case len(label) > maxLabelLen:
				return "", fmt.Sprintf("label %s is %d characters long, more than %d", quote(string(label)), len(label), maxLabelLen)
			case label[0] == '-' || label[len(label)-1] == '-':
				return "", fmt.Sprintf("label %q starts or ends with a hyphen", label)
			}
			last, start = start, i+1
			continue
		}
		switch c := b[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		default:
			return "", badChar(s[i:]) + " is not a letter, digit, hyphen or dot"
		}
	}
	if strings.Trim(string(b[last:]), "0123456789") == "" {
		return "", "its last label is all digits (an IP address is not a domain name)"
	}
	return string(b), ""
}

// badChar names the character s starts with.
func badChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x", s[0])
	}
	return fmt.Sprintf("%q", r)
}

// quote quotes untrusted input for a message, cut short when it is long.
func quote(s string) string {
	const maxQuoted = 64
	if len(s) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q…", s[:maxQuoted])
}
