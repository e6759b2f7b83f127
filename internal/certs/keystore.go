package certs

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
)

// Format is the kind of a keystore file, as told by its bytes.
type Format int

// The keystore formats [DetectFormat] tells apart.
const (
	FormatUnknown Format = iota
	FormatJKS            // Java KeyStore, magic 0xFEEDFEED
	FormatJCEKS          // Java JCEKS, magic 0xCECECECE: recognised, not supported
	FormatPKCS12         // PKCS#12 / PFX (DER)
	FormatPEM            // PEM bundle: private key and certificates
)

// String returns the usual name of the format.
func (f Format) String() string {
	switch f {
	case FormatJKS:
		return "JKS"
	case FormatJCEKS:
		return "JCEKS"
	case FormatPKCS12:
		return "PKCS#12"
	case FormatPEM:
		return "PEM"
	default:
		return "unknown format"
	}
}

var (
	jksMagic   = []byte{0xFE, 0xED, 0xFE, 0xED}
	jceksMagic = []byte{0xCE, 0xCE, 0xCE, 0xCE}
)

// DetectFormat tells the format of a keystore from its bytes. The file name
// plays no part: since Java 9 keytool writes PKCS#12 into files named .jks.
func DetectFormat(data []byte) Format {
	switch {
	case bytes.HasPrefix(data, jksMagic):
		return FormatJKS
	case bytes.HasPrefix(data, jceksMagic):
		return FormatJCEKS
	case looksPKCS12(data):
		return FormatPKCS12
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return FormatPEM
	default:
		return FormatUnknown
	}
}

// looksPKCS12 reports whether data starts as a PFX does: a SEQUENCE (DER
// definite length, or BER indefinite length so that the loader can say why
// it refuses it) whose first element is INTEGER 3.
func looksPKCS12(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	i := 2
	switch l := data[1]; {
	case l == 0x80: // BER indefinite length
	case l > 0x80:
		n := int(l & 0x7f)
		if n > 4 || len(data) < 2+n || data[2] == 0 {
			return false
		}
		i += n
	}
	return len(data) >= i+3 && data[i] == 0x02 && data[i+1] == 0x01 && data[i+2] == 0x03
}

// KeystoreOptions says how to open a keystore. They are the keystore
// settings of a listener (file, store_password, key_password, alias) and the
// keystorePassword, keyPassword and certAlias of iSymphony's SSLKeystore.
type KeystoreOptions struct {
	// StorePassword checks the integrity of a JKS and opens a PKCS#12 file.
	StorePassword string
	// KeyPassword decrypts the private key of a JKS entry; empty means the
	// store password. PKCS#12 files have one password, the store password
	// (keytool and openssl cannot write them otherwise), so KeyPassword is
	// not used for them.
	KeyPassword string
	// Alias names the private-key entry (JKS alias, PKCS#12 friendlyName),
	// compared without regard to case as keytool lowercases aliases. Empty
	// picks the only private-key entry. PEM bundles have no alias and ignore
	// it.
	Alias string
}

// Errors a caller can branch on with errors.Is. The error returned carries a
// message for the operator; these only classify it.
var (
	// ErrStorePassword: the store password is wrong (JKS integrity check or
	// PKCS#12 MAC failed), or the file was damaged.
	ErrStorePassword = errors.New("wrong store password")
	// ErrKeyPassword: the store opened but the private key did not decrypt.
	ErrKeyPassword = errors.New("wrong key password")
	// ErrAliasNotFound: no private-key entry has the alias, or no alias was
	// given and the keystore has several private keys. The message lists the
	// aliases there are.
	ErrAliasNotFound = errors.New("alias not found")
	// ErrNotPrivateKeyEntry: the alias names a certificate-only (trusted
	// certificate) entry, or the keystore has no private key at all.
	ErrNotPrivateKeyEntry = errors.New("not a private key entry")
	// ErrUnsupported: a format or algorithm pbxgate does not read (JCEKS,
	// encrypted PEM keys, DSA keys, BER-encoded PKCS#12, …).
	ErrUnsupported = errors.New("unsupported keystore content")
	// ErrKeyMismatch: the private key is not the key of the certificate.
	ErrKeyMismatch = errors.New("private key does not match the certificate")
)

// keystoreError is an error with an operator's message that unwraps to one
// of the sentinels above and, optionally, to its cause.
type keystoreError struct {
	kind  error
	cause error
	msg   string
}

