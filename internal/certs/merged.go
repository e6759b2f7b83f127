package certs

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// Errors of [ParseMerged] and [ParsePEMBundle] that a caller can branch on
// with errors.Is, besides [ErrUnsupported] (an encrypted key, a key form or
// algorithm TLS cannot use) and [ErrKeyMismatch] (a key that matches no
// certificate). The message of the error returned names the place in the
// text.
var (
	// ErrNoKey: the text holds no private key.
	ErrNoKey = errors.New("no private key")
	// ErrNoCertificate: the text holds a private key but no certificate.
	ErrNoCertificate = errors.New("no certificate")
	// ErrGarbage: a section cannot be read: base64 that does not decode,
	// a BEGIN line without its END line (or an END without its BEGIN), or
	// content that does not parse as what its label says.
	ErrGarbage = errors.New("garbage in the PEM text")
)

// MaxMergedSize is the largest certificate_pem text [ParseMerged] reads.
const MaxMergedSize = 1 << 20

// Merged is the content of a domain's certificate_pem.
type Merged struct {
	// Pairs are the private keys of the text, in the order they appear,
	// each with its certificate and chain.
	Pairs []Pair
	// Marker is set when the text starts with the header lines of an
	// automatically issued certificate (see [Marker]); nil means a
	// certificate installed by hand.
	Marker *Marker
	// Warnings say what was odd but did not stop the text from being
	// used: a certificate that belongs to no key and is on no chain, text
	// outside the sections that is not a known header line, a malformed
	// marker, a repeated section.
	Warnings []string
}

// Pair is one private key with its certificate.
type Pair struct {
	// Cert holds the key, the chain leaf first and root (if given) last,
	// and Leaf.
	Cert *tls.Certificate
	// KeyType names the key: "ecdsa-p256", "ecdsa-p384", "ecdsa-p521",
	// "rsa-2048", "rsa-4096", …, "ed25519".
	KeyType string
}

// ParseMerged reads a domain's certificate_pem: private keys, certificates
// and chains in PEM, in any order (the platform's order is key, then
// certificate, then chain leaf to root).
//
// It is tolerant of how the text was made and carried: header lines before
// the sections (date=…, Bag Attributes, localKeyID, friendlyName,
// subject=…, issuer=…, as `openssl pkcs12 -nodes` prints them), CRLF line
// ends, and a paste whose line breaks became spaces. Keys may be PKCS#8,
// PKCS#1 or SEC 1, RSA, ECDSA (P-256, P-384, P-521) or Ed25519. Sections
// other than keys and certificates are skipped with a warning (EC
// PARAMETERS silently).
//
// The text may hold more than one key, each with its certificates (an RSA
// and an ECDSA certificate side by side). Each key is paired with the
// certificate whose public key is its own (the newest one, when several
// are), and the chain is built from there upward by issuer. A certificate
// that is the leaf of no key and on no chain is reported in
// Merged.Warnings.
//
// Errors: [ErrNoKey], [ErrNoCertificate], [ErrKeyMismatch] (a key matches
// no certificate), [ErrUnsupported] (an encrypted key, a key TLS cannot
// use), [ErrGarbage] (base64 that does not decode, a BEGIN without END).
// Messages name the line, counted from 1 in text; when the line holds more
// than a lone BEGIN or END line, as in a paste whose line breaks became
// spaces, they give the byte offset too. Texts over [MaxMergedSize],
// with more than 8 keys or 256 certificates, are refused.
func ParseMerged(text string) (*Merged, error) {
	if len(text) > MaxMergedSize {
		return nil, fmt.Errorf("the text is %d bytes, more than the %d a certificate_pem may hold", len(text), MaxMergedSize)
	}
	s, err := readSections([]byte(text))
	if err != nil {
		return nil, err
	}
	pairs, err := s.pairs()
	if err != nil {
		return nil, err
	}
	return &Merged{Pairs: pairs, Marker: s.marker, Warnings: s.warn.list()}, nil
}

// keyEntry and certEntry are a decoded section and where it was.
type keyEntry struct {
	key   crypto.Signer
	block pemBlock
}

type certEntry struct {
	cert  *x509.Certificate
	block pemBlock
}

