package sni

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	c := testCerts()
	example := mustBuild(t, "example.com", exampleTree())
	corp := mustBuild(t, "corp.test", corpTree())
	// A domain above the master in DNS: the master is still tried last.
	above := mustBuild(t, "example.com", []Domain{
		{Name: "example.com", Certs: []*tls.Certificate{c.master}},
		{Name: "com", Parent: "example.com", Certs: []*tls.Certificate{c.com}},
	})

	tests := []struct {
		name   string
		ix     *Index
		sni    string
		domain string // "" = no domain certificate
		certs  []string
	}{
		{"ok/exact", example, "t1.example.com", "t1.example.com", []string{"T1"}},
		{"ok/exact-master", example, "example.com", "example.com", []string{"M"}},
		{"ok/exact-outside-master-dns", example, "other.org", "other.org", []string{"O"}},
		{"ok/exact-two-certs", example, "dual.example.com", "dual.example.com", []string{"DUAL-EC", "DUAL-RSA"}},
		{"ok/inherit-parent", example, "s1.t1.example.com", "t1.example.com", []string{"T1"}},
		{"ok/inherit-stops-at-nearest-cert", example, "u.s2.t1.example.com", "s2.t1.example.com", []string{"S2"}},
		{"ok/inherit-up-to-master", example, "x.t2.example.com", "example.com", []string{"M"}},
		{"ok/inherit-by-tree-not-dns", example, "q.example.com", "t1.example.com", []string{"T1"}},
		{"ok/walk-depth-1", example, "new.t1.example.com", "t1.example.com", []string{"T1"}},
		{"ok/walk-depth-3", example, "a.b.c.t1.example.com", "t1.example.com", []string{"T1"}},
		{"ok/walk-nearest-dns-parent", example, "a.b.s2.t1.example.com", "s2.t1.example.com", []string{"S2"}},
		{"ok/walk-below-inheriting-domain", example, "v.u.s2.t1.example.com", "s2.t1.example.com", []string{"S2"}},
		{"ok/walk-skips-certless-domain", example, "z.q.example.com", "example.com", []string{"M"}},
		{"ok/walk-skips-certless-then-parent", example, "a.b.s1.t1.example.com", "t1.example.com", []string{"T1"}},
		{"ok/walk-master", example, "unknown.example.com", "example.com", []string{"M"}},
		{"ok/walk-master-deep", example, "a.b.c.d.t2.example.com", "example.com", []string{"M"}},
		{"ok/master-last-outside-tree", example, "www.unrelated.net", "example.com", []string{"M"}},
		{"ok/master-last-single-label", example, "intranet", "example.com", []string{"M"}},
		{"ok/walk-other-tree", example, "www.other.org", "other.org", []string{"O"}},
		{"ok/master-last-even-above-it", above, "new.example.com", "com", []string{"COM"}},
		{"ok/master-exact-above-it", above, "example.com", "example.com", []string{"M"}},
		{"ok/upper-case", example, "T1.EXAMPLE.COM", "t1.example.com", []string{"T1"}},
		{"ok/trailing-dot", example, "t1.example.com.", "t1.example.com", []string{"T1"}},
		{"ok/mixed-case-dot-walk", example, "A.New.T1.Example.Com.", "t1.example.com", []string{"T1"}},
		{"ok/underscore", example, "_sip.t1.example.com", "t1.example.com", []string{"T1"}},
		{"ok/corp-walk", corp, "q.b.corp.test", "b.corp.test", []string{"B"}},
		{"ok/corp-exact", corp, "b.corp.test", "b.corp.test", []string{"B"}},
		{"none/chain-without-cert", corp, "a.corp.test", "", nil},
		{"none/master-without-cert", corp, "corp.test", "", nil},
		{"none/found-domain-stops-no-dns-walk", corp, "x.b.corp.test", "", nil},
		{"none/walk-finds-nothing", corp, "zz.corp.test", "", nil},
		{"none/walk-outside-tree", corp, "example.org", "", nil},
		{"none/empty", example, "", "", nil},
		{"none/ipv4", example, "192.0.2.10", "", nil},
		{"none/ipv4-dot", example, "127.0.0.1.", "", nil},
		{"none/ipv6", example, "2001:db8::1", "", nil},
		{"none/ipv6-loopback", example, "::1", "", nil},
		{"none/ipv6-brackets", example, "[::1]", "", nil},
		{"none/numeric-top-label", example, "host.123", "", nil},
		{"none/space", example, "t1 .example.com", "", nil},
		{"none/empty-label", example, "a..t1.example.com", "", nil},
		{"none/leading-dot", example, ".t1.example.com", "", nil},
		{"none/two-trailing-dots", example, "t1.example.com..", "", nil},
		{"none/only-dot", example, ".", "", nil},
		{"none/long-label", example, strings.Repeat("a", 64) + ".example.com", "", nil},
		{"none/long-name", example, strings.Repeat("abcdefghi.", 26) + "example.com", "", nil},
		{"none/non-ascii", example, "tést.example.com", "", nil},
		{"none/nul", example, "t1.example.com\x00", "", nil},
		{"none/nil-index", nil, "t1.example.com", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.ix.Lookup(tt.sni)
			if m.Domain != tt.domain || !slices.Equal(cns(m.Certs), tt.certs) {
				t.Errorf("Lookup(%q) = %q %v, want %q %v", tt.sni, m.Domain, cns(m.Certs), tt.domain, tt.certs)
			}
			if m.Steps != nil {
				t.Errorf("Lookup(%q) has steps %q", tt.sni, m.Steps)
			}
			e := tt.ix.Explain(tt.sni)
			if e.Domain != m.Domain || !samePointers(e.Certs, m.Certs) {
				t.Errorf("Explain(%q) = %q %v, Lookup = %q %v", tt.sni, e.Domain, cns(e.Certs), m.Domain, cns(m.Certs))
			}
			if len(e.Steps) == 0 {
				t.Errorf("Explain(%q) has no steps", tt.sni)
			}
		})
	}
}

