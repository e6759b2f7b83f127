package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Key algorithms of PKCS#8 that Go does not read or TLS cannot use, by OID,
// so that the error can name them.
var unsupportedKeyAlgorithms = map[string]string{
	"1.2.840.10040.4.1":     "DSA",
	"1.2.840.113549.1.1.10": "RSASSA-PSS",
	"1.3.101.113":           "Ed448",
	"1.3.101.111":           "X448",
	"1.3.101.110":           "X25519",
	"1.2.840.10046.2.1":     "Diffie-Hellman",
}

// parsePrivateKey reads a DER private key in PKCS#8, PKCS#1 or SEC 1 form,
// whatever its label said, and checks that TLS can sign with it.
func parsePrivateKey(der []byte) (crypto.Signer, error) {
	k, err8 := x509.ParsePKCS8PrivateKey(der)
	if err8 == nil {
		return tlsSigner(k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return tlsSigner(k)
	}
	var p8 struct {
		Version int
		Algo    pkix.AlgorithmIdentifier
		Key     []byte
	}
	if _, err := asn1.Unmarshal(der, &p8); err == nil {
		oid := p8.Algo.Algorithm.String()
		if name, ok := unsupportedKeyAlgorithms[oid]; ok {
			return nil, kindErrorf(ErrUnsupported, "%s private keys are not supported for TLS", name)
		}
		if !knownKeyAlgorithm(p8.Algo.Algorithm) {
			return nil, kindErrorf(ErrUnsupported, "private key algorithm %s is not supported", oid)
		}
	}
	return nil, fmt.Errorf("parse private key: %w", err8)
}

var (
	oidRSAKey     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECKey      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519Key = asn1.ObjectIdentifier{1, 3, 101, 112}
)

func knownKeyAlgorithm(oid asn1.ObjectIdentifier) bool {
	return oid.Equal(oidRSAKey) || oid.Equal(oidECKey) || oid.Equal(oidEd25519Key)
}

// tlsSigner returns k as a crypto.Signer if crypto/tls can use it: RSA,
// ECDSA on P-256, P-384 or P-521, or Ed25519.
func tlsSigner(k any) (crypto.Signer, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return k, nil
		}
		return nil, kindErrorf(ErrUnsupported, "ECDSA curve %s is not supported for TLS", k.Curve.Params().Name)
	case *ecdh.PrivateKey:
		return nil, kindErrorf(ErrUnsupported, "%v keys cannot sign; TLS needs an RSA, ECDSA or Ed25519 key", k.Curve())
	default:
		return nil, kindErrorf(ErrUnsupported, "private key type %T is not supported for TLS", k)
	}
}

// keyMatches reports whether cert carries the public half of key.
func keyMatches(key crypto.Signer, cert *x509.Certificate) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// maxChainLength bounds how many issuers buildChain follows; real chains
// have three to five certificates.
const maxChainLength = 16

// buildChain returns leaf followed by its issuers found in pool, nearest
// first. An issuer is a certificate whose subject is the child's issuer and
// whose key verifies the child's signature; when no candidate verifies (an
// algorithm Go refuses, such as SHA-1), a subject match is taken. The walk
// stops at a self-issued certificate or when no issuer is in pool.
// Certificates of pool that are not on the path are left out.
func buildChain(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	used := make([]bool, len(pool))
	markUsed := func(c *x509.Certificate) {
		for i, p := range pool {
			if p.Equal(c) {
				used[i] = true
			}
		}
	}
	markUsed(leaf)
	chain := []*x509.Certificate{leaf}
	for cur := leaf; len(chain) < maxChainLength && !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
		next := findIssuer(cur, pool, used, true)
		if next == nil {
			next = findIssuer(cur, pool, used, false)
		}
		if next == nil {
			break
		}
		markUsed(next)
		chain = append(chain, next)
		cur = next
	}
	return chain
}

func findIssuer(child *x509.Certificate, pool []*x509.Certificate, used []bool, verify bool) *x509.Certificate {
	for i, c := range pool {
		if used[i] || !bytes.Equal(c.RawSubject, child.RawIssuer) {
			continue
		}
		if len(child.AuthorityKeyId) > 0 && len(c.SubjectKeyId) > 0 && !bytes.Equal(child.AuthorityKeyId, c.SubjectKeyId) {
			continue
		}
		if verify && child.CheckSignatureFrom(c) != nil {
			continue
		}
		return c
	}
	return nil
}

// assemble picks the leaf among certs (the first whose public key is key's),
// builds its chain from the others and returns the tls.Certificate.
func assemble(key crypto.Signer, certs []*x509.Certificate) (*tls.Certificate, error) {
	for _, c := range certs {
		if keyMatches(key, c) {
			return tlsCertificate(key, buildChain(c, certs)), nil
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificate for the private key")
	}
	return nil, kindErrorf(ErrKeyMismatch, "the private key matches none of the %d certificates", len(certs))
}

func tlsCertificate(key crypto.Signer, chain []*x509.Certificate) *tls.Certificate {
	c := &tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, x := range chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}
