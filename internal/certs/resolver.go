// Package certs chooses the certificate of every TLS handshake and makes the
// certificates pbxgate needs for itself.
//
// A listener asks a [Resolver] for its certificate from inside the handshake
// (tls.Config.GetCertificate), so that the certificate can change between two
// handshakes without touching the listener (package sni implements it over
// the domain tree). This package loads what is served: the listeners' certdir
// and keystores (JKS, PKCS#12, PEM bundles, told apart by content), the
// domains' merged PEM, and the default certificate, self-signed for the
// master domain on first start; it describes and checks certificates and
// converts between the forms operators meet.
package certs

import "crypto/tls"

// Resolver picks the certificate for one handshake.
type Resolver interface {
	GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error)
}
