package sni

import (
	"strings"
	"sync"
	"testing"
	"time"
)

var fuzzIndex = sync.OnceValue(func() *Index {
	ix, err := Build("example.com", exampleTree(), time.Now())
	if err != nil {
		panic(err)
	}
	return ix
})

// FuzzLookup feeds server names, which any client chooses, to the lookup.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{
		"", ".", "t1.example.com", "T1.EXAMPLE.COM.", "a.b.s2.t1.example.com", "z.q.example.com",
		"192.0.2.1", "::1", "[::1]", "a..b", strings.Repeat("a", 64) + ".com", "_sip._tcp.example.com",
	} {
		f.Add(s)
	}
	ix := fuzzIndex()
	f.Fuzz(func(t *testing.T, sni string) {
		m := ix.Lookup(sni)
		e := ix.Explain(sni)
		if m.Domain != e.Domain || !samePointers(m.Certs, e.Certs) {
			t.Fatalf("Lookup(%q) = %q, Explain = %q", sni, m.Domain, e.Domain)
		}
		if (m.Domain == "") != (len(m.Certs) == 0) {
			t.Fatalf("Lookup(%q): domain %q with %d certificates", sni, m.Domain, len(m.Certs))
		}
		if len(e.Steps) == 0 {
			t.Fatalf("Explain(%q) has no steps", sni)
		}

		var buf [maxName]byte
		n, kind := normalize(&buf, sni)
		if kind == nameOK {
			want := strings.ToLower(strings.TrimSuffix(sni, "."))
			if string(buf[:n]) != want {
				t.Fatalf("normalize(%q) = %q, want %q", sni, buf[:n], want)
			}
			if _, err := normalizeName(sni); err != nil {
				t.Fatalf("normalize accepts %q, normalizeName does not: %v", sni, err)
			}
		} else if m.Domain != "" {
			t.Fatalf("Lookup(%q) of a non-name found %q", sni, m.Domain)
		}
		// Case and one trailing dot do not matter.
		if u := strings.ToUpper(sni); isASCII(sni) && ix.Lookup(u).Domain != m.Domain {
			t.Fatalf("Lookup(%q) = %q but Lookup(%q) = %q", sni, m.Domain, u, ix.Lookup(u).Domain)
		}
		if sni != "" && !strings.HasSuffix(sni, ".") && ix.Lookup(sni+".").Domain != m.Domain {
			t.Fatalf("Lookup(%q) = %q but with a trailing dot %q", sni, m.Domain, ix.Lookup(sni+".").Domain)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
