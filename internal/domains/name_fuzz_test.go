package domains_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/domains"
)

// FuzzNormalizeName feeds NormalizeName what an API client may send: it must
// not panic, must refuse with a *FieldError, and what it accepts must be a
// fixed point made only of lowercase letters, digits, hyphens and dots.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{
		"example.com", "Example.COM.", "a.b.c", "localhost", "*.example.com", "Bad_Name",
		"192.0.2.1", "xn--zrich-kva.example", "a..b", "-a.b", "\u212aelvin.example", "example.com..",
		strings.Repeat("a", 63) + "." + strings.Repeat("b", 64), ".",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := domains.NormalizeName(in)
		if err != nil {
			var fe *domains.FieldError
			if got != "" || !errors.As(err, &fe) || fe.Field != "name" || !errors.Is(err, domains.ErrInvalid) {
				t.Fatalf("NormalizeName(%q) = %q, %v; want \"\" and a *FieldError for name", in, got, err)
			}
			return
		}
		again, err := domains.NormalizeName(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeName(%q) = %q, which normalises to %q, %v", in, got, again, err)
		}
		if got == "" || len(got) > domains.MaxNameLen || strings.HasSuffix(got, ".") || strings.ToLower(got) != got {
			t.Fatalf("NormalizeName(%q) = %q: empty, too long, uppercase or trailing dot", in, got)
		}
		if strings.Trim(got, "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" {
			t.Fatalf("NormalizeName(%q) = %q holds other characters", in, got)
		}
		if !strings.EqualFold(got, strings.TrimSuffix(in, ".")) || len(got) != len(strings.TrimSuffix(in, ".")) {
			t.Fatalf("NormalizeName(%q) = %q is not the input lowercased", in, got)
		}
	})
}
