package sni

import (
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBuildErrors(t *testing.T) {
	c := testCerts()
	noLeaf := &tls.Certificate{Certificate: c.t1.Certificate, PrivateKey: c.t1.PrivateKey}
	noKey := &tls.Certificate{Certificate: c.t1.Certificate, Leaf: c.t1.Leaf}
	tests := []struct {
		name    string
		master  string
		domains []Domain
		want    []error  // every one must be in the error
		msgs    []string // one line each, in this order
	}{
		{"fail/unknown-parent", "example.com", []Domain{
			{Name: "example.com"},
			{Name: "a.example.com", Parent: "nope.example.com"},
		}, []error{ErrUnknownParent}, []string{
			`domain "a.example.com": unknown parent "nope.example.com": no domain of that name`,
		}},
		{"fail/cycle", "example.com", []Domain{
			{Name: "a.example.com", Parent: "b.example.com"},
			{Name: "b.example.com", Parent: "c.example.com"},
			{Name: "c.example.com", Parent: "a.example.com"},
			{Name: "d.example.com", Parent: "c.example.com"}, // into the cycle: not reported again
		}, []error{ErrCycle}, []string{
			`domain "a.example.com": parent cycle: a.example.com → b.example.com → c.example.com → a.example.com`,
		}},
		{"fail/cycle-reached-from-outside", "example.com", []Domain{
			{Name: "d.example.com", Parent: "a.example.com"},
			{Name: "a.example.com", Parent: "b.example.com"},
			{Name: "b.example.com", Parent: "a.example.com"},
		}, []error{ErrCycle}, []string{
			`domain "a.example.com": parent cycle: a.example.com → b.example.com → a.example.com`,
		}},
		{"fail/self-parent", "example.com", []Domain{
			{Name: "a.example.com", Parent: "a.example.com"},
		}, []error{ErrCycle}, []string{
			`domain "a.example.com": parent cycle: a.example.com → a.example.com`,
		}},
		{"fail/duplicate", "example.com", []Domain{
			{Name: "a.example.com", Parent: "example.com"},
			{Name: "b.example.com", Parent: "example.com"},
			{Name: "a.example.com", Parent: "example.com"},
		}, []error{ErrDuplicate}, []string{
			`domain "a.example.com": duplicate domain: listed at positions 1 and 3`,
		}},
		{"fail/duplicate-after-normalizing", "example.com", []Domain{
			{Name: "A.Example.com", Parent: "example.com"},
			{Name: "a.example.com.", Parent: "example.com"},
		}, []error{ErrDuplicate}, []string{
			`domain "a.example.com": duplicate domain: listed at positions 1 and 2`,
		}},
		{"fail/duplicate-master", "example.com", []Domain{
			{Name: "example.com"},
			{Name: "example.com"},
		}, []error{ErrDuplicate}, []string{
			`domain "example.com": duplicate domain: listed at positions 1 and 2`,
		}},
		{"fail/invalid-names", "example.com", []Domain{
			{Name: "bad name.example.com", Parent: "example.com"},
			{Name: "10.0.0.1", Parent: "example.com"},
			{Name: "*.example.com", Parent: "example.com"},
			{Name: "", Parent: "example.com"},
			{Name: "ok.example.com", Parent: "a..example.com"},
		}, []error{ErrInvalidName}, []string{
			`domain "bad name.example.com": invalid domain name: not a DNS name`,
			`domain "10.0.0.1": invalid domain name: an IP address is not a domain name`,
			`domain "*.example.com": invalid domain name: a wildcard is not a domain name`,
			`domain "": invalid domain name: empty name`,
			`domain "ok.example.com": parent "a..example.com": invalid domain name: not a DNS name`,
		}},
		{"fail/invalid-master", "::1", nil, []error{ErrInvalidName}, []string{
			`master "::1": invalid domain name: an IP address is not a domain name`,
		}},
		{"fail/second-root", "example.com", []Domain{
			{Name: "example.com"},
			{Name: "other.org"},
		}, []error{ErrRoot}, []string{
			`domain "other.org": misplaced root: no parent, but only the master "example.com" is the root`,
		}},
		{"fail/master-with-parent", "example.com", []Domain{
			{Name: "example.com", Parent: "a.example.com"},
			{Name: "a.example.com", Parent: "example.com"},
		}, []error{ErrRoot}, []string{
			`master "example.com": misplaced root: it has parent "a.example.com", but the master is the root`,
		}},
		{"fail/unusable-certificates", "example.com", []Domain{
			{Name: "a.example.com", Parent: "example.com", Certs: []*tls.Certificate{c.t1, nil}},
			{Name: "b.example.com", Parent: "example.com", Certs: []*tls.Certificate{noLeaf}},
			{Name: "c.example.com", Parent: "example.com", Certs: []*tls.Certificate{noKey}},
			{Name: "d.example.com", Parent: "example.com", Certs: []*tls.Certificate{{}}},
		}, []error{ErrCertificate}, []string{
			`domain "a.example.com": certificate 2: unusable certificate: nil`,
			`domain "b.example.com": certificate 1: unusable certificate: Leaf not set`,
			`domain "c.example.com": certificate 1: unusable certificate: no private key`,
			`domain "d.example.com": certificate 1: unusable certificate: no DER certificate chain`,
		}},
		{"fail/all-at-once", "example.com", []Domain{
			{Name: "example.com"},
			{Name: "a.example.com", Parent: "nope.example.com"},
			{Name: "b.example.com", Parent: "c.example.com"},
			{Name: "c.example.com", Parent: "b.example.com"},
			{Name: "d.example.com", Parent: "example.com"},
			{Name: "d.example.com", Parent: "example.com"},
			{Name: "e..example.com", Parent: "example.com"},
		}, []error{ErrUnknownParent, ErrCycle, ErrDuplicate, ErrInvalidName}, []string{
			`domain "d.example.com": duplicate domain: listed at positions 5 and 6`,
			`domain "e..example.com": invalid domain name: not a DNS name`,
			`domain "a.example.com": unknown parent "nope.example.com": no domain of that name`,
			`domain "b.example.com": parent cycle: b.example.com → c.example.com → b.example.com`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := Build(tt.master, tt.domains, time.Now())
			if err == nil {
				t.Fatalf("Build succeeded with %d domains, want an error", ix.Len())
			}
			if ix != nil {
				t.Errorf("Build returned an index with its error")
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("error %q is not %v", err, want)
				}
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.msgs) {
				t.Fatalf("error has %d lines, want %d:\n%s", len(lines), len(tt.msgs), err)
			}
			for i, want := range tt.msgs {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("error line %d = %q, want prefix %q", i+1, lines[i], want)
				}
			}
		})
	}
}

