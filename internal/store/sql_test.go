package store_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pbxgate/pbxgate/internal/store"
)

func TestRebind(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ok/none", "SELECT 1", "SELECT 1"},
		{"ok/in-order", "a = ? AND b = ? OR c = ?", "a = $1 AND b = $2 OR c = $3"},
		{"ok/ten-and-more", strings.Repeat("?,", 11), "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,"},
		{"ok/quoted-left-alone", "x = '?' AND y = ? AND z = 'it''s ?'", "x = '?' AND y = $1 AND z = 'it''s ?'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.Rebind(tt.in); got != tt.want {
				t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		name, prefix, want string
		ok                 bool
	}{
		{"ok/ascii", "abc", "abd", true},
		{"ok/percent", "a%", "a&", true},
		{"ok/two-byte", "é", "ê", true},
		{"ok/before-surrogates", "\uD7FF", "\uE000", true},
		{"ok/last-rune-carries", "a\U0010FFFF", "b", true},
		{"ok/all-max-runes", "\U0010FFFF\U0010FFFF", "", false},
		{"ok/empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := store.PrefixEnd(tt.prefix)
			if got != tt.want || ok != tt.ok {
				t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", tt.prefix, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestPrefixEndRange checks, on random strings over runes at the edges of
// UTF-8, that [prefix, end) selects exactly the strings starting with prefix
// under byte-wise comparison, as the store's queries rely on.
func TestPrefixEndRange(t *testing.T) {
	runes := []rune{'a', 'b', 0x7F, 0x80, 'é', 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() string {
		var b strings.Builder
		for range rng.IntN(4) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		return b.String()
	}
	for range 20000 {
		prefix, s := random(), random()
		if rng.IntN(2) == 0 {
			s = prefix + s
		}
		end, ok := store.PrefixEnd(prefix)
		if ok && !utf8.ValidString(end) {
			t.Fatalf("PrefixEnd(%q) = %q, not valid UTF-8", prefix, end)
		}
		inRange := s >= prefix && (!ok || s < end)
		if inRange != strings.HasPrefix(s, prefix) {
			t.Fatalf("prefix %q, end %q (ok=%v): %q in range = %v, has prefix = %v",
				prefix, end, ok, s, inRange, !inRange)
		}
	}
}
