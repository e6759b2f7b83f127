package sni

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Errors of Build, each wrapped with the domain it is about; Build returns
// all of them at once (errors.Join).
var (
	ErrInvalidName   = errors.New("invalid domain name")
	ErrDuplicate     = errors.New("duplicate domain")
	ErrUnknownParent = errors.New("unknown parent")
	ErrCycle         = errors.New("parent cycle")
	ErrRoot          = errors.New("misplaced root")
	ErrCertificate   = errors.New("unusable certificate")
)

// Domain is one domain of the tree as the index needs it.
type Domain struct {
	// Name is the DNS name of the domain. Build lowercases it and drops a
	// trailing dot.
	Name string
	// Parent is the name of the parent domain; "" only for the master.
	Parent string
	// Certs are the domain's own certificates: none, one, or several (one
	// ECDSA and one RSA, say), each with Certificate, PrivateKey and Leaf
	// set. The first the client supports is served.
	Certs []*tls.Certificate
}

// Index is the immutable certificate index of one domain tree. Its methods
// are safe for concurrent use; a nil *Index has no domains.
type Index struct {
	master  int32
	byName  map[string]int32
	entries []entry
}

// entry is one domain of the index.
type entry struct {
	name   string
	parent int32 // index of the parent entry; -1 for the master
	from   int32 // entry whose certificates eff is; -1 when none
	own    []*tls.Certificate
	eff    []*tls.Certificate
}

// Build makes the index of the domain tree whose root is master. The master
// is implicit: when domains does not list it, it is added without a
// certificate. Every domain but the master must have a parent in domains.
// The errors (invalid names, duplicates, unknown parents, cycles, a misplaced
// root, unusable certificates) are all reported at once.
//
// Among one domain's certificates, those valid at now keep their order and
// come first, so that a renewed certificate listed after an expired one is
// preferred; validity never removes a certificate.
func Build(master string, domains []Domain, now time.Time) (*Index, error) {
	if len(domains) >= math.MaxInt32 {
		return nil, fmt.Errorf("too many domains: %d", len(domains))
	}
	var errs []error
	m, err := normalizeName(master)
	if err != nil {
		errs = append(errs, fmt.Errorf("master %q: %w: %w", master, ErrInvalidName, err))
		m = master
	}

	ncerts := 0
	for _, d := range domains {
		ncerts += len(d.Certs)
	}
	pool := make([]*tls.Certificate, 0, ncerts)

	ix := &Index{
		byName:  make(map[string]int32, len(domains)+1),
		entries: make([]entry, 0, len(domains)+1),
	}
	parents := make([]string, 0, len(domains)+1)
	listedAt := make([]int, 0, len(domains)) // input position of each entry
	for k, d := range domains {
		name, err := normalizeName(d.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("domain %q: %w: %w", d.Name, ErrInvalidName, err))
			continue
		}
		parent := ""
		switch {
		case d.Parent == "" && name != m:
			errs = append(errs, fmt.Errorf("domain %q: %w: no parent, but only the master %q is the root", name, ErrRoot, m))
		case d.Parent != "" && name == m:
			errs = append(errs, fmt.Errorf("master %q: %w: it has parent %q, but the master is the root", name, ErrRoot, d.Parent))
		case d.Parent != "":
			parent, err = normalizeName(d.Parent)
			if err != nil {
				errs = append(errs, fmt.Errorf("domain %q: parent %q: %w: %w", name, d.Parent, ErrInvalidName, err))
				parent = ""
			}
		}
		certsOK := true
		for j, c := range d.Certs {
			if why := unusable(c); why != "" {
				errs = append(errs, fmt.Errorf("domain %q: certificate %d: %w: %s", name, j+1, ErrCertificate, why))
				certsOK = false
			}
		}
		if i, dup := ix.byName[name]; dup {
			errs = append(errs, fmt.Errorf("domain %q: %w: listed at positions %d and %d", name, ErrDuplicate, listedAt[i]+1, k+1))
			continue
		}
		start := len(pool)
		pool = append(pool, d.Certs...)
		own := pool[start:len(pool):len(pool)]
		if certsOK {
			slices.SortStableFunc(own, func(a, b *tls.Certificate) int {
				return validRank(a, now) - validRank(b, now)
			})
		}
		ix.byName[name] = int32(len(ix.entries))
		ix.entries = append(ix.entries, entry{name: name, parent: -1, from: -1, own: own})
		parents = append(parents, parent)
		listedAt = append(listedAt, k)
	}
	mi, ok := ix.byName[m]
	if !ok {
		mi = int32(len(ix.entries))
		ix.byName[m] = mi
		ix.entries = append(ix.entries, entry{name: m, parent: -1, from: -1})
		parents = append(parents, "")
	}
	ix.master = mi

	// Link parents; -2 marks an unknown or invalid parent.
	for i := range ix.entries {
		e := &ix.entries[i]
		switch p := parents[i]; {
		case int32(i) == mi:
			e.parent = -1
		case p == "":
			e.parent = -2 // already reported: no parent or an invalid one
		default:
			pi, ok := ix.byName[p]
			if !ok {
				errs = append(errs, fmt.Errorf("domain %q: %w %q: no domain of that name", e.name, ErrUnknownParent, p))
				pi = -2
			}
			e.parent = pi
		}
	}
	errs = append(errs, ix.resolve()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ix, nil
}

