package certs

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// sections is a PEM text read into its keys and certificates, before
// pairing.
type sections struct {
	text   []byte
	keys   []keyEntry
	certs  []certEntry
	others []pemBlock // sections neither key nor certificate
	marker *Marker
	warn   warnings
}

// readSections scans text, reads the marker and the text between the
// sections, and decodes every key and certificate. It fails on the first
// section that cannot be read.
func readSections(text []byte) (*sections, error) {
	blocks, err := scanPEM(text)
	if err != nil {
		return nil, err
	}
	s := &sections{text: text}
	if err := s.readOutside(blocks); err != nil {
		return nil, err
	}
	for _, b := range blocks {
		switch {
		case b.isCertificate():
			if len(s.certs) == maxBundleCerts {
				return nil, fmt.Errorf("more than %d certificates", maxBundleCerts)
			}
			c, err := b.certificate(len(s.certs) + 1)
			if err != nil {
				return nil, err
			}
			s.certs = append(s.certs, certEntry{cert: c, block: b})
		case b.isPrivateKey():
			if len(s.keys) == maxMergedKeys {
				return nil, fmt.Errorf("more than %d private keys", maxMergedKeys)
			}
			k, err := b.privateKey()
			if err != nil {
				return nil, err
			}
			s.keys = append(s.keys, keyEntry{key: k, block: b})
		default:
			s.others = append(s.others, b)
			if b.label != "EC PARAMETERS" {
				s.warn.addf("the %s section at %s is ignored", printable(b.label), b.where())
			}
		}
	}
	return s, nil
}

// readOutside reads the text before, between and after the sections: the
// marker on the first lines, header lines that tools print and that are
// ignored, other text (a warning) and the remains of damaged BEGIN or END
// lines (an error).
func (s *sections) readOutside(blocks []pemBlock) error {
	first := len(s.text)
	if len(blocks) > 0 {
		first = blocks[0].begin
	}
	marker, markerEnd, problem := parseMarker(s.text, first)
	s.marker = marker
	if problem != "" {
		s.warn.addf("%s; the certificate is treated as installed by hand", problem)
	}
	from := markerEnd
	for _, b := range blocks {
		if err := s.readGap(from, b.begin); err != nil {
			return err
		}
		from = b.end
	}
	return s.readGap(from, len(s.text))
}

// readGap reads text[from:to], text outside any section, line by line.
func (s *sections) readGap(from, to int) error {
	for from < to {
		stop := to
		if i := bytes.IndexByte(s.text[from:to], '\n'); i >= 0 {
			stop = from + i
		}
		line := s.text[from:stop]
		if i := bytes.Index(line, []byte("-----BEGIN")); i >= 0 {
			return kindErrorf(ErrGarbage, "garbage at %s: a damaged BEGIN line: %s", locate(s.text, from+i), excerpt(line[i:]))
		}
		if i := bytes.Index(line, []byte("-----END")); i >= 0 {
			return kindErrorf(ErrGarbage, "garbage at %s: an END line without its BEGIN line: %s", locate(s.text, from+i), excerpt(line[i:]))
		}
		trimmed := strings.TrimSpace(string(line))
		switch {
		case trimmed == "" || trimmed == "\ufeff":
		case strings.Contains(trimmed, markerPrefix[2:]) && s.marker != nil:
			s.warn.addf("the pbxgate-acme marker at %s is ignored: only the one on the first lines counts", locate(s.text, from))
		case strings.Contains(trimmed, markerPrefix[2:]):
			s.warn.addf("the pbxgate-acme marker at %s is ignored: it is only honoured on the first lines of the text; "+
				"the certificate is treated as installed by hand", locate(s.text, from))
		case !isHeaderLine(trimmed):
			s.warn.addf("text at %s outside the PEM sections is ignored: %s", locate(s.text, from+leadingSpace(line)), excerpt(line))
		}
		from = stop + 1
	}
	return nil
}

// headerPrefixes start the lines that tools print around PEM sections:
// openssl pkcs12 -nodes (Bag Attributes and its attributes), openssl x509
// -subject -issuer -dates -serial, the platform's date= line, comments.
var headerPrefixes = []string{
	"#", "date=", "bag attributes", "key attributes", "localkeyid", "friendlyname",
	"subject=", "issuer=", "serial=", "notbefore=", "notafter=",
	"<no attributes>", "<empty attributes>", "microsoft ", "x509v3 ",
}

// isHeaderLine reports whether a trimmed line outside the sections is one
// that tools print and that is ignored without a warning. In a paste whose
// line breaks became spaces the whole header is one line; its start
// decides.
func isHeaderLine(line string) bool {
	lower := strings.ToLower(line)
	for _, p := range headerPrefixes {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	// An attribute shown by its OID: "1.3.6.1.4.1.311.17.3.20: 9E D3 …".
	oid, _, ok := strings.Cut(line, ":")
	return ok && oid != "" && strings.Trim(oid, "0123456789.") == ""
}

func leadingSpace(line []byte) int { return len(line) - len(bytes.TrimLeft(line, " \t\r")) }

// excerpt quotes the start of a line for a message.
func excerpt(line []byte) string {
	s := strings.TrimSpace(string(line))
	const n = 40
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = string(r[:n]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