func TestBuild(t *testing.T) {
	c := testCerts()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	expired := newCert(t, certSpec{cn: "OLD", dns: []string{"r.example.com"}, notAfter: now.Add(-time.Hour)})
	renewed := newCert(t, certSpec{cn: "NEW", dns: []string{"r.example.com"}, notBefore: now.Add(-time.Hour), notAfter: now.Add(90 * 24 * time.Hour)})
	future := newCert(t, certSpec{cn: "FUTURE", dns: []string{"r.example.com"}, notBefore: now.Add(time.Hour), notAfter: now.Add(90 * 24 * time.Hour)})

	tests := []struct {
		name    string
		master  string
		domains []Domain
		len     int
		lookups map[string][]string // SNI → certificate names
	}{
		{"ok/master-implicit", "example.com", []Domain{
			{Name: "a.example.com", Parent: "example.com", Certs: []*tls.Certificate{c.t1}},
		}, 2, map[string][]string{"a.example.com": {"T1"}, "example.com": nil, "b.example.com": nil}},
		{"ok/master-only", "Example.COM.", nil, 1, map[string][]string{"example.com": nil}},
		{"ok/master-listed", "example.com", exampleTree(), 10, map[string][]string{"example.com": {"M"}}},
		{"ok/names-normalized", "EXAMPLE.com", []Domain{
			{Name: "Example.Com.", Certs: []*tls.Certificate{c.master}},
			{Name: "T1.Example.Com", Parent: "EXAMPLE.COM.", Certs: []*tls.Certificate{c.t1}},
			{Name: "s.t1.example.com", Parent: "t1.EXAMPLE.com"},
		}, 3, map[string][]string{"t1.example.com": {"T1"}, "s.t1.example.com": {"T1"}, "x.example.com": {"M"}}},
		{"ok/parent-listed-after-child", "example.com", []Domain{
			{Name: "s.t.example.com", Parent: "t.example.com"},
			{Name: "t.example.com", Parent: "example.com", Certs: []*tls.Certificate{c.t1}},
		}, 3, map[string][]string{"s.t.example.com": {"T1"}}},
		{"ok/valid-certificates-first", "example.com", []Domain{
			{Name: "r.example.com", Parent: "example.com", Certs: []*tls.Certificate{expired, future, renewed}},
		}, 2, map[string][]string{"r.example.com": {"NEW", "OLD", "FUTURE"}}},
		{"ok/all-invalid-kept-in-order", "example.com", []Domain{
			{Name: "r.example.com", Parent: "example.com", Certs: []*tls.Certificate{future, expired}},
		}, 2, map[string][]string{"r.example.com": {"FUTURE", "OLD"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := Build(tt.master, tt.domains, now)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if ix.Len() != tt.len {
				t.Errorf("Len = %d, want %d", ix.Len(), tt.len)
			}
			if ix.Master() != "example.com" {
				t.Errorf("Master = %q, want example.com", ix.Master())
			}
			for sni, want := range tt.lookups {
				if got := cns(ix.Lookup(sni).Certs); !slices.Equal(got, want) {
					t.Errorf("Lookup(%q) = %v, want %v", sni, got, want)
				}
			}
		})
	}
}

func TestBuildCopiesInput(t *testing.T) {
	c := testCerts()
	certs := []*tls.Certificate{c.t1}
	domains := []Domain{{Name: "a.example.com", Parent: "example.com", Certs: certs}}
	ix := mustBuild(t, "example.com", domains)
	certs[0] = c.s2
	domains[0].Name = "b.example.com"
	if got := cns(ix.Lookup("a.example.com").Certs); !slices.Equal(got, []string{"T1"}) {
		t.Errorf("after changing the input, Lookup = %v, want [T1]", got)
	}
}

func TestNilIndex(t *testing.T) {
	var ix *Index
	if ix.Len() != 0 || ix.Master() != "" || ix.Problems(time.Now(), time.Hour) != nil {
		t.Errorf("nil Index: Len %d, Master %q", ix.Len(), ix.Master())
	}
}

func TestDomainsAccessor(t *testing.T) {
	leaf := newCert(t, certSpec{cn: "a.example.com"})
	ix, err := Build("example.com", []Domain{
		{Name: "example.com"},
		{Name: "a.example.com", Parent: "example.com", Certs: []*tls.Certificate{leaf}},
		{Name: "b.a.example.com", Parent: "a.example.com"},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Domains()
	if len(got) != 3 {
		t.Fatalf("Domains() = %d, want 3", len(got))
	}
	byName := map[string]Domain{}
	for _, d := range got {
		byName[d.Name] = d
	}
	if d := byName["b.a.example.com"]; d.Parent != "a.example.com" || len(d.Certs) != 0 {
		t.Errorf("child = %+v, want parent a.example.com and no own certificate", d)
	}
	if d := byName["a.example.com"]; len(d.Certs) != 1 || d.Certs[0] != leaf {
		t.Errorf("a.example.com = %+v, want its own certificate", d)
	}
	if d := byName["example.com"]; d.Parent != "" {
		t.Errorf("master parent = %q", d.Parent)
	}
	var nilIx *Index
	if nilIx.Domains() != nil {
		t.Error("nil index has domains")
	}
}
