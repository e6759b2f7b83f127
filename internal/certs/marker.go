package certs

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Marker says that a domain's certificate_pem was issued automatically by
// pbxgate's ACME client, which renews only certificates that carry it.
//
// It is written as comment lines at the very start of the text, before the
// first PEM section, one field a line:
//
//	# pbxgate-acme: issued automatically; a manual change ends automatic renewal
//	# issuer: https://acme-v02.api.letsencrypt.org/directory
//	# order: https://acme-v02.api.letsencrypt.org/acme/order/1234/5678
//	# issued-at: 2026-03-01T12:00:00Z
//
// The marker is honoured only as the first lines of the text, each on a
// line of its own: the first line starts with "# pbxgate-acme:" and the
// lines right after it that start with "#" are its fields, issuer, order
// and issued-at (RFC 3339), each once and none empty. Anything else there
// (an unknown or repeated field, a time that does not parse, line breaks
// lost in a paste) makes the marker malformed: [ParseMerged] says so in a
// warning and treats the certificate as installed by hand, and so does a
// marker found anywhere but on the first lines. Pasting a certificate
// without these lines is how an operator takes a domain off automatic
// renewal.
type Marker struct {
	// Issuer is the CA's ACME directory URL or its name.
	Issuer string
	// Order is the URL of the ACME order that issued the certificate.
	Order string
	// IssuedAt is when the certificate was issued, to the second.
	IssuedAt time.Time
}

const (
	markerPrefix = "# pbxgate-acme:"
	markerHead   = markerPrefix + " issued automatically; a manual change ends automatic renewal"
)

// The marker's fields, in the order FormatMarker writes them.
const (
	markerIssuer   = "issuer"
	markerOrder    = "order"
	markerIssuedAt = "issued-at"
)

// FormatMarker returns the marker's lines, each ending in a newline, to be
// put before the PEM sections. Control characters in the fields (a line
// break would end the field) become spaces; IssuedAt is written in UTC to
// the second. A field left empty makes a marker that does not parse back.
func FormatMarker(m Marker) string {
	clean := func(s string) string {
		return strings.TrimSpace(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s))
	}
	return markerHead + "\n" +
		"# " + markerIssuer + ": " + clean(m.Issuer) + "\n" +
		"# " + markerOrder + ": " + clean(m.Order) + "\n" +
		"# " + markerIssuedAt + ": " + m.IssuedAt.UTC().Format(time.RFC3339) + "\n"
}

// parseMarker reads the marker at the start of text[:stop], the text before
// the first PEM section. It returns the marker (nil when absent or malformed),
// the offset just after the marker's lines (0 without a marker) and, for a
// malformed one, what is wrong with it.
func parseMarker(text []byte, stop int) (m *Marker, end int, problem string) {
	header := text[:stop]
	if !bytes.HasPrefix(header, []byte(markerPrefix)) {
		return nil, 0, ""
	}
	var (
		lines  []string
		starts []int
		closed = true // every line so far ends with a line break
	)
	for end < len(header) && header[end] == '#' {
		stop := bytes.IndexByte(header[end:], '\n')
		next := end + stop + 1
		if stop < 0 {
			stop, next, closed = len(header)-end, len(header), false
		}
		lines = append(lines, strings.TrimRight(string(header[end:end+stop]), " \t\r"))
		starts = append(starts, end)
		end = next
	}
	bad := func(i int, format string, args ...any) (*Marker, int, string) {
		return nil, end, fmt.Sprintf("malformed pbxgate-acme marker at %s: %s", locate(text, starts[i]), fmt.Sprintf(format, args...))
	}
	if !closed {
		return bad(len(lines)-1, "its lines must stand on lines of their own, before the first PEM section")
	}
	if strings.Contains(lines[0][len(markerPrefix):], "#") {
		return bad(0, "its line breaks were lost")
	}
	var (
		mk   Marker
		seen = map[string]bool{}
	)
	for i, l := range lines[1:] {
		i++
		name, value, ok := strings.Cut(strings.TrimSpace(l[1:]), ":")
		value = strings.TrimSpace(value)
		switch {
		case !ok:
			return bad(i, "%s is not a field (# name: value)", excerpt([]byte(l)))
		case seen[name]:
			return bad(i, "field %q given twice", name)
		case value == "":
			return bad(i, "field %q is empty", name)
		}
		seen[name] = true
		switch name {
		case markerIssuer:
			mk.Issuer = value
		case markerOrder:
			mk.Order = value
		case markerIssuedAt:
			t, err := time.Parse(time.RFC3339, value)
			if err != nil {
				return bad(i, "issued-at %q is not an RFC 3339 time", value)
			}
			mk.IssuedAt = t
		default:
			return bad(i, "unknown field %q", printable(name))
		}
	}
	for _, name := range []string{markerIssuer, markerOrder, markerIssuedAt} {
		if !seen[name] {
			return bad(0, "field %q is missing", name)
		}
	}
	return &mk, end, ""
}
