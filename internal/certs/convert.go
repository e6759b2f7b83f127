package certs

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"
)

// Bundle makes the merged PEM a domain's certificate_pem takes from the
// files a CA hands out: the private key (keyPEM), the certificate
// (certPEM, which may carry its chain as a fullchain file does) and the
// chain (chainPEM, may be empty). It checks that the key is the
// certificate's, orders the chain leaf to root by issuer and returns the
// platform's order: key (PKCS#8), certificate, chain. A certificate of the
// files that is not on the certificate's chain is an error, and so is a
// private key anywhere but in the key file. Errors name the file and the
// line.
func Bundle(keyPEM, certPEM, chainPEM []byte) ([]byte, error) {
	keys, err := readSections(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	switch {
	case len(keys.keys) == 0:
		return nil, kindErrorf(ErrNoKey, "key file: no private key")
	case len(keys.keys) > 1:
		return nil, fmt.Errorf("key file: more than one private key (at %s and %s)",
			keys.keys[0].block.where(), keys.keys[1].block.where())
	}
	key := keys.keys[0].key
	var certs []certEntry
	var files []string
	for _, f := range []struct {
		name string
		data []byte
	}{{"certificate file", certPEM}, {"chain file", chainPEM}} {
		s, err := readSections(f.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		if len(s.keys) > 0 {
			return nil, fmt.Errorf("%s: a private key at %s; give the key in the key file only", f.name, s.keys[0].block.where())
		}
		if f.name == "certificate file" && len(s.certs) == 0 {
			return nil, kindErrorf(ErrNoCertificate, "certificate file: no certificate")
		}
		for _, c := range s.certs {
			if !containsCert(certPool(certs), c.cert) {
				certs = append(certs, c)
				files = append(files, f.name)
			}
		}
	}
	leaf := -1
	for i, c := range certs {
		if files[i] == "certificate file" && keyMatches(key, c.cert) {
			leaf = i
			break
		}
	}
	if leaf < 0 {
		return nil, kindErrorf(ErrKeyMismatch, "the key (%s) is not the key of the certificate; "+
			"check that the key file and the certificate file belong together", keyType(key.Public()))
	}
	chain := buildChain(certs[leaf].cert, certPool(certs))
	for i, c := range certs {
		if !containsCert(chain, c.cert) {
			return nil, fmt.Errorf("%s: the certificate at %s (%s) is not on the chain of %s",
				files[i], c.block.where(), subjectName(c.cert), subjectName(certs[leaf].cert))
		}
	}
	return ToPEM(tlsCertificate(key, chain))
}

func certPool(entries []certEntry) []*x509.Certificate {
	pool := make([]*x509.Certificate, len(entries))
	for i, e := range entries {
		pool[i] = e.cert
	}
	return pool
}

// ToPEM writes c as a merged PEM in the platform's order: the private key
// (PKCS#8), then the certificates of c.Certificate, leaf first.
func ToPEM(c *tls.Certificate) ([]byte, error) {
	key, leaf, _, err := certificateParts(c)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	var out bytes.Buffer
	_ = pem.Encode(&out, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	_ = pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	for _, der := range c.Certificate[1:] {
		_ = pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	return out.Bytes(), nil
}

// ToPKCS12 writes c as a PKCS#12 file protected by password, with
// go-pkcs12's Modern encoder: PBES2 with PBKDF2-HMAC-SHA-256 and
// AES-256-CBC, HMAC-SHA-256 MAC, as OpenSSL 3 writes by default (read by
// OpenSSL 1.1.1 and later and Java 12 and later). The password may not be
// empty.
func ToPKCS12(c *tls.Certificate, password string) ([]byte, error) {
	if password == "" {
		return nil, errors.New("a PKCS#12 file needs a password")
	}
	key, leaf, cas, err := certificateParts(c)
	if err != nil {
		return nil, err
	}
	data, err := pkcs12.Modern.Encode(key, leaf, cas, password)
	if err != nil {
		return nil, fmt.Errorf("encode PKCS#12: %w", err)
	}
	return data, nil
}

// certificateParts checks c and returns its key, leaf and the rest of its
// chain.
func certificateParts(c *tls.Certificate) (crypto.Signer, *x509.Certificate, []*x509.Certificate, error) {
	if c == nil || len(c.Certificate) == 0 {
		return nil, nil, nil, kindErrorf(ErrNoCertificate, "no certificate")
	}
	key, ok := c.PrivateKey.(crypto.Signer)
	if !ok || key == nil {
		return nil, nil, nil, kindErrorf(ErrNoKey, "no private key")
	}
	chain := make([]*x509.Certificate, len(c.Certificate))
	for i, der := range c.Certificate {
		x, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("certificate %d: %w", i+1, err)
		}
		chain[i] = x
	}
	if !keyMatches(key, chain[0]) {
		return nil, nil, nil, kindErrorf(ErrKeyMismatch, "the private key is not the key of the certificate")
	}
	return key, chain[0], chain[1:], nil
}
