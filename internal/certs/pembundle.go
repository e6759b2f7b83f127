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
	"unicode"
	"unicode/utf8"
)

// Bounds of a PEM text: sections of any kind, certificates (a chain has a
// handful, and the chain walk costs grow with the square of the count) and
// private keys (a domain holds one or two certificates side by side).
const (
	maxPEMSections = 1024
	maxBundleCerts = 256
	maxMergedKeys  = 8
)

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
//
// It reads the text as [ParseMerged] does, with the same errors (a damaged
// BEGIN or END line is [ErrGarbage]), and requires exactly one private
// key.
func ParsePEMBundle(data []byte) (*tls.Certificate, error) {
	s, err := readSections(data)
	if err != nil {
		return nil, err
	}
	if len(s.keys) > 1 {
		return nil, fmt.Errorf("more than one private key (at %s and %s); a bundle holds one key and its certificates",
			s.keys[0].block.where(), s.keys[1].block.where())
	}
	pairs, err := s.pairs()
	if err != nil {
		return nil, err
	}
	return pairs[0].Cert, nil
}

// pemBlock is one BEGIN…END block of a PEM text, not yet decoded.
type pemBlock struct {
	label     string
	body      string // between the BEGIN and the END line
	encrypted bool   // a Proc-Type: 4,ENCRYPTED header

	text   []byte // the whole text, to name places in it
	begin  int    // offset of "-----BEGIN"
	bodyAt int    // offset of body
	end    int    // offset just after the END line
}

const maxPEMLabel = 64

var (
	pemBegin = []byte("-----BEGIN ")
	pemEnd   = []byte("-----END ")
)

