package sni

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Kinds of Problem.
const (
	KindExpiring     = "certificate_expiring"
	KindExpired      = "certificate_expired"
	KindNameMismatch = "certificate_name_mismatch"
)

// Severities of Problem.
const (
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Problem is something wrong with a certificate the index serves, for
// system_state monitoring.
type Problem struct {
	Kind     string    `json:"kind"`
	Domain   string    `json:"domain"`
	Severity string    `json:"severity"`
	Message  string    `json:"message"`
	NotAfter time.Time `json:"not_after"`
}

// Problems lists what monitoring must signal, ordered by domain name; for
// one domain the expiry problems come first, then the name mismatches, each
// in the order of the domain's certificates:
//
//   - certificate_expired (critical): a domain's own certificate is past its
//     not-after at now;
//   - certificate_expiring (warning): a domain's own certificate expires
//     within expiring of now;
//   - certificate_name_mismatch: a certificate served for a domain's name
//     does not cover that name (x509 VerifyHostname). Critical for the
//     domain's own certificate; a warning for one it inherits from an
//     ancestor, because a child domain may never be reached by its name.
//
// Expiry is reported once, on the domain that holds the certificate; a name
// mismatch on every domain the certificate is served for.
func (ix *Index) Problems(now time.Time, expiring time.Duration) []Problem {
	if ix == nil {
		return nil
	}
	order := make([]int32, len(ix.entries))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(ix.entries[a].name, ix.entries[b].name) })

	var out []Problem
	for _, i := range order {
		e := &ix.entries[i]
		for _, c := range e.own {
			leaf := c.Leaf
			switch left := leaf.NotAfter.Sub(now); {
			case now.After(leaf.NotAfter):
				out = append(out, Problem{
					Kind: KindExpired, Domain: e.name, Severity: SeverityCritical, NotAfter: leaf.NotAfter,
					Message: fmt.Sprintf("certificate %s of domain %q expired %s ago", describe(c), e.name, roundDuration(-left)),
				})
			case left <= expiring:
				out = append(out, Problem{
					Kind: KindExpiring, Domain: e.name, Severity: SeverityWarning, NotAfter: leaf.NotAfter,
					Message: fmt.Sprintf("certificate %s of domain %q expires in %s", describe(c), e.name, roundDuration(left)),
				})
			}
		}
		if e.from < 0 {
			continue
		}
		for _, c := range e.eff {
			if c.Leaf.VerifyHostname(e.name) == nil {
				continue
			}
			p := Problem{Kind: KindNameMismatch, Domain: e.name, NotAfter: c.Leaf.NotAfter}
			if e.from == i {
				p.Severity = SeverityCritical
				p.Message = fmt.Sprintf("certificate %s of domain %q does not cover %q", describe(c), e.name, e.name)
			} else {
				p.Severity = SeverityWarning
				p.Message = fmt.Sprintf("certificate %s inherited from domain %q does not cover %q", describe(c), ix.entries[e.from].name, e.name)
			}
			out = append(out, p)
		}
	}
	return out
}

// roundDuration prints d in days when it is long, else in minutes.
func roundDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	return d.Round(time.Minute).String()
}
