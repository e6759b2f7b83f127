// Package certs chooses the certificate of every TLS handshake and makes the
// certificates pbxgate needs for itself.
//
// A listener asks a [Resolver] for its certificate from inside the handshake
// (tls.Config.GetCertificate), so that the certificate can change between two
// handshakes without touching the listener. [Static] serves the listener's own
// certificate (its certdir or keystore) and falls back to the default
// certificate, the self-signed one made for the master domain on first start.
package certs

import (
	"crypto/tls"
	"errors"
	"sync/atomic"
)

// Resolver picks the certificate for one handshake.
type Resolver interface {
	GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error)
}

// Static is a Resolver that serves one listener certificate, or the default
// certificate when the listener has none. Both can be swapped at any time;
// the next handshake sees the change.
type Static struct {
	listener atomic.Pointer[tls.Certificate]
	fallback atomic.Pointer[tls.Certificate]
}

// NewStatic returns a Static serving listener (may be nil) else fallback.
func NewStatic(listener, fallback *tls.Certificate) *Static {
	s := &Static{}
	s.Set(listener, fallback)
	return s
}

// Set replaces both certificates.
func (s *Static) Set(listener, fallback *tls.Certificate) {
	s.listener.Store(listener)
	s.fallback.Store(fallback)
}

// GetCertificate implements Resolver.
func (s *Static) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if c := s.listener.Load(); c != nil {
		return c, nil
	}
	if c := s.fallback.Load(); c != nil {
		return c, nil
	}
	return nil, errors.New("no certificate")
}
