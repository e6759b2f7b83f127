package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Info describes a certificate for people and for JSON.
type Info struct {
	Subject string `json:"subject"`
	// SANs are the DNS names and IP addresses the certificate covers.
	SANs      []string  `json:"sans"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// KeyType names the public key as Pair.KeyType does.
	KeyType string `json:"key_type"`
	// SerialHex is the serial number in upper-case hex, as openssl x509
	// -serial prints it.
	SerialHex string `json:"serial"`
	// SHA256Fingerprint is the SHA-256 of the DER, upper-case hex bytes
	// joined by colons, as openssl x509 -fingerprint -sha256 and browsers
	// show it.
	SHA256Fingerprint string `json:"sha256_fingerprint"`
	// SelfSigned: the certificate is its own issuer and signed by its own
	// key.
	SelfSigned bool `json:"self_signed"`
	// ChainLength counts the certificates served, the leaf included.
	ChainLength int `json:"chain_length"`
}

// Describe returns the Info of c's leaf (c.Leaf, else the first
// certificate). A certificate that does not parse gives an Info with only
// ChainLength set.
func Describe(c *tls.Certificate) Info {
	chain := parsedChain(c)
	if len(chain) == 0 {
		if c == nil {
			return Info{}
		}
		return Info{ChainLength: len(c.Certificate)}
	}
	leaf := chain[0]
	info := Info{
		Subject:           leaf.Subject.String(),
		Issuer:            leaf.Issuer.String(),
		NotBefore:         leaf.NotBefore,
		NotAfter:          leaf.NotAfter,
		KeyType:           keyType(leaf.PublicKey),
		SerialHex:         serialHex(leaf.SerialNumber),
		SHA256Fingerprint: fingerprint(leaf.Raw),
		SelfSigned:        selfSigned(leaf),
		ChainLength:       len(c.Certificate),
	}
	info.SANs = append(info.SANs, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		info.SANs = append(info.SANs, ip.String())
	}
	if info.SANs == nil {
		info.SANs = []string{}
	}
	return info
}

// parsedChain returns the certificates of c, parsed, leaf first; it stops
// at the first that does not parse.
func parsedChain(c *tls.Certificate) []*x509.Certificate {
	if c == nil {
		return nil
	}
	var chain []*x509.Certificate
	for i, der := range c.Certificate {
		if i == 0 && c.Leaf != nil && bytes.Equal(c.Leaf.Raw, der) {
			chain = append(chain, c.Leaf)
			continue
		}
		x, err := x509.ParseCertificate(der)
		if err != nil {
			break
		}
		chain = append(chain, x)
	}
	if len(chain) == 0 && c.Leaf != nil {
		chain = append(chain, c.Leaf)
	}
	return chain
}

// keyType names a public key: "rsa-2048", "ecdsa-p256", "ed25519", …
func keyType(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("rsa-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ecdsa-" + strings.ToLower(strings.ReplaceAll(k.Curve.Params().Name, "-", ""))
	case ed25519.PublicKey:
		return "ed25519"
	default:
		return "unknown"
	}
}

func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	s := strings.ToUpper(n.Text(16))
	if n.Sign() >= 0 && len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// selfSigned reports whether c is its own issuer and its signature
// verifies with its own key. A signature Go refuses to check (SHA-1) is
// taken as good here; Check reports the algorithm.
func selfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// minRSABits is the smallest RSA key Check accepts.
const minRSABits = 2048

// Check lists in plain words what is wrong with c for serving name at
// now: not yet valid or expired (the leaf or a certificate of its chain),
// does not cover name (skipped when name is empty), a chain that is
// broken or does not verify to its own root (when it ends in a
// self-signed one), only the leaf of a CA-issued certificate with no
// intermediates, not meant for TLS servers, an RSA key under 2048 bits, a
// SHA-1 or MD5 signature. It returns nil when nothing is wrong.
func Check(c *tls.Certificate, name string, now time.Time) []string {
	chain := parsedChain(c)
	if len(chain) == 0 {
		return []string{"no certificate that can be read"}
	}
	if len(chain) < len(c.Certificate) {
		return []string{fmt.Sprintf("certificate %d of the chain does not parse", len(chain)+1)}
	}
	leaf := chain[0]
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for i, x := range chain {
		what := "the certificate"
		if i > 0 {
			what = fmt.Sprintf("chain certificate %d (%s)", i+1, subjectName(x))
		}
		switch {
		case now.After(x.NotAfter):
			add("%s expired on %s (%s ago)", what, stamp(x.NotAfter), ago(now.Sub(x.NotAfter)))
		case now.Before(x.NotBefore):
			add("%s is not yet valid: valid from %s (in %s)", what, stamp(x.NotBefore), ago(x.NotBefore.Sub(now)))
		}
	}
	if name != "" && !covers(leaf, strings.TrimSuffix(name, ".")) {
		add("does not cover %s; it covers %s", name, coveredNames(leaf))
	}
	problems = append(problems, checkChain(chain, now)...)
	if !serverAuth(leaf) {
		add("not meant for TLS servers: its extended key usage does not include serverAuth")
	}
	for i, x := range chain {
		what := "the certificate"
		if i > 0 {
			what = fmt.Sprintf("chain certificate %d", i+1)
		}
		if k, ok := x.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
			add("%s has an RSA key of %d bits, which is too weak; use %d bits or more", what, k.N.BitLen(), minRSABits)
		}
		// A root's own signature plays no part in trusting it.
		if weak := weakSignature(x.SignatureAlgorithm); weak != "" && (i == 0 || !selfSigned(x)) {
			add("%s is signed with %s (%v), which clients refuse", what, weak, x.SignatureAlgorithm)
		}
	}
	return problems
}

// checkChain checks that each certificate of chain was issued by the next
// and, when the chain ends in a self-signed root, that the leaf verifies
// against that root through the certificates between.
func checkChain(chain []*x509.Certificate, now time.Time) []string {
	leaf, last := chain[0], chain[len(chain)-1]
	for i := 0; i+1 < len(chain); i++ {
		child, parent := chain[i], chain[i+1]
		err := child.CheckSignatureFrom(parent)
		var (
			insecure   x509.InsecureAlgorithmError
			constraint x509.ConstraintViolationError
		)
		switch {
		case bytes.Equal(child.RawIssuer, parent.RawSubject) && errors.As(err, &constraint):
			return []string{fmt.Sprintf("the chain is broken: certificate %d (%s) is not a CA certificate, so it cannot issue certificate %d (%s)",
				i+2, subjectName(parent), i+1, subjectName(child))}
		case !bytes.Equal(child.RawIssuer, parent.RawSubject) || err != nil && !errors.As(err, &insecure):
			return []string{fmt.Sprintf("the chain is broken: certificate %d (%s) was not issued by certificate %d (%s)",
				i+1, subjectName(child), i+2, subjectName(parent))}
		}
	}
	if len(chain) == 1 {
		if selfSigned(leaf) {
			return nil
		}
		return []string{fmt.Sprintf("the chain holds only the certificate: the intermediate certificates of %s are missing, "+
			"so clients that do not already have them will not trust it", leaf.Issuer)}
	}
	if !selfSigned(last) {
		return nil // the root is left out, as it should be
	}
	for _, x := range chain[:len(chain)-1] {
		if weakSignature(x.SignatureAlgorithm) != "" {
			return nil // Go does not verify such signatures; Check says why
		}
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(last)
	for _, x := range chain[1 : len(chain)-1] {
		inter.AddCert(x)
	}
	// Validity is checked for each certificate on its own; verify at a
	// time the leaf is valid so that an expiry is not reported twice.
	at := now
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	var invalid x509.CertificateInvalidError
	var insecure x509.InsecureAlgorithmError
	switch {
	case err == nil, errors.As(err, &invalid) && invalid.Reason == x509.Expired, errors.As(err, &insecure):
		return nil
	}
	return []string{fmt.Sprintf("the chain does not verify to its own root (%s): %v", subjectName(last), err)}
}

func serverAuth(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

func weakSignature(alg x509.SignatureAlgorithm) string {
	switch alg {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return "SHA-1"
	case x509.MD5WithRSA, x509.MD2WithRSA:
		return "MD5"
	}
	return ""
}

// coveredNames lists the names and addresses a certificate covers.
func coveredNames(c *x509.Certificate) string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return "no name (it has no subject alternative names)"
	}
	return strings.Join(names, ", ")
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// ago says a duration in days, or hours and minutes under two days.
func ago(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
}