func (e *keystoreError) Error() string { return e.msg }

func (e *keystoreError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// kindErrorf returns an error whose message is format and that errors.Is
// matches with kind.
func kindErrorf(kind error, format string, args ...any) error {
	return &keystoreError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// kindWrap is kindErrorf that also wraps cause and appends it to the message.
func kindWrap(kind, cause error, format string, args ...any) error {
	return &keystoreError{kind: kind, cause: cause, msg: fmt.Sprintf(format, args...) + ": " + cause.Error()}
}

// maxPKCS12Iterations caps the key-derivation iteration counts of a PKCS#12
// file, so that a crafted file cannot keep the loader busy for hours. Java
// refuses counts above 5,000,000; keytool writes 10,000 and OpenSSL 2,048.
const maxPKCS12Iterations = 10_000_000

// maxKeystoreSize bounds the keystore files LoadKeystoreFile reads.
const maxKeystoreSize = 8 << 20

// loadLimits bounds the work one load may do. Tests and fuzz targets lower
// them.
type loadLimits struct {
	maxIterations int
}

var defaultLimits = loadLimits{maxIterations: maxPKCS12Iterations}

// LoadKeystore reads the certificate and private key of a keystore: JKS,
// PKCS#12 or a PEM bundle, told apart by [DetectFormat]. The result has Leaf
// set and Certificate holds the chain, leaf first. In every format the
// private key must be the key of the leaf ([ErrKeyMismatch]).
//
// JKS: the store password checks the integrity of the file and the key
// password (or the store password) decrypts the entry. Passwords with
// characters beyond Latin-1 are refused ([ErrUnsupported]): the JKS library
// encodes each byte as one Java char. The chain is the entry's, as stored.
//
// PKCS#12: one password, the store password, opens the file. A file with one
// private key is read whole; the leaf is the certificate whose public key
// is the key's and the chain is built from the other certificates by issuer.
// A file with several private keys (several keytool entries) is read by the
// alias; this works for files without trusted-certificate entries, and a
// file that mixes several keys with trusted certificates is refused with a
// message that says how to export the one entry. The alias is checked
// against the friendlyName of the private key when the key is stored
// outside the encrypted part of the file, as keytool and openssl store it.
// Key-derivation iteration counts above 10,000,000 are refused.
//
// PEM: see [ParsePEMBundle]; the passwords and the alias are not used.
func LoadKeystore(data []byte, opts KeystoreOptions) (*tls.Certificate, error) {
	return loadKeystore(data, opts, defaultLimits)
}

func loadKeystore(data []byte, opts KeystoreOptions, lim loadLimits) (*tls.Certificate, error) {
	if opts.KeyPassword == "" {
		opts.KeyPassword = opts.StorePassword
	}
	var (
		cert *tls.Certificate
		err  error
	)
	f := DetectFormat(data)
	switch f {
	case FormatJKS:
		cert, err = loadJKS(data, opts)
	case FormatJCEKS:
		err = kindErrorf(ErrUnsupported, "JCEKS keystores are not supported; convert it to PKCS#12 with "+
			"keytool -importkeystore -srckeystore FILE -srcstoretype JCEKS -destkeystore NEW.p12 -deststoretype PKCS12")
	case FormatPKCS12:
		cert, err = loadPKCS12(data, opts, lim)
	case FormatPEM:
		cert, err = ParsePEMBundle(data)
	default:
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, errors.New("the keystore is empty")
		}
		return nil, errors.New("unrecognised keystore format: not JKS, PKCS#12 or PEM")
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %w", f, err)
	}
	return cert, nil
}

// LoadKeystoreFile reads the keystore at path with [LoadKeystore]. Errors
// name the file.
func LoadKeystoreFile(path string, opts KeystoreOptions) (*tls.Certificate, error) {
	data, err := readLimited(path, maxKeystoreSize)
	if err != nil {
		return nil, fmt.Errorf("keystore %s: %w", path, err)
	}
	cert, err := LoadKeystore(data, opts)
	if err != nil {
		return nil, fmt.Errorf("keystore %s: %w", path, err)
	}
	return cert, nil
}

// readLimited reads the file at path, refusing one larger than limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file larger than %d bytes: not a keystore", limit)
	}
	return data, nil
}
