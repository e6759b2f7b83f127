package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

func loadPKCS12(data []byte, opts KeystoreOptions, lim loadLimits) (*tls.Certificate, error) {
	info, err := scanPKCS12(data, lim.maxIterations)
	if err != nil {
		return nil, err
	}
	if info.keyBags > 1 {
		return loadPKCS12Entries(data, opts, info)
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, opts.StorePassword)
	if err != nil {
		return nil, pkcs12Error(err, info, opts)
	}
	if opts.Alias != "" && info.keyBags == 1 && !strings.EqualFold(info.keyNames[0], opts.Alias) {
		return nil, aliasNotFound(opts.Alias, info.keyNames)
	}
	signer, err := tlsSigner(key)
	if err != nil {
		return nil, err
	}
	return assemble(signer, append([]*x509.Certificate{leaf}, cas...))
}

// pkcs12Error turns an error of go-pkcs12 into one of ours.
func pkcs12Error(err error, info p12Info, opts KeystoreOptions) error {
	var notImpl pkcs12.NotImplementedError
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return kindErrorf(ErrStorePassword, "wrong store password, or the file is damaged (MAC check failed)")
	case errors.Is(err, pkcs12.ErrDecryption) && info.hasMAC:
		// The MAC verified the password, yet something did not decrypt
		// with it.
		return kindErrorf(ErrKeyPassword, "the file's contents are not protected by the store password; "+
			"pbxgate reads PKCS#12 files that have one password, as keytool and openssl write them")
	case errors.Is(err, pkcs12.ErrDecryption):
		return kindErrorf(ErrStorePassword, "wrong store password (decryption failed)")
	case errors.As(err, &notImpl):
		return kindWrap(ErrUnsupported, err, "unsupported PKCS#12 content")
	case !info.hasMAC && opts.StorePassword != "":
		return kindWrap(ErrUnsupported, err, "PKCS#12 files without a MAC are only read with an empty store password")
	default:
		return fmt.Errorf("decode PKCS#12: %w", err)
	}
}

// loadPKCS12Entries reads a PKCS#12 file with several private keys, as
// keytool writes a store with several entries, and picks the one named by
// the alias. go-pkcs12 decodes such a file only whole, with ToPEM, which
// fails on the attribute Java puts on trusted-certificate entries; such a
// file is refused with a way out.
func loadPKCS12Entries(data []byte, opts KeystoreOptions, info p12Info) (*tls.Certificate, error) {
	//nolint:staticcheck // ToPEM is the only go-pkcs12 call that reads more than one key.
	blocks, err := pkcs12.ToPEM(data, opts.StorePassword)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption) {
			return nil, pkcs12Error(err, info, opts)
		}
		return nil, kindWrap(ErrUnsupported, err,
			"this PKCS#12 file holds %d private keys (%s) and entries pbxgate cannot read alongside them; "+
				"export the one entry with keytool -importkeystore -srckeystore FILE -srcalias ALIAS -destkeystore NEW.p12",
			info.keyBags, listNames(info.keyNames))
	}
	var (
		keyNames  []string
		certNames []string
		keyDER    []byte
		certs     []*x509.Certificate
	)
	for _, b := range blocks {
		name := b.Headers["friendlyName"]
		switch b.Type {
		case "PRIVATE KEY":
			keyNames = append(keyNames, name)
			if opts.Alias != "" && strings.EqualFold(name, opts.Alias) {
				keyDER = b.Bytes
			}
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate %q: %w", name, err)
			}
			certs = append(certs, c)
			certNames = append(certNames, name)
		}
	}
	if keyDER == nil {
		if opts.Alias == "" {
			return nil, kindErrorf(ErrAliasNotFound, "the keystore has several private keys; set the alias to one of: %s", listNames(keyNames))
		}
		for _, n := range certNames {
			if n != "" && strings.EqualFold(n, opts.Alias) && !slices.Contains(keyNames, n) {
				return nil, kindErrorf(ErrNotPrivateKeyEntry, "alias %q is a certificate-only entry, not a private key entry", n)
			}
		}
		return nil, aliasNotFound(opts.Alias, keyNames)
	}
	key, err := parsePrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("alias %q: %w", opts.Alias, err)
	}
	return assemble(key, certs)
}

func aliasNotFound(alias string, names []string) error {
	return kindErrorf(ErrAliasNotFound, "alias %q not found; the keystore has: %s", alias, listNames(names))
}

// listNames lists friendlyNames sorted; a key without one is shown so.
func listNames(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = printable(n)
		if n == "" {
			out[i] = "(a private key without a name)"
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