// resolve computes every entry's effective certificates by walking up to the
// master, and reports the cycles it finds (each once). Chains that end in an
// error reported elsewhere are left without certificates.
func (ix *Index) resolve() []error {
	const (
		todo uint8 = iota
		onPath
		done
		bad
	)
	var errs []error
	state := make([]uint8, len(ix.entries))
	var path []int32
	for start := range ix.entries {
		if state[start] != todo {
			continue
		}
		path = path[:0]
		j := int32(start)
		ok := false
	walk:
		for {
			switch state[j] {
			case done:
				ok = true
				break walk
			case bad:
				break walk
			case onPath:
				at := slices.Index(path, j)
				names := make([]string, 0, len(path)-at+1)
				for _, c := range path[at:] {
					names = append(names, ix.entries[c].name)
				}
				names = append(names, ix.entries[j].name)
				errs = append(errs, fmt.Errorf("domain %q: %w: %s", ix.entries[j].name, ErrCycle, strings.Join(names, " → ")))
				break walk
			}
			state[j] = onPath
			path = append(path, j)
			p := ix.entries[j].parent
			if p == -1 {
				ok = true // the master
				break walk
			}
			if p < 0 {
				break walk // an unknown parent, reported already
			}
			j = p
		}
		for k := len(path) - 1; k >= 0; k-- {
			i := path[k]
			if !ok {
				state[i] = bad
				continue
			}
			e := &ix.entries[i]
			switch {
			case len(e.own) > 0:
				e.eff, e.from = e.own, i
			case e.parent >= 0:
				p := &ix.entries[e.parent]
				e.eff, e.from = p.eff, p.from
			}
			state[i] = done
		}
	}
	return errs
}

// unusable says why c cannot be served, or "".
func unusable(c *tls.Certificate) string {
	switch {
	case c == nil:
		return "nil"
	case len(c.Certificate) == 0:
		return "no DER certificate chain"
	case c.Leaf == nil:
		return "Leaf not set"
	case c.PrivateKey == nil:
		return "no private key"
	}
	return ""
}

// validRank is 0 for a certificate valid at now, 1 otherwise.
func validRank(c *tls.Certificate, now time.Time) int {
	if now.Before(c.Leaf.NotBefore) || now.After(c.Leaf.NotAfter) {
		return 1
	}
	return 0
}

// Len returns the number of domains, the master included.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.entries)
}

// Master returns the name of the master domain ("" for a nil Index).
func (ix *Index) Master() string {
	if ix == nil {
		return ""
	}
	return ix.entries[ix.master].name
}

// Domains returns every domain of the index with its own certificates (not
// inherited ones), in the order they were given to Build.
func (ix *Index) Domains() []Domain {
	if ix == nil {
		return nil
	}
	out := make([]Domain, len(ix.entries))
	for i, e := range ix.entries {
		out[i] = Domain{Name: e.name, Certs: e.own}
		if e.parent >= 0 {
			out[i].Parent = ix.entries[e.parent].name
		}
	}
	return out
}
