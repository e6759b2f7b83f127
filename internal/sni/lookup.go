package sni

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// Match is the outcome of an SNI lookup.
type Match struct {
	// Domain is the domain whose certificates apply: the SNI domain itself,
	// the ancestor it inherits from, or the DNS parent (or master) the walk
	// found. "" means no domain certificate applies.
	Domain string
	// Certs are Domain's certificates, shared with the index: do not modify.
	Certs []*tls.Certificate
	// Steps say how the lookup went, for people; only Explain fills them.
	Steps []string
}

// Lookup applies the SNI rules (see the package documentation) to
// serverName. It does not allocate.
func (ix *Index) Lookup(serverName string) Match {
	return ix.lookup(serverName, nil)
}

// Explain is Lookup that also records its steps in Match.Steps.
func (ix *Index) Explain(serverName string) Match {
	var steps []string
	m := ix.lookup(serverName, &steps)
	m.Steps = steps
	return m
}

// lookup is Lookup, recording steps when steps is not nil.
func (ix *Index) lookup(serverName string, steps *[]string) Match {
	var buf [maxName]byte
	n, kind := normalize(&buf, serverName)
	if steps != nil {
		explainName(steps, serverName, string(buf[:n]), kind)
	}
	if kind != nameOK {
		return Match{}
	}
	if ix == nil {
		if steps != nil {
			*steps = append(*steps, "no domain index: no domain certificate")
		}
		return Match{}
	}
	name := buf[:n]

	// Rule 1: a domain has the name; inherit up to the master.
	if i, ok := ix.byName[string(name)]; ok {
		e := &ix.entries[i]
		if steps != nil {
			ix.explainChain(steps, i)
		}
		if e.from < 0 {
			return Match{}
		}
		return Match{Domain: ix.entries[e.from].name, Certs: e.eff}
	}
	if steps != nil {
		step(steps, "sni %q: no domain of that name", string(name))
	}

	// Rule 2: DNS parents, then the master.
	for j := 0; j < n; j++ {
		if name[j] != '.' {
			continue
		}
		parent := name[j+1:]
		i, ok := ix.byName[string(parent)]
		switch {
		case !ok:
			if steps != nil {
				step(steps, "dns parent %q: no domain of that name", string(parent))
			}
		case i == ix.master:
			if steps != nil {
				step(steps, "dns parent %q: the master domain, tried last", string(parent))
			}
		case len(ix.entries[i].own) == 0:
			if steps != nil {
				step(steps, "dns parent %q: domain without a certificate of its own, skipped", string(parent))
			}
		default:
			if steps != nil {
				step(steps, "dns parent %q: domain with a certificate: served", string(parent))
			}
			return Match{Domain: ix.entries[i].name, Certs: ix.entries[i].own}
		}
	}
	m := &ix.entries[ix.master]
	if len(m.own) == 0 {
		if steps != nil {
			step(steps, "master %q: no certificate: no domain certificate", m.name)
		}
		return Match{}
	}
	if steps != nil {
		step(steps, "master %q: domain with a certificate: served", m.name)
	}
	return Match{Domain: m.name, Certs: m.own}
}

// explainName records how the server name was read.
func explainName(steps *[]string, raw, name string, kind nameKind) {
	switch kind {
	case nameEmpty:
		step(steps, "no sni: no domain certificate")
	case nameNumeric, nameIPv6:
		if isIPLiteral(raw) {
			step(steps, "sni %q: an IP address, not a name: no domain certificate", raw)
		} else {
			step(steps, "sni %q: not a DNS name (all-digit last label): no domain certificate", raw)
		}
	case nameInvalid:
		step(steps, "sni %q: not a DNS name: no domain certificate", raw)
	case nameOK:
		if name != raw {
			step(steps, "sni %q: read as %q", raw, name)
		}
	}
}

// explainChain records rule 1 for the domain at i: the walk up its parents.
func (ix *Index) explainChain(steps *[]string, i int32) {
	step(steps, "sni %q: domain of that name", ix.entries[i].name)
	for {
		e := &ix.entries[i]
		what := "domain"
		if i == ix.master {
			what = "master"
		}
		if len(e.own) > 0 {
			step(steps, "%s %q has %s: served", what, e.name, countCerts(len(e.own)))
			return
		}
		if e.parent < 0 {
			step(steps, "%s %q has no certificate: no domain certificate", what, e.name)
			return
		}
		step(steps, "%s %q has no certificate; parent %q", what, e.name, ix.entries[e.parent].name)
		i = e.parent
	}
}

func countCerts(n int) string {
	if n == 1 {
		return "a certificate"
	}
	return fmt.Sprintf("%d certificates", n)
}

func step(steps *[]string, format string, args ...any) {
	*steps = append(*steps, fmt.Sprintf(format, args...))
}

// String returns the steps of an explained match, one a line.
func (m Match) String() string {
	return strings.Join(m.Steps, "\n")
}
