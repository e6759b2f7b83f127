package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

func TestLoadKeystoreJKS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const sp, kp = "store-secret", "key-secret"
	genkeypair(t, dir, "rsa.jks", "isymphony", "RSA", "JKS", sp, sp)
	genkeypair(t, dir, "ec.jks", "isymphony", "EC", "JKS", sp, sp)
	genkeypair(t, dir, "ed25519.jks", "isymphony", "Ed25519", "JKS", sp, sp)
	genkeypair(t, dir, "keypass.jks", "isymphony", "EC", "JKS", sp, kp)
	genkeypair(t, dir, "two.jks", "isymphony", "EC", "JKS", sp, sp)
	genkeypair(t, dir, "two.jks", "other", "EC", "JKS", sp, sp)
	genkeypair(t, dir, "dsa.jks", "isymphony", "DSA", "JKS", sp, sp)
	genkeypair(t, dir, "store.jceks", "isymphony", "EC", "JCEKS", sp, sp)
	genkeypair(t, dir, "latin1.jks", "isymphony", "EC", "JKS", "pässwört", "pässwört")
	genkeypair(t, dir, "euro.jks", "isymphony", "EC", "JKS", "pass€word", "pass€word")
	keytool(t, dir, "-exportcert", "-alias", "isymphony", "-keystore", "rsa.jks", "-storepass", sp, "-file", "rsa.der")
	// A key entry beside a trusted certificate, and a store of trusted
	// certificates only.
	writeFile(t, filepath.Join(dir, "trusted.jks"), readTestFile(t, filepath.Join(dir, "ec.jks")))
	keytool(t, dir, "-importcert", "-noprompt", "-alias", "ca", "-file", "rsa.der", "-keystore", "trusted.jks", "-storetype", "JKS", "-storepass", sp)
	keytool(t, dir, "-importcert", "-noprompt", "-alias", "ca", "-file", "rsa.der", "-keystore", "certonly.jks", "-storetype", "JKS", "-storepass", sp)
	writeMismatchedJKS(t, filepath.Join(dir, "mismatch.jks"), sp)
	rsa := readTestFile(t, filepath.Join(dir, "rsa.jks"))
	writeFile(t, filepath.Join(dir, "truncated.jks"), rsa[:len(rsa)/2])
	writeFile(t, filepath.Join(dir, "flipped.jks"), flipByte(rsa, len(rsa)/2))

	store := KeystoreOptions{StorePassword: sp}
	withAlias := func(o KeystoreOptions, alias string) KeystoreOptions { o.Alias = alias; return o }
	lh := []string{"localhost"}
	runLoadCases(t, dir, []loadCase{
		{name: "ok/rsa", file: "rsa.jks", opts: withAlias(store, "isymphony"), alg: x509.RSA, chain: lh},
		{name: "ok/rsa-no-alias", file: "rsa.jks", opts: store, alg: x509.RSA, chain: lh},
		{name: "ok/alias-any-case", file: "rsa.jks", opts: withAlias(store, "iSymphony"), alg: x509.RSA, chain: lh},
		{name: "ok/ec", file: "ec.jks", opts: store, alg: x509.ECDSA, chain: lh},
		{name: "ok/ed25519", file: "ed25519.jks", opts: store, alg: x509.Ed25519, chain: lh},
		{name: "ok/distinct-key-password", file: "keypass.jks", opts: KeystoreOptions{StorePassword: sp, KeyPassword: kp, Alias: "isymphony"}, alg: x509.ECDSA, chain: lh},
		{name: "ok/second-of-two", file: "two.jks", opts: withAlias(store, "other"), alg: x509.ECDSA, chain: lh},
		{name: "ok/key-beside-trusted-cert", file: "trusted.jks", opts: store, alg: x509.ECDSA, chain: lh},
		{name: "ok/latin1-password", file: "latin1.jks", opts: KeystoreOptions{StorePassword: "pässwört"}, alg: x509.ECDSA, chain: lh},
		{name: "fail/wrong-store-password", file: "rsa.jks", opts: KeystoreOptions{StorePassword: "wrong-secret"},
			wantErr: ErrStorePassword, errText: "JKS: wrong store password"},
		{name: "fail/damaged", file: "flipped.jks", opts: store, wantErr: ErrStorePassword, errText: "integrity check failed"},
		{name: "fail/wrong-key-password", file: "keypass.jks", opts: KeystoreOptions{StorePassword: sp, KeyPassword: "wrong-secret"},
			wantErr: ErrKeyPassword, errText: `wrong key password for alias "isymphony"`},
		{name: "fail/key-password-omitted", file: "keypass.jks", opts: store, wantErr: ErrKeyPassword, errText: "wrong key password"},
		{name: "fail/alias-not-found", file: "two.jks", opts: withAlias(store, "foo"),
			wantErr: ErrAliasNotFound, errText: `alias "foo" not found; the keystore has: isymphony, other`},
		{name: "fail/alias-not-found-lists-certificates", file: "trusted.jks", opts: withAlias(store, "foo"),
			wantErr: ErrAliasNotFound, errText: "the keystore has: ca (certificate only), isymphony"},
		{name: "fail/alias-needed", file: "two.jks", opts: store, wantErr: ErrAliasNotFound, errText: "set the alias to one of: isymphony, other"},
		{name: "fail/trusted-cert-entry", file: "trusted.jks", opts: withAlias(store, "CA"),
			wantErr: ErrNotPrivateKeyEntry, errText: `alias "ca" is a trusted certificate entry`},
		{name: "fail/trusted-only", file: "certonly.jks", opts: store, wantErr: ErrNotPrivateKeyEntry, errText: "no private-key entry"},
		{name: "fail/trusted-only-alias", file: "certonly.jks", opts: withAlias(store, "ca"), wantErr: ErrNotPrivateKeyEntry},
		{name: "fail/jceks", file: "store.jceks", opts: store, wantErr: ErrUnsupported, errText: "JCEKS keystores are not supported"},
		{name: "fail/dsa", file: "dsa.jks", opts: store, wantErr: ErrUnsupported, errText: "DSA private keys are not supported"},
		{name: "fail/mismatched-key", file: "mismatch.jks", opts: store, wantErr: ErrKeyMismatch},
		{name: "fail/password-beyond-latin1", file: "euro.jks", opts: KeystoreOptions{StorePassword: "pass€word"},
			wantErr: ErrUnsupported, errText: "beyond Latin-1"},
		{name: "fail/truncated", file: "truncated.jks", opts: store, errText: "malformed JKS"},
	})
}

