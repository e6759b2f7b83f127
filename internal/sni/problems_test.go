package sni

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProblems(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cert := func(cn string, notAfter time.Duration, dns ...string) []*tls.Certificate {
		return []*tls.Certificate{newCert(t, certSpec{cn: cn, dns: dns, notBefore: now.Add(-30 * day), notAfter: now.Add(notAfter)})}
	}
	good := cert("GOOD", 60*day, "example.com", "*.example.com")
	window := 14 * day

	// kdp is a problem reduced to kind, domain and severity.
	type kdp struct{ kind, domain, severity string }
	tests := []struct {
		name    string
		domains []Domain
		want    []kdp
	}{
		{"ok/good-wildcard", []Domain{
			{Name: "example.com", Certs: good},
			{Name: "a.example.com", Parent: "example.com"},
			{Name: "b.example.com", Parent: "example.com", Certs: cert("B", 90*day, "b.example.com")},
		}, nil},
		{"ok/expiring-outside-window", []Domain{
			{Name: "example.com", Certs: cert("M", window+time.Hour, "example.com")},
		}, nil},
		{"ok/no-certificates", []Domain{
			{Name: "example.com"},
			{Name: "a.example.com", Parent: "example.com"},
		}, nil},
		{"warn/expiring", []Domain{
			{Name: "example.com", Certs: cert("M", 5*day, "example.com")},
		}, []kdp{{KindExpiring, "example.com", SeverityWarning}}},
		{"warn/expiring-at-window-edge", []Domain{
			{Name: "example.com", Certs: cert("M", window, "example.com")},
		}, []kdp{{KindExpiring, "example.com", SeverityWarning}}},
		{"crit/expired", []Domain{
			{Name: "example.com", Certs: good},
			{Name: "old.example.com", Parent: "example.com", Certs: cert("OLD", -day, "old.example.com", "*.old.example.com")},
			{Name: "s.old.example.com", Parent: "old.example.com"}, // expiry is the holder's problem
		}, []kdp{{KindExpired, "old.example.com", SeverityCritical}}},
		{"crit/own-mismatch", []Domain{
			{Name: "example.com", Certs: good},
			{Name: "tenant.example.net", Parent: "example.com", Certs: cert("WRONG", 60*day, "other.example.net")},
		}, []kdp{{KindNameMismatch, "tenant.example.net", SeverityCritical}}},
		{"warn/inherited-mismatch", []Domain{
			{Name: "example.com", Certs: good},
			{Name: "a.example.com", Parent: "example.com"},     // *.example.com covers it
			{Name: "b.a.example.com", Parent: "a.example.com"}, // one label too deep
			{Name: "tenant1", Parent: "example.com"},
		}, []kdp{
			{KindNameMismatch, "b.a.example.com", SeverityWarning},
			{KindNameMismatch, "tenant1", SeverityWarning},
		}},
		{"warn/wildcard-does-not-cover-apex", []Domain{
			{Name: "example.com", Certs: cert("W", 60*day, "*.example.com")},
			{Name: "a.example.com", Parent: "example.com"},
		}, []kdp{{KindNameMismatch, "example.com", SeverityCritical}}},
		{"all/per-certificate-and-sorted", []Domain{
			{Name: "z.example.com", Parent: "example.com", Certs: append(cert("Z1", -day, "x.example.net"), cert("Z2", 2*day, "z.example.com")...)},
			{Name: "example.com", Certs: cert("M", 3*day, "example.com")},
			{Name: "c.example.com", Parent: "example.com"},
		}, []kdp{
			{KindNameMismatch, "c.example.com", SeverityWarning},
			{KindExpiring, "example.com", SeverityWarning},
			{KindExpiring, "z.example.com", SeverityWarning},
			{KindExpired, "z.example.com", SeverityCritical},
			{KindNameMismatch, "z.example.com", SeverityCritical},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := Build("example.com", tt.domains, now)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			problems := ix.Problems(now, window)
			var got []kdp
			for _, p := range problems {
				got = append(got, kdp{p.Kind, p.Domain, p.Severity})
				if p.Message == "" || p.NotAfter.IsZero() {
					t.Errorf("problem %+v lacks a message or not_after", p)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Problems:\n%v\nwant:\n%v", got, tt.want)
			}
			if again := ix.Problems(now, window); !slices.Equal(again, problems) {
				t.Errorf("Problems is not deterministic")
			}
		})
	}
}

func TestProblemMessages(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	expired := newCert(t, certSpec{cn: "OLD", dns: []string{"example.com"}, notBefore: now.Add(-90 * day), notAfter: now.Add(-3 * day)})
	soon := newCert(t, certSpec{cn: "SOON", dns: []string{"a.example.com"}, notBefore: now.Add(-day), notAfter: now.Add(90 * time.Minute)})
	ix, err := Build("example.com", []Domain{
		{Name: "example.com", Certs: []*tls.Certificate{expired}},
		{Name: "a.example.com", Parent: "example.com", Certs: []*tls.Certificate{soon}},
		{Name: "b.example.com", Parent: "example.com"},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`certificate "SOON" (ECDSA P-256, not after 2026-03-01T13:30:00Z) of domain "a.example.com" expires in 1h30m0s`,
		`certificate "OLD" (ECDSA P-256, not after 2026-02-26T12:00:00Z) inherited from domain "example.com" does not cover "b.example.com"`,
		`certificate "OLD" (ECDSA P-256, not after 2026-02-26T12:00:00Z) of domain "example.com" expired 3 days ago`,
	}
	var got []string
	for _, p := range ix.Problems(now, 14*day) {
		got = append(got, p.Message)
	}
	if !slices.Equal(got, want) {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
