package sni

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"
)

// describe names a certificate for people: subject, key type and expiry.
func describe(c *tls.Certificate) string {
	leaf := c.Leaf
	if leaf == nil {
		var err error
		if len(c.Certificate) == 0 {
			return "certificate without DER"
		}
		if leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
			return "unparsable certificate"
		}
	}
	return fmt.Sprintf("%q (%s, not after %s)", subjectName(leaf), keyType(leaf), leaf.NotAfter.UTC().Format(time.RFC3339))
}

// subjectName is the common name, else the first DNS name, else the subject.
func subjectName(leaf *x509.Certificate) string {
	switch {
	case leaf.Subject.CommonName != "":
		return leaf.Subject.CommonName
	case len(leaf.DNSNames) > 0:
		return leaf.DNSNames[0]
	}
	return leaf.Subject.String()
}

func keyType(leaf *x509.Certificate) string {
	switch k := leaf.PublicKey.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return leaf.PublicKeyAlgorithm.String()
}