// writeMismatchedJKS writes a JKS whose only key entry holds a key and the
// certificate of another key, which keytool cannot make.
func writeMismatchedJKS(t *testing.T, path, password string) {
	t.Helper()
	certKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSignedCert(t, certKey, "localhost")
	pkcs8, err := x509.MarshalPKCS8PrivateKey(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	ks := keystore.New()
	err = ks.SetPrivateKeyEntry("isymphony", keystore.PrivateKeyEntry{
		CreationTime:     time.Now(),
		PrivateKey:       pkcs8,
		CertificateChain: []keystore.Certificate{{Type: "X.509", Content: cert.Raw}},
	}, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ks.Store(&buf, []byte(password)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func selfSignedCert(t *testing.T, key *ecdsa.PrivateKey, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{cn},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func flipByte(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

// TestLoadKeystoreJKSCrafted opens JKS files with a valid integrity digest
// but contents keytool never writes, to check that the loader refuses them
// cleanly (the JKS library would panic or allocate what a length claims).
func TestLoadKeystoreJKSCrafted(t *testing.T) {
	const pw = "store-secret"
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSignedCert(t, key, "localhost")
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	protected := func(oid asn1.ObjectIdentifier, b []byte) []byte {
		der, err := asn1.Marshal(struct {
			Algo pkix.AlgorithmIdentifier
			Key  []byte
		}{pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}, b})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	viaLibrary := func(privateKey []byte, chain ...keystore.Certificate) []byte {
		ks := keystore.New()
		if err := ks.SetPrivateKeyEntry("isymphony", keystore.PrivateKeyEntry{PrivateKey: privateKey, CertificateChain: chain}, []byte(pw)); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := ks.Store(&buf, []byte(pw)); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	x509Cert := keystore.Certificate{Type: "X.509", Content: cert.Raw}
	tests := []struct {
		name    string
		data    []byte
		wantErr error
		errText string
	}{
		{"ok/library-written", viaLibrary(pkcs8, x509Cert), nil, ""},
		{"fail/short-protected-key", craftJKS(pw, jksKeyEntry("a", protected(oidJKSKeyProtector, make([]byte, 39)), cert.Raw)), nil, "protected key too short"},
		{"fail/empty-protected-key", craftJKS(pw, jksKeyEntry("a", protected(oidJKSKeyProtector, make([]byte, 40)), cert.Raw)), ErrKeyPassword, ""},
		{"fail/other-key-protector", craftJKS(pw, jksKeyEntry("a", protected(asn1.ObjectIdentifier{1, 2, 3}, make([]byte, 60)), cert.Raw)), ErrUnsupported, "key protection 1.2.3"},
		{"fail/unreadable-protected-key", craftJKS(pw, jksKeyEntry("a", []byte{1, 2, 3}, cert.Raw)), nil, "unreadable protected key"},
		{"fail/duplicate-alias", craftJKS(pw, jksKeyEntry("a", nil, cert.Raw), jksKeyEntry("A", nil, cert.Raw)), nil, `alias "A" appears twice`},
		{"fail/secret-key-entry", craftJKS(pw, cat(u32(3), utf("a"), make([]byte, 8))), ErrUnsupported, "type 3"},
		{"fail/chain-count-beyond-data", craftJKS(pw, cat(u32(1), utf("a"), make([]byte, 8), u32(0), u32(0xFFFFFFFF))), nil, "malformed JKS"},
		{"fail/no-certificate", viaLibrary(pkcs8), nil, "the entry has no certificate"},
		{"fail/certificate-type", viaLibrary(pkcs8, keystore.Certificate{Type: "PGP", Content: cert.Raw}), ErrUnsupported, `certificate type "PGP"`},
		{"fail/key-not-pkcs8", viaLibrary([]byte("not a key"), x509Cert), nil, "parse private key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadKeystore(tc.data, KeystoreOptions{StorePassword: pw})
			if tc.wantErr == nil && tc.errText == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkCert(t, got, x509.ECDSA, []string{"localhost"})
				return
			}
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %v", err, tc.wantErr)
			}
			if errors.Is(err, ErrStorePassword) {
				t.Errorf("error %q blames the store password, whose digest is right", err)
			}
			if !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("error %q does not say %q", err, tc.errText)
			}
		})
	}
}

// craftJKS assembles a version-2 JKS from encoded entries and signs it with
// password as Java does: SHA-1 over the password's UTF-16BE, the words
// "Mighty Aphrodite" and the file.
func craftJKS(password string, entries ...[]byte) []byte {
	body := cat(jksMagic, u32(2), u32(uint32(len(entries))), cat(entries...))
	h := sha1.New()
	for _, r := range utf16.Encode([]rune(password)) {
		h.Write([]byte{byte(r >> 8), byte(r)})
	}
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(body)
	return h.Sum(body)
}

// jksKeyEntry encodes a private-key entry of a version-2 JKS.
func jksKeyEntry(alias string, protected []byte, chain ...[]byte) []byte {
	e := cat(u32(1), utf(alias), make([]byte, 8), u32(uint32(len(protected))), protected, u32(uint32(len(chain))))
	for _, c := range chain {
		e = cat(e, utf("X.509"), u32(uint32(len(c))), c)
	}
	return e
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func utf(s string) []byte { return cat(binary.BigEndian.AppendUint16(nil, uint16(len(s))), []byte(s)) }

func TestAliasListIsPrintable(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSignedCert(t, key, "localhost")
	data := craftJKS("store-secret", jksKeyEntry("isymphony\nforged log line", nil, cert.Raw))
	_, err := LoadKeystore(data, KeystoreOptions{StorePassword: "store-secret", Alias: "foo"})
	if !errors.Is(err, ErrAliasNotFound) || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), `"isymphony\nforged log line"`) {
		t.Errorf("error %q, want the alias quoted", err)
	}
}
