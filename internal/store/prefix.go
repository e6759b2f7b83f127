package store

import (
	"unicode"
	"unicode/utf8"
)

// prefixEnd returns the smallest valid UTF-8 string greater than every string
// that starts with prefix, so that "key >= prefix AND key < end" selects
// exactly the keys starting with prefix. ok is false when no such bound
// exists (prefix is empty or made only of U+10FFFF), and then "key >= prefix"
// alone is exact.
//
// This relies on both backends comparing keys by their bytes (SQLite's BINARY
// collation, PostgreSQL's "C" collation on the key column): for valid UTF-8,
// byte order is code point order. A range is used instead of LIKE so that no
// character of a prefix is a wildcard and SQLite's case-insensitive LIKE
// plays no part.
func prefixEnd(prefix string) (end string, ok bool) {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		if r == unicode.MaxRune {
			continue // no successor: carry into the rune before it
		}
		next := r + 1
		if next == 0xD800 { // surrogates are not valid in UTF-8
			next = 0xE000
		}
		return prefix + string(next), true
	}
	return "", false
}
