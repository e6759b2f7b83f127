package sni

import (
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrNoCertificate is GetCertificate's error when no domain, listener or
// default certificate applies.
var ErrNoCertificate = errors.New("no certificate: no domain, listener or default certificate")

// Sources of a Resolution.
const (
	SourceDomain   = "domain"
	SourceListener = "listener"
	SourceDefault  = "default"
	SourceNone     = "none"
)

// Table holds the current Index, shared by all listeners. Swap replaces it;
// handshakes already past their lookup keep the Index they read.
type Table struct {
	ix atomic.Pointer[Index]
}

// NewTable returns a Table without an Index: until the first Swap no domain
// certificate applies.
func NewTable() *Table { return &Table{} }

// Swap makes ix the Index of every later lookup. A nil ix removes every
// domain certificate.
func (t *Table) Swap(ix *Index) { t.ix.Store(ix) }

// Load returns the current Index (nil before the first Swap, and for a nil
// Table).
func (t *Table) Load() *Index {
	if t == nil {
		return nil
	}
	return t.ix.Load()
}

// Resolver picks the certificate of each handshake on one listener: the
// domain certificate by SNI, else the listener's certificate, else the
// default certificate. Its setters may be called at any time; the next
// handshake sees the change.
type Resolver struct {
	table    *Table
	listener atomic.Pointer[tls.Certificate]
	fallback atomic.Pointer[tls.Certificate]
}

// NewResolver returns a Resolver reading domain certificates from t; a nil
// t gives no domain certificates.
func NewResolver(t *Table) *Resolver { return &Resolver{table: t} }

// SetListener sets the listener's own certificate (its certdir or keystore);
// nil removes it.
func (r *Resolver) SetListener(c *tls.Certificate) { r.listener.Store(c) }

// SetDefault sets the default certificate; nil removes it.
func (r *Resolver) SetDefault(c *tls.Certificate) { r.fallback.Store(c) }

// GetCertificate implements tls.Config.GetCertificate. Among several domain
// certificates it takes the first the client supports (see pickFor).
func (r *Resolver) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if certs := r.table.Load().Lookup(hello.ServerName).Certs; len(certs) > 0 {
		if len(certs) == 1 {
			return certs[0], nil
		}
		return pickFor(hello, certs), nil
	}
	if c := r.listener.Load(); c != nil {
		return c, nil
	}
	if c := r.fallback.Load(); c != nil {
		return c, nil
	}
	return nil, ErrNoCertificate
}

// pickFor returns the first of certs that hello supports
// (tls.ClientHelloInfo.SupportsCertificate). That check includes the server
// name, and a domain certificate is served even when it does not cover the
// name, so when none passes, the first that the client supports by version,
// cipher suites, signature schemes and curves alone wins; else the first.
func pickFor(hello *tls.ClientHelloInfo, certs []*tls.Certificate) *tls.Certificate {
	for _, c := range certs {
		if hello.SupportsCertificate(c) == nil {
			return c
		}
	}
	if hello.ServerName != "" {
		anyName := *hello
		anyName.ServerName = ""
		for _, c := range certs {
			if anyName.SupportsCertificate(c) == nil {
				return c
			}
		}
	}
	return certs[0]
}

// pick returns the first certificate supports accepts (all when supports is
// nil), else the first, with its position.
func pick(certs []*tls.Certificate, supports func(*tls.Certificate) bool) (*tls.Certificate, int) {
	if len(certs) == 1 || supports == nil {
		return certs[0], 0
	}
	for i, c := range certs {
		if supports(c) {
			return c, i
		}
	}
	return certs[0], 0
}

// Resolution says which certificate a handshake would get and why.
type Resolution struct {
	// Source is SourceDomain, SourceListener, SourceDefault or SourceNone.
	Source string
	// Domain is the domain whose certificate applies (Source "domain").
	Domain string
	// Cert is the certificate served; nil for Source "none".
	Cert *tls.Certificate
	// Steps say how it was chosen, for people.
	Steps []string
}

// Resolve explains GetCertificate for serverName (GET /api/v1/tls/resolve).
// supports tells which certificates the imagined client accepts; nil means
// all of them.
func (r *Resolver) Resolve(serverName string, supports func(*tls.Certificate) bool) Resolution {
	m := r.table.Load().Explain(serverName)
	res := Resolution{Steps: m.Steps}
	if len(m.Certs) > 0 {
		c, i := pick(m.Certs, supports)
		if len(m.Certs) > 1 {
			res.Steps = append(res.Steps, fmt.Sprintf("certificate %d of %d: %s", i+1, len(m.Certs), describe(c)))
		}
		res.Source, res.Domain, res.Cert = SourceDomain, m.Domain, c
		return res
	}
	if c := r.listener.Load(); c != nil {
		res.Steps = append(res.Steps, "listener certificate: "+describe(c))
		res.Source, res.Cert = SourceListener, c
		return res
	}
	res.Steps = append(res.Steps, "no listener certificate")
	if c := r.fallback.Load(); c != nil {
		res.Steps = append(res.Steps, "default certificate: "+describe(c))
		res.Source, res.Cert = SourceDefault, c
		return res
	}
	res.Steps = append(res.Steps, "no default certificate: the handshake fails")
	res.Source = SourceNone
	return res
}

// Listener returns the listener's own certificate, or nil.
func (r *Resolver) Listener() *tls.Certificate { return r.listener.Load() }

// Default returns the default certificate, or nil.
func (r *Resolver) Default() *tls.Certificate { return r.fallback.Load() }
