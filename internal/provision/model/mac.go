package model

import (
	"errors"
	"strings"
)

// MAC is a hardware address as twelve lowercase hexadecimal digits, the
// form the store keys devices by.
type MAC string

// ErrBadMAC is returned by ParseMAC.
var ErrBadMAC = errors.New("not a MAC address")

// ParseMAC accepts twelve hexadecimal digits, bare or grouped by two with
// ':' or '-' (00:15:65:aa:bb:cc, 00-15-65-AA-BB-CC), or grouped by four with
// '.' (0015.65aa.bbcc), in either case.
func ParseMAC(s string) (MAC, error) {
	var b [12]byte
	n := 0
	sep := byte(0)
	group := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isHex(c):
			if n == 12 {
				return "", ErrBadMAC
			}
			b[n] = lower(c)
			n++
			group++
		case c == ':' || c == '-' || c == '.':
			if sep == 0 {
				sep = c
			}
			want := 2
			if c == '.' {
				want = 4
			}
			if c != sep || group != want || i == len(s)-1 {
				return "", ErrBadMAC
			}
			group = 0
		default:
			return "", ErrBadMAC
		}
	}
	if n != 12 {
		return "", ErrBadMAC
	}
	return MAC(b[:]), nil
}

// String returns the twelve lowercase digits.
func (m MAC) String() string { return string(m) }

// Upper returns the twelve digits in upper case (Snom, Cisco SEP).
func (m MAC) Upper() string { return strings.ToUpper(string(m)) }

// Colons returns the address as 00:15:65:aa:bb:cc.
func (m MAC) Colons() string {
	if len(m) != 12 {
		return string(m)
	}
	var sb strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(string(m[i : i+2]))
	}
	return sb.String()
}

// OUI returns the first six digits: the vendor's prefix.
func (m MAC) OUI() string {
	if len(m) < 6 {
		return ""
	}
	return string(m[:6])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}
