package certs

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

// jksEntry is one entry of a JKS file as scanJKS finds it.
type jksEntry struct {
	alias     string
	key       bool   // private-key entry; else trusted certificate
	protected []byte // the protected private key of a key entry
}

// oidJKSKeyProtector is Sun's proprietary key protection, the only one JKS
// files use.
var oidJKSKeyProtector = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42, 2, 17, 1, 1}

// jksReader reads the big-endian fields of a JKS file, bounds-checked.
type jksReader struct {
	b   []byte
	off int
	err error
}

func (r *jksReader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.err = fmt.Errorf("truncated at byte %d", r.off)
		return nil
	}
	p := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return p
}

func (r *jksReader) u16() uint16 {
	if p := r.take(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

func (r *jksReader) u32() uint32 {
	if p := r.take(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (r *jksReader) utf() string { return string(r.take(uint64(r.u16()))) }

// cert skips one certificate of a version-1 or version-2 file.
func (r *jksReader) cert(version uint32) {
	if version == 2 {
		r.utf() // certificate type
	}
	r.take(uint64(r.u32()))
}

// scanJKS walks the structure of a JKS file without decrypting anything and
// returns its entries. It checks every length against the data, so that the
// JKS library, which allocates what the file declares, is only given files
// whose lengths are true.
func scanJKS(data []byte) ([]jksEntry, error) {
	r := &jksReader{b: data}
	r.take(4) // magic, checked by DetectFormat
	version := r.u32()
	if r.err == nil && version != 1 && version != 2 {
		return nil, kindErrorf(ErrUnsupported, "JKS version %d is not supported", version)
	}
	count := r.u32()
	var entries []jksEntry
	seen := map[string]bool{}
	for i := uint32(0); i < count && r.err == nil; i++ {
		tag := r.u32()
		e := jksEntry{alias: r.utf()}
		r.take(8) // creation time
		switch tag {
		case 1:
			e.key = true
			e.protected = r.take(uint64(r.u32()))
			n := r.u32()
			for j := uint32(0); j < n && r.err == nil; j++ {
				r.cert(version)
			}
		case 2:
			r.cert(version)
		default:
			if r.err == nil {
				return nil, kindErrorf(ErrUnsupported, "JKS entry %d has type %d (only private-key and certificate entries are supported)", i, tag)
			}
		}
		if r.err != nil {
			break
		}
		low := strings.ToLower(e.alias)
		if seen[low] {
			return nil, fmt.Errorf("malformed JKS: alias %q appears twice", e.alias)
		}
		seen[low] = true
		entries = append(entries, e)
	}
	r.take(20) // SHA-1 integrity digest
	if r.err != nil {
		return nil, fmt.Errorf("malformed JKS: %w", r.err)
	}
	return entries, nil
}

// latin1 encodes s one byte per character, as the JKS library expects: it
// turns each byte into one Java char.
func latin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

func loadJKS(data []byte, opts KeystoreOptions) (*tls.Certificate, error) {
	entries, err := scanJKS(data)
	if err != nil {
		return nil, err
	}
	storePW, ok1 := latin1(opts.StorePassword)
	keyPW, ok2 := latin1(opts.KeyPassword)
	if !ok1 || !ok2 {
		return nil, kindErrorf(ErrUnsupported, "JKS passwords with characters beyond Latin-1 are not supported; convert the keystore to PKCS#12")
	}
	ks := keystore.New(keystore.WithCaseExactAliases())
	if err := ks.Load(bytes.NewReader(data), storePW); err != nil {
		// scanJKS has checked the structure; what is left is the digest.
		return nil, kindErrorf(ErrStorePassword, "wrong store password, or the keystore is damaged (integrity check failed)")
	}
	entry, err := pickJKSEntry(entries, opts.Alias)
	if err != nil {
		return nil, err
	}
	if err := checkJKSProtectedKey(entry.protected); err != nil {
		return nil, err
	}
	pke, err := ks.GetPrivateKeyEntry(entry.alias, keyPW)
	if err != nil {
		if errors.Is(err, keystore.ErrEntryNotFound) || errors.Is(err, keystore.ErrWrongEntryType) {
			return nil, fmt.Errorf("entry %q: %w", entry.alias, err)
		}
		return nil, kindErrorf(ErrKeyPassword, "wrong key password for alias %q", entry.alias)
	}
	key, err := parsePrivateKey(pke.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("alias %q: %w", entry.alias, err)
	}
	if len(pke.CertificateChain) == 0 {
		return nil, fmt.Errorf("alias %q: the entry has no certificate", entry.alias)
	}
	chain := make([]*x509.Certificate, 0, len(pke.CertificateChain))
	for i, c := range pke.CertificateChain {
		if c.Type != "X.509" && c.Type != "X509" {
			return nil, kindErrorf(ErrUnsupported, "alias %q: certificate type %q is not supported", entry.alias, c.Type)
		}
		x, err := x509.ParseCertificate(c.Content)
		if err != nil {
			return nil, fmt.Errorf("alias %q: certificate %d: %w", entry.alias, i, err)
		}
		chain = append(chain, x)
	}
	if !keyMatches(key, chain[0]) {
		return nil, kindErrorf(ErrKeyMismatch, "alias %q: the private key does not match the entry's certificate", entry.alias)
	}
	return tlsCertificate(key, chain), nil
}

// pickJKSEntry finds the private-key entry named alias (any case), or the
// only private-key entry when alias is empty.
func pickJKSEntry(entries []jksEntry, alias string) (jksEntry, error) {
	var keys []jksEntry
	for _, e := range entries {
		if e.key {
			keys = append(keys, e)
		}
	}
	if alias == "" {
		switch len(keys) {
		case 1:
			return keys[0], nil
		case 0:
			return jksEntry{}, kindErrorf(ErrNotPrivateKeyEntry, "the keystore has no private-key entry; it has: %s", describeEntries(entries))
		default:
			return jksEntry{}, kindErrorf(ErrAliasNotFound, "the keystore has several private keys; set the alias to one of: %s", describeEntries(keys))
		}
	}
	for _, e := range entries {
		if strings.EqualFold(e.alias, alias) {
			if !e.key {
				return jksEntry{}, kindErrorf(ErrNotPrivateKeyEntry, "alias %q is a trusted certificate entry, not a private key entry", e.alias)
			}
			return e, nil
		}
	}
	return jksEntry{}, kindErrorf(ErrAliasNotFound, "alias %q not found; the keystore has: %s", alias, describeEntries(entries))
}

// describeEntries lists aliases sorted, marking certificate-only entries.
func describeEntries(entries []jksEntry) string {
	if len(entries) == 0 {
		return "no entries"
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.key {
			names = append(names, printable(e.alias))
		} else {
			names = append(names, printable(e.alias)+" (certificate only)")
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// printable returns an alias as is, or quoted when it holds characters that
// do not print, so that a crafted file cannot forge lines in a log.
func printable(alias string) string {
	for _, r := range alias {
		if !unicode.IsPrint(r) {
			return strconv.Quote(alias)
		}
	}
	return alias
}

// checkJKSProtectedKey checks what the JKS library assumes of a protected
// key before decrypting it: Sun's key protector and room for the 20-byte
// salt and the 20-byte check digest.
func checkJKSProtectedKey(p []byte) error {
	var info struct {
		Algo pkix.AlgorithmIdentifier
		Key  []byte
	}
	rest, err := asn1.Unmarshal(p, &info)
	if err != nil || len(rest) > 0 {
		return errors.New("malformed JKS: unreadable protected key")
	}
	if !info.Algo.Algorithm.Equal(oidJKSKeyProtector) {
		return kindErrorf(ErrUnsupported, "JKS key protection %s is not supported", info.Algo.Algorithm)
	}
	if len(info.Key) < 40 {
		return errors.New("malformed JKS: protected key too short")
	}
	return nil
}
