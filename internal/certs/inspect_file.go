package certs

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Report is what `pbxgate cert inspect` says of a file.
type Report struct {
	// Format is "PEM", "DER", "JKS" or "PKCS#12".
	Format string `json:"format"`
	// Entries are the certificates of the file: one per private key, and
	// in a file without keys one per chain.
	Entries []ReportEntry `json:"entries"`
	// Warnings are those of reading the file (see Merged.Warnings).
	Warnings []string `json:"warnings,omitempty"`
}

// ReportEntry is one certificate of a Report, with its chain.
type ReportEntry struct {
	// Alias is the keystore alias asked for, if any.
	Alias string `json:"alias,omitempty"`
	Info
	// HasKey: the file holds the certificate's private key.
	HasKey bool `json:"has_key"`
	// Problems are those [Check] finds, with no name to cover; empty when
	// nothing is wrong.
	Problems []string `json:"problems"`
}

// InspectFile reads a certificate file of any format pbxgate knows and
// describes what it holds, at the current time; see [InspectFileAt].
func InspectFile(data []byte, opts KeystoreOptions) (*Report, error) {
	return InspectFileAt(data, opts, time.Now())
}

// InspectFileAt reads a certificate file and describes what it holds, with
// the problems [Check] finds at now. The format is told by the content
// ([DetectFormat]): a merged PEM or PEM bundle (every key with its
// certificate, as [ParseMerged] pairs them), certificates in PEM or DER
// without a key (one entry per chain), a JKS or PKCS#12 keystore (the
// entry opts names, read by [LoadKeystore]). Errors are those of the
// readers, with the format first: "JKS: wrong store password…",
// "PEM: garbage at line 7: …".
func InspectFileAt(data []byte, opts KeystoreOptions, now time.Time) (*Report, error) {
	if len(data) > maxKeystoreSize {
		return nil, fmt.Errorf("the file is larger than %d bytes: not a certificate file", maxKeystoreSize)
	}
	f := DetectFormat(data)
	switch f {
	case FormatPEM:
		r, err := inspectPEM(data, now)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", f, err)
		}
		return r, nil
	case FormatJKS, FormatJCEKS, FormatPKCS12:
		cert, err := LoadKeystore(data, opts)
		if err != nil {
			return nil, err
		}
		return &Report{Format: f.String(), Entries: []ReportEntry{reportEntry(opts.Alias, cert, true, now)}}, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	certs, err := x509.ParseCertificates(data)
	if err != nil || len(certs) == 0 {
		return nil, errors.New("unrecognised format: not PEM, a DER certificate, JKS or PKCS#12")
	}
	if len(certs) > maxBundleCerts {
		return nil, fmt.Errorf("DER: more than %d certificates", maxBundleCerts)
	}
	r := &Report{Format: "DER"}
	var unique []*x509.Certificate
	for _, c := range certs {
		if !containsCert(unique, c) {
			unique = append(unique, c)
		}
	}
	for _, chain := range certChains(unique) {
		r.Entries = append(r.Entries, reportEntry("", chainCertificate(chain), false, now))
	}
	return r, nil
}

func inspectPEM(data []byte, now time.Time) (*Report, error) {
	s, err := readSections(data)
	if err != nil {
		return nil, err
	}
	r := &Report{Format: FormatPEM.String()}
	switch {
	case len(s.keys) > 0:
		pairs, err := s.pairs()
		if err != nil {
			return nil, err
		}
		for _, p := range pairs {
			r.Entries = append(r.Entries, reportEntry("", p.Cert, true, now))
		}
	case len(s.certs) > 0:
		var certs []*x509.Certificate
		for _, c := range s.uniqueCerts() {
			certs = append(certs, c.cert)
		}
		for _, chain := range certChains(certs) {
			r.Entries = append(r.Entries, reportEntry("", chainCertificate(chain), false, now))
		}
	default:
		return nil, kindErrorf(ErrNoCertificate, "no certificate or private key in the text")
	}
	r.Warnings = s.warn.list()
	return r, nil
}

func reportEntry(alias string, c *tls.Certificate, hasKey bool, now time.Time) ReportEntry {
	problems := Check(c, "", now)
	if problems == nil {
		problems = []string{}
	}
	return ReportEntry{Alias: alias, Info: Describe(c), HasKey: hasKey, Problems: problems}
}

// certChains groups certificates without keys into chains: each that
// issued none of the others starts one, built upward by issuer.
func certChains(certs []*x509.Certificate) [][]*x509.Certificate {
	var chains [][]*x509.Certificate
	for i, c := range certs {
		issuer := false
		for j, d := range certs {
			if i != j && issued(c, d) {
				issuer = true
				break
			}
		}
		if !issuer {
			chains = append(chains, buildChain(c, certs))
		}
	}
	if len(chains) == 0 && len(certs) > 0 { // a loop of cross-signed CAs
		chains = append(chains, buildChain(certs[0], certs))
	}
	return chains
}

// issued reports whether parent issued child.
func issued(parent, child *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	err := child.CheckSignatureFrom(parent)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range list {
		if x.Equal(c) {
			return true
		}
	}
	return false
}

// chainCertificate is a tls.Certificate without a key, for Describe and
// Check.
func chainCertificate(chain []*x509.Certificate) *tls.Certificate {
	c := &tls.Certificate{Leaf: chain[0]}
	for _, x := range chain {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// Text renders the report for people, one field a line.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Format: %s\n", r.Format)
	for i, e := range r.Entries {
		b.WriteString("\n")
		fmt.Fprintf(&b, "Certificate %d", i+1)
		if e.Alias != "" {
			fmt.Fprintf(&b, " (alias %s)", printable(e.Alias))
		}
		if e.HasKey {
			b.WriteString(", with its private key")
		} else {
			b.WriteString(", no private key")
		}
		b.WriteString(":\n")
		field := func(name, value string) { fmt.Fprintf(&b, "  %-13s%s\n", name+":", value) }
		field("Subject", orNone(e.Subject))
		field("Names", orNone(strings.Join(e.SANs, ", ")))
		field("Issuer", orNone(e.Issuer))
		field("Valid from", stamp(e.NotBefore))
		field("Valid until", stamp(e.NotAfter))
		field("Key", e.KeyType)
		field("Serial", e.SerialHex)
		field("SHA-256", e.SHA256Fingerprint)
		field("Self-signed", yesNo(e.SelfSigned))
		field("Chain", plural(e.ChainLength, "certificate"))
		if len(e.Problems) == 0 {
			field("Problems", "none")
			continue
		}
		b.WriteString("  Problems:\n")
		for _, p := range e.Problems {
			fmt.Fprintf(&b, "    - %s\n", p)
		}
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\nWarnings:\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "  - %s\n", w)
		}
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