// pairs pairs every key with its leaf and chain.
func (s *sections) pairs() ([]Pair, error) {
	if len(s.keys) == 0 {
		if len(s.certs) == 0 && len(s.others) == 0 {
			return nil, kindErrorf(ErrNoKey, "no private key in the text: it holds no PEM section")
		}
		return nil, kindErrorf(ErrNoKey, "no private key in the text")
	}
	if len(s.certs) == 0 {
		msg := "no certificate in the text"
		for _, b := range s.others {
			if strings.Contains(b.label, "REQUEST") {
				msg += fmt.Sprintf("; the %s at %s is the request sent to the CA, not the certificate it issued", b.label, b.where())
				break
			}
		}
		return nil, kindErrorf(ErrNoCertificate, "%s", msg)
	}
	keys, certs := s.uniqueKeys(), s.uniqueCerts()
	pool := make([]*x509.Certificate, len(certs))
	for i, c := range certs {
		pool[i] = c.cert
	}
	used := make([]bool, len(certs))    // on the chain of a pair
	claimed := make([]bool, len(certs)) // a leaf of some key
	pairs := make([]Pair, 0, len(keys))
	for _, k := range keys {
		leaf := -1
		var all places
		for i, c := range certs {
			if !keyMatches(k.key, c.cert) {
				continue
			}
			claimed[i] = true
			all = append(all, c.block.where())
			if leaf < 0 || c.cert.NotBefore.After(certs[leaf].cert.NotBefore) {
				leaf = i
			}
		}
		if leaf < 0 {
			return nil, kindErrorf(ErrKeyMismatch, "the key at %s (%s) matches no certificate in the text",
				k.block.where(), keyType(k.key.Public()))
		}
		if len(all) > 1 {
			s.warn.addf("the key at %s matches %d certificates (at %s); the newest, at %s, is used",
				k.block.where(), len(all), all, certs[leaf].block.where())
		}
		chain := buildChain(certs[leaf].cert, pool)
		for _, c := range chain {
			for i, p := range pool {
				if p == c {
					used[i] = true
				}
			}
		}
		pairs = append(pairs, Pair{Cert: tlsCertificate(k.key, chain), KeyType: keyType(k.key.Public())})
	}
	for i, c := range certs {
		if !used[i] && !claimed[i] {
			s.warn.addf("the certificate at %s (%s) belongs to no key and is on no chain; it is ignored",
				c.block.where(), subjectName(c.cert))
		}
	}
	return pairs, nil
}

// uniqueKeys drops a key that repeats an earlier one, with a warning.
func (s *sections) uniqueKeys() []keyEntry {
	var out []keyEntry
next:
	for _, k := range s.keys {
		for _, o := range out {
			if pub, ok := o.key.Public().(interface{ Equal(crypto.PublicKey) bool }); ok && pub.Equal(k.key.Public()) {
				s.warn.addf("the key at %s repeats the key at %s", k.block.where(), o.block.where())
				continue next
			}
		}
		out = append(out, k)
	}
	return out
}

// uniqueCerts drops a certificate that repeats an earlier one, with a
// warning.
func (s *sections) uniqueCerts() []certEntry {
	var out []certEntry
next:
	for _, c := range s.certs {
		for _, o := range out {
			if o.cert.Equal(c.cert) {
				s.warn.addf("the certificate at %s repeats the one at %s", c.block.where(), o.block.where())
				continue next
			}
		}
		out = append(out, c)
	}
	return out
}

// subjectName names a certificate for a message: its subject, or its
// first DNS name when the subject is empty.
func subjectName(c *x509.Certificate) string {
	if s := c.Subject.String(); s != "" {
		return s
	}
	if len(c.DNSNames) > 0 {
		return "DNS:" + c.DNSNames[0]
	}
	return "no subject"
}

// maxWarnings bounds the warnings of one text.
const maxWarnings = 32

// warnings collects the warnings of one text, up to maxWarnings.
type warnings struct {
	msgs    []string
	dropped int
}

func (w *warnings) addf(format string, args ...any) {
	if len(w.msgs) == maxWarnings {
		w.dropped++
		return
	}
	w.msgs = append(w.msgs, fmt.Sprintf(format, args...))
}

func (w *warnings) list() []string {
	if w.dropped == 0 {
		return w.msgs
	}
	return append(w.msgs, fmt.Sprintf("and %d more warnings", w.dropped))
}
