package certs

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// maxBundleCerts bounds the certificates of a PEM bundle: a chain has a
// handful, and the chain walk costs grow with the square of the count.
const maxBundleCerts = 256

var errEncryptedKey = kindErrorf(ErrUnsupported, "encrypted private key is not supported; decrypt it with openssl pkey")

// ParsePEMBundle reads one private key and its certificates from a PEM text,
// in any order: the merged file operators paste (key, certificate, chain)
// and what `openssl pkcs12 -nodes` prints. Text outside the PEM blocks (Bag
// Attributes, subject=, issuer=, date= lines) is ignored, and so are CRLF
// line ends and line breaks turned into spaces by a copy and paste. Blocks
// other than keys and certificates (EC PARAMETERS, X509 CRL, …) are skipped.
//
// The key may be PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or
// SEC 1 ("EC PRIVATE KEY"), whatever the label says; an encrypted key is
// refused ([ErrUnsupported]). The leaf is the certificate whose public key
// is the key's ([ErrKeyMismatch] when none is); the chain is built upward
// from it by issuer, and certificates not on it are left out.
func ParsePEMBundle(data []byte) (*tls.Certificate, error) {
	blocks, err := scanPEM(data)
	if err != nil {
		return nil, err
	}
	var (
		key   crypto.Signer
		nkeys int
		certs []*x509.Certificate
	)
	for _, b := range blocks {
		switch {
		case b.label == "CERTIFICATE" || b.label == "X509 CERTIFICATE" || b.label == "TRUSTED CERTIFICATE":
			if len(certs) == maxBundleCerts {
				return nil, fmt.Errorf("more than %d certificates", maxBundleCerts)
			}
			c, err := b.certificate()
			if err != nil {
				return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
			}
			certs = append(certs, c)
		case b.label == "ENCRYPTED PRIVATE KEY" || strings.HasSuffix(b.label, "PRIVATE KEY") && b.encrypted:
			return nil, errEncryptedKey
		case strings.HasSuffix(b.label, "PRIVATE KEY"):
			if nkeys++; nkeys > 1 {
				return nil, errors.New("more than one private key; a bundle holds one key and its certificates")
			}
			if key, err = b.privateKey(); err != nil {
				return nil, err
			}
		}
	}
	switch {
	case key == nil:
		return nil, errors.New("no private key in the PEM text")
	case len(certs) == 0:
		return nil, errors.New("no certificate in the PEM text")
	}
	for _, c := range certs {
		if keyMatches(key, c) {
			return tlsCertificate(key, buildChain(c, certs)), nil
		}
	}
	return nil, kindErrorf(ErrKeyMismatch, "key matches no certificate in the file")
}

// pemBlock is one BEGIN…END block of a PEM text, not yet decoded.
type pemBlock struct {
	label     string
	body      string // between the BEGIN and the END line
	encrypted bool   // a Proc-Type: 4,ENCRYPTED header
}

const maxPEMLabel = 64

// scanPEM finds the PEM blocks of data. It is more tolerant than
// encoding/pem: the BEGIN and END lines need not stand on lines of their
// own, so a text whose line breaks became spaces still reads. A BEGIN
// without its END is an error. The scan is linear in len(data).
func scanPEM(data []byte) ([]pemBlock, error) {
	begin := []byte("-----BEGIN ")
	var blocks []pemBlock
	for {
		i := bytes.Index(data, begin)
		if i < 0 {
			return blocks, nil
		}
		data = data[i+len(begin):]
		label, ok := pemLabel(data)
		if !ok {
			continue
		}
		data = data[len(label)+5:]
		end := []byte("-----END " + label + "-----")
		j := bytes.Index(data, end)
		if j < 0 {
			return nil, fmt.Errorf("PEM block %q has no END line", label)
		}
		body := string(data[:j])
		data = data[j+len(end):]
		blocks = append(blocks, pemBlock{
			label:     label,
			body:      body,
			encrypted: strings.Contains(body, "Proc-Type:") && strings.Contains(body, "ENCRYPTED"),
		})
	}
}

// pemLabel returns the label that data starts with, up to its closing
// "-----": letters, digits and spaces, at most maxPEMLabel of them.
func pemLabel(data []byte) (string, bool) {
	for i := 0; i < len(data) && i <= maxPEMLabel; i++ {
		c := data[i]
		switch {
		case c == '-':
			ok := i > 0 && bytes.HasPrefix(data[i:], []byte("-----"))
			return string(data[:i]), ok
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == ' ':
		default:
			return "", false
		}
	}
	return "", false
}

// der decodes the base64 of the block. Header lines (Name: value) are
// dropped; every kind of white space is ignored.
func (b pemBlock) der() ([]byte, error) {
	var sb strings.Builder
	for line := range strings.SplitSeq(b.body, "\n") {
		if strings.Contains(line, ":") {
			continue
		}
		for _, r := range line {
			if r != ' ' && r != '\t' && r != '\r' && r != '\v' && r != '\f' {
				sb.WriteRune(r)
			}
		}
	}
	der, err := base64.StdEncoding.DecodeString(sb.String())
	if err != nil {
		return nil, fmt.Errorf("PEM block %q: bad base64: %w", b.label, err)
	}
	if len(der) == 0 {
		return nil, fmt.Errorf("PEM block %q is empty", b.label)
	}
	return der, nil
}

func (b pemBlock) certificate() (*x509.Certificate, error) {
	der, err := b.der()
	if err != nil {
		return nil, err
	}
	if b.label == "TRUSTED CERTIFICATE" {
		// OpenSSL's form: the certificate followed by its trust settings.
		var first asn1.RawValue
		if _, err := asn1.Unmarshal(der, &first); err != nil {
			return nil, fmt.Errorf("parse trusted certificate: %w", err)
		}
		der = first.FullBytes
	}
	return x509.ParseCertificate(der)
}

func (b pemBlock) privateKey() (crypto.Signer, error) {
	switch b.label {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
	default:
		return nil, kindErrorf(ErrUnsupported, "%s blocks are not supported; convert the key with openssl pkey", b.label)
	}
	der, err := b.der()
	if err != nil {
		return nil, err
	}
	return parsePrivateKey(der)
}
