package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"time"
)

// selfSignKeyTypes are the key types SelfSignedKey makes.
// Ed25519 is left out: browsers and phones do not take it for TLS.
var selfSignKeyTypes = []string{"ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096"}

// SelfSignKeyTypes returns the key types [SelfSignedKey] makes, the default
// first.
func SelfSignKeyTypes() []string { return slices.Clone(selfSignKeyTypes) }

// maxSelfSignDays bounds the validity SelfSignedKey gives.
const maxSelfSignDays = 100 * 365

// SelfSignedKey makes a self-signed certificate for name (a DNS name or an
// IP address; "localhost" also covers 127.0.0.1 and ::1), valid from
// now-1h for days days, with a key of keyType (one of [SelfSignKeyTypes];
// empty means "ecdsa-p256"), and returns the key (PKCS#8) and the
// certificate in PEM: `pbxgate cert selfsign`. An ECDSA P-256 certificate
// is made by [SelfSigned], the default certificate's maker.
func SelfSignedKey(name string, days int, keyType string, now time.Time) (keyPEM, certPEM []byte, err error) {
	switch {
	case strings.TrimSpace(name) == "":
		return nil, nil, fmt.Errorf("self-signed certificate: no name")
	case days < 1 || days > maxSelfSignDays:
		return nil, nil, fmt.Errorf("self-signed certificate: %d days is not between 1 and %d", days, maxSelfSignDays)
	}
	var key crypto.Signer
	switch keyType {
	case "", "ecdsa-p256":
		return SelfSigned(name, days, now)
	case "ecdsa-p384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "rsa-2048", "rsa-3072", "rsa-4096":
		bits := map[string]int{"rsa-2048": 2048, "rsa-3072": 3072, "rsa-4096": 4096}[keyType]
		key, err = rsa.GenerateKey(rand.Reader, bits)
	default:
		return nil, nil, fmt.Errorf("self-signed certificate: key type %q is not one of %s", keyType, strings.Join(selfSignKeyTypes, ", "))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("generate serial: %w", err)
	}
	keyUsage := x509.KeyUsageDigitalSignature
	if _, ok := key.(*rsa.PrivateKey); ok {
		keyUsage |= x509.KeyUsageKeyEncipherment // RSA key exchange in TLS 1.2
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"pbxgate self-signed"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Duration(days) * 24 * time.Hour),
		KeyUsage:              keyUsage,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
		if name == "localhost" {
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
