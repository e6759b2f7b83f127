package files

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPathLen bounds the raw path after the prefix.
const maxPathLen = 4096

var (
	// errBadPath is a path that tries to climb out of the root or is not in
	// the canonical form we accept; answered 400 with a traversal event.
	errBadPath = errors.New("bad request path")
	// errHidden is a well-formed path naming a dotfile; answered 404.
	errHidden = errors.New("hidden path")
)

// cleanPath validates rel, the raw (still percent-encoded) request path that
// follows the mount prefix, and returns the slash-separated name to open under
// the root ("" for the root itself) and whether rel ended with a slash.
//
// It is pure: the rules are listed in the package documentation. An accepted
// name never starts with "/", never contains "..", a backslash or a NUL, and
// has no empty, "." or dot-prefixed segment.
func cleanPath(rel string) (name string, trailingSlash bool, err error) {
	if len(rel) > maxPathLen {
		return "", false, errBadPath
	}
	if rel == "" {
		return "", true, nil
	}
	raws := strings.Split(rel, "/")
	if raws[len(raws)-1] == "" {
		trailingSlash = true
		raws = raws[:len(raws)-1]
	}
	segs := make([]string, 0, len(raws))
	for _, raw := range raws {
		seg, err := unescapeSegment(raw)
		if err != nil {
			return "", false, err
		}
		segs = append(segs, seg)
	}
	// Hidden files are judged only once the whole path is known to be
	// well formed, so "/.git/../x" is a traversal, not a hidden file.
	for _, seg := range segs {
		if seg[0] == '.' {
			return "", false, errHidden
		}
	}
	return strings.Join(segs, "/"), trailingSlash, nil
}

// unescapeSegment decodes one raw path segment, refusing everything the
// package documentation lists.
func unescapeSegment(raw string) (string, error) {
	if raw == "" {
		return "", errBadPath
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) {
				return "", errBadPath
			}
			hi, ok1 := unhex(raw[i+1])
			lo, ok2 := unhex(raw[i+2])
			if !ok1 || !ok2 {
				return "", errBadPath
			}
			d := hi<<4 | lo
			if d == '.' || d == '/' || d == '\\' || d == '%' || d < 0x20 || d == 0x7f {
				return "", errBadPath
			}
			b.WriteByte(d)
			i += 2
		case isPathChar(c):
			b.WriteByte(c)
		default:
			return "", errBadPath
		}
	}
	seg := b.String()
	if !servableName(seg) {
		return "", errBadPath
	}
	return seg, nil
}

// servableName reports whether a decoded segment (or a directory entry's
// name) is one this package can serve: valid UTF-8, no control character, no
// slash or backslash, and no "..". Dot-prefixed names pass here; they are
// hidden, not malformed.
func servableName(seg string) bool {
	if seg == "" || seg == "." || strings.Contains(seg, "..") || strings.ContainsAny(seg, "/\\") {
		return false
	}
	if !utf8.ValidString(seg) {
		return false
	}
	for _, r := range seg {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// isPathChar reports whether c may appear unescaped in a path segment:
// RFC 3986 unreserved, sub-delims, ':' and '@'.
func isPathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