// scanPEM finds the PEM blocks of data. It is more tolerant than
// encoding/pem: the BEGIN and END lines need not stand on lines of their
// own, so a text whose line breaks became spaces still reads. A BEGIN
// without its END, or whose END comes only after another BEGIN, is an
// error ([ErrGarbage]). A BEGIN whose label is not one (lower-case, too
// long, not closed by "-----") is passed over. The scan is linear in
// len(data).
func scanPEM(data []byte) ([]pemBlock, error) {
	var (
		blocks []pemBlock
		pos    int // where the search goes on
	)
	for {
		i := bytes.Index(data[pos:], pemBegin)
		if i < 0 {
			return blocks, nil
		}
		begin := pos + i
		afterBegin := begin + len(pemBegin)
		label, ok := pemLabel(data[afterBegin:])
		if !ok {
			pos = afterBegin
			continue
		}
		b := pemBlock{label: label, text: data, begin: begin, bodyAt: afterBegin + len(label) + 5}
		if len(blocks) == maxPEMSections {
			return nil, kindErrorf(ErrGarbage, "garbage at %s: more than %d PEM sections", b.where(), maxPEMSections)
		}
		end := []byte("-----END " + label + "-----")
		j := bytes.Index(data[b.bodyAt:], end)
		if j < 0 {
			return nil, kindErrorf(ErrGarbage, "garbage at %s: PEM block %q has no END line", b.where(), label)
		}
		body := data[b.bodyAt : b.bodyAt+j]
		if k := bytes.Index(body, []byte("-----")); k >= 0 {
			if bytes.HasPrefix(body[k:], pemBegin) || bytes.HasPrefix(body[k:], pemEnd) {
				return nil, kindErrorf(ErrGarbage, "garbage at %s: PEM block %q has no END line before %s",
					b.where(), label, locate(data, b.bodyAt+k))
			}
		}
		b.body = string(body)
		b.end = b.bodyAt + j + len(end)
		b.encrypted = strings.Contains(b.body, "Proc-Type:") && strings.Contains(b.body, "ENCRYPTED")
		blocks = append(blocks, b)
		pos = b.end
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

// where names the place of the block's BEGIN line.
func (b pemBlock) where() place { return locate(b.text, b.begin) }

// place is a position in a text, named for a message only when the
// message is formatted.
type place struct {
	text []byte
	off  int
}

// locate returns the place of offset off in text.
func locate(text []byte, off int) place { return place{text: text, off: min(max(off, 0), len(text))} }

// String names the place: "line N", and the byte offset as well when that
// line holds more than a lone BEGIN or END line (a paste whose line breaks
// became spaces is all line 1).
func (p place) String() string {
	text, off := p.text, p.off
	n := 1 + bytes.Count(text[:off], []byte{'\n'})
	start := bytes.LastIndexByte(text[:off], '\n') + 1
	stop := len(text)
	if e := bytes.IndexByte(text[off:], '\n'); e >= 0 {
		stop = off + e
	}
	line := bytes.TrimSpace(text[start:stop])
	boundary := bytes.Contains(line, pemBegin) || bytes.Contains(line, pemEnd)
	lone := bytes.HasPrefix(line, []byte("-----")) && len(line) <= len(pemBegin)+maxPEMLabel+5 &&
		bytes.Count(line, pemBegin)+bytes.Count(line, pemEnd) == 1
	if boundary && !lone {
		return fmt.Sprintf("line %d (byte offset %d)", n, off)
	}
	return fmt.Sprintf("line %d", n)
}

// places lists places for a message.
type places []place

func (ps places) String() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// der decodes the base64 of the block. Header lines (Name: value) are
// dropped; every kind of white space is ignored. A character that is not
// base64, or base64 cut short, is an error ([ErrGarbage]) that names its
// line.
func (b pemBlock) der() ([]byte, error) {
	clean := make([]byte, 0, len(b.body))
	at := make([]int, 0, len(b.body)) // offset in the text of each byte of clean
	for off := 0; off < len(b.body); {
		eol := strings.IndexByte(b.body[off:], '\n')
		if eol < 0 {
			eol = len(b.body) - off
		}
		line := b.body[off : off+eol]
		if !strings.Contains(line, ":") {
			for i := 0; i < len(line); {
				r, size := utf8.DecodeRuneInString(line[i:])
				if !unicode.IsSpace(r) {
					clean = append(clean, line[i:i+size]...)
					for k := range size {
						at = append(at, b.bodyAt+off+i+k)
					}
				}
				i += size
			}
		}
		off += eol + 1
	}
	der, err := base64.StdEncoding.DecodeString(string(clean))
	var corrupt base64.CorruptInputError
	switch {
	case errors.As(err, &corrupt):
		n := min(int(corrupt), len(clean)-1)
		off, why := at[n], "misplaced padding or the base64 is cut short"
		rest := clean[n:]
		if c, _ := utf8.DecodeRune(rest); !isBase64(c) {
			why = fmt.Sprintf("%q is not a base64 character", c)
		} else if len(rest) < 4 && !bytes.Contains(rest, []byte("=")) {
			off, why = at[len(at)-1], "the base64 is cut short"
		}
		return nil, kindErrorf(ErrGarbage, "garbage at %s: bad base64 in PEM block %q that begins at %s: %s",
			locate(b.text, off), b.label, b.where(), why)
	case err != nil:
		return nil, kindWrap(ErrGarbage, err, "garbage at %s: bad base64 in PEM block %q", b.where(), b.label)
	case len(der) == 0:
		return nil, kindErrorf(ErrGarbage, "garbage at %s: PEM block %q is empty", b.where(), b.label)
	}
	return der, nil
}

func isBase64(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '='
}

// certificate decodes a CERTIFICATE, X509 CERTIFICATE or TRUSTED
// CERTIFICATE block; n numbers it among the certificates of the text.
func (b pemBlock) certificate(n int) (*x509.Certificate, error) {
	der, err := b.der()
	if err != nil {
		return nil, err
	}
	if b.label == "TRUSTED CERTIFICATE" {
		// OpenSSL's form: the certificate followed by its trust settings.
		var first asn1.RawValue
		if _, err := asn1.Unmarshal(der, &first); err != nil {
			return nil, kindWrap(ErrGarbage, err, "garbage at %s: certificate %d does not parse", b.where(), n)
		}
		der = first.FullBytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, kindWrap(ErrGarbage, err, "garbage at %s: certificate %d does not parse", b.where(), n)
	}
	return c, nil
}

// isCertificate and isPrivateKey classify a block by its label.
func (b pemBlock) isCertificate() bool {
	return b.label == "CERTIFICATE" || b.label == "X509 CERTIFICATE" || b.label == "TRUSTED CERTIFICATE"
}

func (b pemBlock) isPrivateKey() bool { return strings.HasSuffix(b.label, "PRIVATE KEY") }

// privateKey decodes a private-key block. An encrypted key, and key forms
// and algorithms TLS cannot use, are refused with [ErrUnsupported].
func (b pemBlock) privateKey() (crypto.Signer, error) {
	if b.label == "ENCRYPTED PRIVATE KEY" || b.encrypted {
		return nil, kindErrorf(ErrUnsupported, "encrypted private key at %s is not supported; "+
			"decrypt it with openssl pkey -in KEYFILE -out NEWFILE", b.where())
	}
	switch b.label {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
	default:
		return nil, kindErrorf(ErrUnsupported, "private key at %s: %s blocks are not supported; convert the key with openssl pkey",
			b.where(), b.label)
	}
	der, err := b.der()
	if err != nil {
		return nil, err
	}
	key, err := parsePrivateKey(der)
	switch {
	case errors.Is(err, ErrUnsupported):
		return nil, kindWrap(ErrUnsupported, err, "private key at %s", b.where())
	case err != nil:
		return nil, kindWrap(ErrGarbage, err, "garbage at %s: the private key does not parse", b.where())
	}
	return key, nil
}