func TestLookupLongestValidName(t *testing.T) {
	ix := mustBuild(t, "example.com", exampleTree())
	// 253 bytes: the longest name, which still walks to the master.
	name := strings.Repeat("abcdefghi.", 24) + "x.example.com"
	if len(name) != maxName {
		t.Fatalf("test name is %d bytes, want %d", len(name), maxName)
	}
	if m := ix.Lookup(name); m.Domain != "example.com" {
		t.Errorf("Lookup(253 bytes) = %q, want example.com", m.Domain)
	}
	if m := ix.Lookup(name + "."); m.Domain != "example.com" {
		t.Errorf("Lookup(253 bytes + dot) = %q, want example.com", m.Domain)
	}
	if m := ix.Lookup("a" + name); m.Domain != "" {
		t.Errorf("Lookup(254 bytes) = %q, want none", m.Domain)
	}
}

func TestExplainSteps(t *testing.T) {
	example := mustBuild(t, "example.com", exampleTree())
	corp := mustBuild(t, "corp.test", corpTree())
	tests := []struct {
		name  string
		ix    *Index
		sni   string
		steps []string
	}{
		{"exact", example, "t1.example.com", []string{
			`sni "t1.example.com": domain of that name`,
			`domain "t1.example.com" has a certificate: served`,
		}},
		{"exact-two-certs", example, "dual.example.com", []string{
			`sni "dual.example.com": domain of that name`,
			`domain "dual.example.com" has 2 certificates: served`,
		}},
		{"inherit", example, "U.S2.t1.example.com.", []string{
			`sni "U.S2.t1.example.com.": read as "u.s2.t1.example.com"`,
			`sni "u.s2.t1.example.com": domain of that name`,
			`domain "u.s2.t1.example.com" has no certificate; parent "s2.t1.example.com"`,
			`domain "s2.t1.example.com" has a certificate: served`,
		}},
		{"inherit-to-master", example, "x.t2.example.com", []string{
			`sni "x.t2.example.com": domain of that name`,
			`domain "x.t2.example.com" has no certificate; parent "t2.example.com"`,
			`domain "t2.example.com" has no certificate; parent "example.com"`,
			`master "example.com" has a certificate: served`,
		}},
		{"chain-without-cert", corp, "x.b.corp.test", []string{
			`sni "x.b.corp.test": domain of that name`,
			`domain "x.b.corp.test" has no certificate; parent "a.corp.test"`,
			`domain "a.corp.test" has no certificate; parent "corp.test"`,
			`master "corp.test" has no certificate: no domain certificate`,
		}},
		{"walk", example, "a.z.q.example.com", []string{
			`sni "a.z.q.example.com": no domain of that name`,
			`dns parent "z.q.example.com": no domain of that name`,
			`dns parent "q.example.com": domain without a certificate of its own, skipped`,
			`dns parent "example.com": the master domain, tried last`,
			`dns parent "com": no domain of that name`,
			`master "example.com": domain with a certificate: served`,
		}},
		{"walk-found", example, "a.s1.t1.example.com", []string{
			`sni "a.s1.t1.example.com": no domain of that name`,
			`dns parent "s1.t1.example.com": domain without a certificate of its own, skipped`,
			`dns parent "t1.example.com": domain with a certificate: served`,
		}},
		{"walk-nothing", corp, "zz.corp.test", []string{
			`sni "zz.corp.test": no domain of that name`,
			`dns parent "corp.test": the master domain, tried last`,
			`dns parent "test": no domain of that name`,
			`master "corp.test": no certificate: no domain certificate`,
		}},
		{"empty", example, "", []string{`no sni: no domain certificate`}},
		{"ip", example, "192.0.2.1", []string{`sni "192.0.2.1": an IP address, not a name: no domain certificate`}},
		{"ipv6", example, "fe80::1%eth0", []string{`sni "fe80::1%eth0": an IP address, not a name: no domain certificate`}},
		{"numeric", example, "1.2.3", []string{`sni "1.2.3": not a DNS name (all-digit last label): no domain certificate`}},
		{"invalid", example, "a b", []string{`sni "a b": not a DNS name: no domain certificate`}},
		{"nil-index", nil, "a.example.com", []string{`no domain index: no domain certificate`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.ix.Explain(tt.sni).Steps
			if !slices.Equal(got, tt.steps) {
				t.Errorf("Explain(%q) steps:\n%s\nwant:\n%s", tt.sni, strings.Join(got, "\n"), strings.Join(tt.steps, "\n"))
			}
		})
	}
}

func TestLookupAllocs(t *testing.T) {
	ix := mustBuild(t, "example.com", exampleTree())
	names := []string{
		"t1.example.com",          // exact
		"u.s2.t1.example.com",     // inherited
		"a.b.c.s1.t1.example.com", // walk, certless domain skipped
		"www.unrelated.net",       // master last
		"A.New.T1.Example.Com.",   // normalized
		"x.b.corp.test",           // no domain certificate
		"192.0.2.1",               // IP literal
		"",                        // no SNI
	}
	for _, name := range names {
		if n := testing.AllocsPerRun(100, func() { ix.Lookup(name) }); n != 0 {
			t.Errorf("Lookup(%q): %v allocations, want 0", name, n)
		}
	}
	var nilIndex *Index
	if n := testing.AllocsPerRun(100, func() { nilIndex.Lookup("t1.example.com") }); n != 0 {
		t.Errorf("nil Index Lookup: %v allocations, want 0", n)
	}
}

func samePointers(a, b []*tls.Certificate) bool {
	return slices.Equal(a, b)
}
