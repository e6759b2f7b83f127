package ident

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

const (
	// MaxNameLen is the longest request path ParseFileName accepts, in
	// bytes, directories included.
	MaxNameLen = 128
	// MaxDirs is how many directory segments may come before the base
	// name ("Grandstream/cfg.xml" has one).
	MaxDirs = 2
	// maxTraversalScan bounds the input that is still examined for a
	// traversal attempt before being refused as too long.
	maxTraversalScan = 1024
	// maxDecodeRounds is how many layers of percent-encoding the traversal
	// check peels off.
	maxDecodeRounds = 3
)

var (
	// ErrBadName is wrapped by every error ParseFileName returns.
	ErrBadName = errors.New("bad file name")
	// ErrTraversal is also wrapped when the name tries to climb out of the
	// provisioning directory.
	ErrTraversal = errors.New("path traversal")
)

// IsTraversal reports whether err is a ParseFileName error for a name that
// tries to climb out of the provisioning directory.
func IsTraversal(err error) bool { return errors.Is(err, ErrTraversal) }

// FileName is a file name a phone asked for, checked by ParseFileName.
type FileName struct {
	// Dir is the directory part without a trailing slash ("Grandstream",
	// "Cisco/CP-8851-3PCC"), or "" for a name at the top.
	Dir string
	// Base is the last segment, as requested ("SEP001565A1B2C3.cnf.xml").
	Base string
	// MAC is the address found in Base when HasMAC is true.
	MAC model.MAC
	// HasMAC reports whether Base names one device.
	HasMAC bool
}

// Path returns the name as it was requested: Dir and Base joined by "/".
func (f FileName) Path() string {
	if f.Dir == "" {
		return f.Base
	}
	return f.Dir + "/" + f.Base
}

// ParseFileName checks the path a phone requests below the provisioning
// prefix ("001565a1b2c3.cfg", "Grandstream/cfg001565a1b2c3.xml") and splits
// it into directory, base name and the MAC address the base name carries.
// The rules are in the package documentation. Every error wraps ErrBadName;
// traversal attempts also wrap ErrTraversal.
func ParseFileName(requestPath string) (FileName, error) {
	p := requestPath
	if p == "" {
		return FileName{}, badName("empty name")
	}
	if len(p) <= maxTraversalScan {
		if reason := traversal(p); reason != "" {
			return FileName{}, fmt.Errorf("%w: %w: %s", ErrBadName, ErrTraversal, reason)
		}
	}
	if len(p) > MaxNameLen {
		return FileName{}, badName(fmt.Sprintf("%d bytes, more than %d", len(p), MaxNameLen))
	}
	for i := 0; i < len(p); i++ {
		if reason := badByte(p[i]); reason != "" {
			return FileName{}, badName(fmt.Sprintf("%s at offset %d", reason, i))
		}
	}
	segs := strings.Split(p, "/")
	if len(segs)-1 > MaxDirs {
		return FileName{}, badName(fmt.Sprintf("%d directories, more than %d", len(segs)-1, MaxDirs))
	}
	for i, s := range segs {
		switch {
		case s == "":
			return FileName{}, badName(fmt.Sprintf("empty segment %d", i+1))
		case s == ".":
			return FileName{}, badName(fmt.Sprintf(`"." segment %d`, i+1))
		case s[0] == '.':
			return FileName{}, badName(fmt.Sprintf("segment %d starts with a dot", i+1))
		case strings.Contains(s, ".."):
			return FileName{}, badName(fmt.Sprintf(`".." inside segment %d`, i+1))
		}
	}
	f := FileName{
		Dir:  strings.Join(segs[:len(segs)-1], "/"),
		Base: segs[len(segs)-1],
	}
	f.MAC, f.HasMAC = macInBase(f.Base)
	return f, nil
}

func badName(reason string) error {
	return fmt.Errorf("%w: %s", ErrBadName, reason)
}

// badByte names what is wrong with c in a file name, or returns "" if c
// may appear there: ASCII letters, digits, "._-+~@=," and the '/' between
// segments.
func badByte(c byte) string {
	switch {
	case isAlnum(c) || strings.IndexByte("._-+~@=,/", c) >= 0:
		return ""
	case c == 0:
		return "NUL byte"
	case c < 0x20 || c == 0x7f:
		return fmt.Sprintf("control byte 0x%02x", c)
	case c == '\\':
		return "backslash"
	case c == '%':
		return "percent sign (a percent-encoded leftover)"
	case c >= 0x80:
		return "non-ASCII byte"
	}
	return fmt.Sprintf("character %q", c)
}

// traversal returns why p is an attempt to climb out of the directory, or
// "". It looks for a ".."-like segment between '/' or '\' separators in p
// itself, then in p with up to maxDecodeRounds layers of percent-encoding
// removed, and with overlong UTF-8 forms of '.', '/' and '\' resolved.
func traversal(p string) string {
	if hasDotDotSegment(p) {
		return `".." segment`
	}
	s := p
	for range maxDecodeRounds {
		d := percentDecode(s)
		if d == s {
			break
		}
		s = d
		if hasDotDotSegment(s) {
			return `percent-encoded ".." segment`
		}
	}
	if o := resolveOverlong(s); o != s && hasDotDotSegment(o) {
		return `overlong UTF-8 ".." segment`
	}
	return ""
}

// hasDotDotSegment reports whether s, split at '/' and '\', has a segment
// that a file system or web server may take for the parent directory:
// "..", ".." followed by more dots, spaces, tabs or NULs (which Windows
// strips or C truncates at), or ".." followed by ';' (a path parameter).
func hasDotDotSegment(s string) bool {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != '/' && s[j] != '\\' {
			j++
		}
		if isDotDot(s[i:j]) {
			return true
		}
		i = j + 1
	}
	return false
}

func isDotDot(seg string) bool {
	if !strings.HasPrefix(seg, "..") {
		return false
	}
	rest := seg[2:]
	if strings.HasPrefix(rest, ";") {
		return true
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(". \t\x00", rest[i]) < 0 {
			return false
		}
	}
	return true
}

// percentDecode replaces every "%XX" with the byte it encodes, leaving
// other '%' as they are.
func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// overlong maps overlong UTF-8 encodings, which lax decoders accept, to the
// path characters they spell.
var overlong = []struct{ enc, dec string }{
	{"\xc0\xae", "."}, {"\xe0\x80\xae", "."},
	{"\xc0\xaf", "/"}, {"\xe0\x80\xaf", "/"},
	{"\xc1\x9c", `\`}, {"\xe0\x81\x9c", `\`},
}

func resolveOverlong(s string) string {
	for _, o := range overlong {
		s = strings.ReplaceAll(s, o.enc, o.dec)
	}
	return s
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
