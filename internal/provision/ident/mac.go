package ident

import (
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// macFromToken returns the MAC address a User-Agent token spells, or "".
// The token may be wrapped in brackets or end in ';' or ','. Accepted are
// twelve hexadecimal digits, bare or in six pairs separated all by ':' or
// all by '-'; the dotted form model.ParseMAC also knows is not, as it cannot
// be told from a version number.
func macFromToken(tok string) model.MAC {
	tok = strings.Trim(tok, "()[];,")
	if !macShaped(tok) {
		return ""
	}
	m, err := model.ParseMAC(tok)
	if err != nil || !isMAC(m) {
		return ""
	}
	return m
}

// bareMACFromToken is macFromToken for vendors that write the twelve digits
// without separators only.
func bareMACFromToken(tok string) model.MAC {
	tok = strings.Trim(tok, "()[];,")
	if len(tok) != 12 {
		return ""
	}
	return macFromToken(tok)
}

// macShaped reports whether s is twelve hexadecimal digits, bare or as
// pairs joined by one separator (':' or '-') throughout.
func macShaped(s string) bool {
	switch len(s) {
	case 12:
		return allHex(s)
	case 17:
		sep := s[2]
		if sep != ':' && sep != '-' {
			return false
		}
		for i := 0; i < len(s); i++ {
			if i%3 == 2 {
				if s[i] != sep {
					return false
				}
			} else if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// isMAC reports whether m is a normalised address that can name a device:
// twelve lowercase hexadecimal digits, not in the OUI 00:00:00 (the
// all-zero address and the common-file pattern of Polycom and Yealink,
// y0000000000NN and y000000000NNN) and not the broadcast address.
func isMAC(m model.MAC) bool {
	if len(m) != 12 || strings.HasPrefix(string(m), "000000") || m == "ffffffffffff" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// hexPrefixes are file-name prefixes that end in a hexadecimal letter, so
// that the MAC after them makes a run of thirteen digits.
var hexPrefixes = []string{"ATA", "spa"}

// macInBase finds the MAC address a base name carries (see the package
// documentation for the rule).
func macInBase(base string) (model.MAC, bool) {
	var found model.MAC
	for i := 0; i < len(base); {
		if !isHex(base[i]) {
			i++
			continue
		}
		j := i
		for j < len(base) && isHex(base[j]) {
			j++
		}
		run := base[i:j]
		if len(run) == 13 && afterHexPrefix(base, i) {
			run = run[1:]
		}
		i = j
		if len(run) != 12 {
			continue
		}
		m, err := model.ParseMAC(run)
		if err != nil || !isMAC(m) {
			continue
		}
		if found != "" && found != m {
			return "", false
		}
		found = m
	}
	return found, found != ""
}

// afterHexPrefix reports whether the hexadecimal run at base[i:] starts
// with the last letter of one of hexPrefixes, which begins base.
func afterHexPrefix(base string, i int) bool {
	for _, p := range hexPrefixes {
		if i == len(p)-1 && hasPrefixFold(base, p) {
			return true
		}
	}
	return false
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
