package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

func TestLoadKeystorePKCS12(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := makeChain(t, dir)
	const pw = "p12-secret"
	export := func(out string, extra ...string) {
		t.Helper()
		args := []string{"pkcs12", "-export", "-in", "fullchain.pem", "-inkey", c.leafKey, "-out", out, "-passout", "pass:" + pw}
		openssl(t, dir, append(args, extra...)...)
	}
	export("modern.p12", "-name", "isymphony")            // AES-256-CBC, PBKDF2, SHA-256 MAC
	export("legacy.p12", "-name", "isymphony", "-legacy") // RC2-40 certificates, 3DES key, SHA-1 MAC
	export("noname.p12")
	export("iter.p12", "-name", "isymphony", "-iter", "20000")

	// The iSymphony FreePBX recipe, as written (Java's default store type,
	// PKCS#12, in a file named .jks) and with -deststoretype JKS.
	openssl(t, dir, "pkcs12", "-export", "-in", "fullchain.pem", "-inkey", c.leafKey,
		"-name", "isymphony", "-out", "isymphony.pkcs12", "-passout", "pass:isymphony")
	recipe := []string{"-importkeystore", "-deststorepass", "isymphony", "-destkeypass", "isymphony",
		"-srckeystore", "isymphony.pkcs12", "-srcstoretype", "PKCS12", "-srcstorepass", "isymphony", "-alias", "isymphony"}
	keytool(t, dir, append(recipe, "-destkeystore", "isymphony.jks", "-deststoretype", "JKS")...)
	keytool(t, dir, append(recipe, "-destkeystore", "isymphony-default.jks")...)
	// keytool -importkeystore of a JKS with Java's default output.
	keytool(t, dir, "-importkeystore", "-srckeystore", "isymphony.jks", "-srcstorepass", "isymphony",
		"-destkeystore", "imported.jks", "-deststorepass", "imported-secret")

	// keytool PKCS#12 stores with several entries.
	genkeypair(t, dir, "multi.p12", "one", "RSA", "PKCS12", pw, pw)
	genkeypair(t, dir, "multi.p12", "two", "EC", "PKCS12", pw, pw)
	writeFile(t, filepath.Join(dir, "multi-trusted.p12"), readTestFile(t, filepath.Join(dir, "multi.p12")))
	keytool(t, dir, "-importcert", "-noprompt", "-alias", "ca", "-file", c.rootCrt, "-keystore", "multi-trusted.p12", "-storepass", pw)
	genkeypair(t, dir, "mixed.p12", "isymphony", "EC", "PKCS12", pw, pw)
	keytool(t, dir, "-importcert", "-noprompt", "-alias", "ca", "-file", c.rootCrt, "-keystore", "mixed.p12", "-storepass", pw)
	genkeypair(t, dir, "ed25519.p12", "isymphony", "Ed25519", "PKCS12", pw, pw)
	writeMismatchedPKCS12(t, filepath.Join(dir, "mismatch.p12"), pw)

	lhChain := []string{"localhost", "pbxgate test intermediate"}
	lh := []string{"localhost"}
	store := KeystoreOptions{StorePassword: pw}
	withAlias := func(alias string) KeystoreOptions { return KeystoreOptions{StorePassword: pw, Alias: alias} }
	isym := KeystoreOptions{StorePassword: "isymphony", KeyPassword: "isymphony", Alias: "isymphony"}
	runLoadCases(t, dir, []loadCase{
		{name: "ok/openssl-default", file: "modern.p12", opts: withAlias("isymphony"), alg: x509.ECDSA, chain: lhChain},
		{name: "ok/openssl-legacy", file: "legacy.p12", opts: withAlias("isymphony"), alg: x509.ECDSA, chain: lhChain},
		{name: "ok/no-alias", file: "modern.p12", opts: store, alg: x509.ECDSA, chain: lhChain},
		{name: "ok/alias-any-case", file: "modern.p12", opts: withAlias("ISYMPHONY"), alg: x509.ECDSA, chain: lhChain},
		{name: "ok/key-password-not-used", file: "modern.p12", opts: KeystoreOptions{StorePassword: pw, KeyPassword: "other-secret"}, alg: x509.ECDSA},
		{name: "ok/unnamed-key", file: "noname.p12", opts: store, alg: x509.ECDSA, chain: lhChain},
		{name: "ok/iterations-20000", file: "iter.p12", opts: store, alg: x509.ECDSA, chain: lhChain},
		{name: "ok/isymphony-recipe-jks", file: "isymphony.jks", opts: isym, alg: x509.ECDSA, chain: lhChain},
		{name: "ok/isymphony-recipe-default", file: "isymphony-default.jks", opts: isym, alg: x509.ECDSA, chain: lhChain},
		{name: "ok/importkeystore-default", file: "imported.jks", opts: KeystoreOptions{StorePassword: "imported-secret", Alias: "isymphony"}, alg: x509.ECDSA, chain: lhChain},
		{name: "ok/multi-key-by-alias", file: "multi.p12", opts: withAlias("TWO"), alg: x509.ECDSA, chain: lh},
		{name: "ok/multi-key-other-alias", file: "multi.p12", opts: withAlias("one"), alg: x509.RSA, chain: lh},
		{name: "ok/key-beside-trusted-cert", file: "mixed.p12", opts: withAlias("isymphony"), alg: x509.ECDSA, chain: lh},
		{name: "ok/ed25519", file: "ed25519.p12", opts: store, alg: x509.Ed25519, chain: lh},
		{name: "fail/wrong-password", file: "modern.p12", opts: KeystoreOptions{StorePassword: "wrong-secret"},
			wantErr: ErrStorePassword, errText: "PKCS#12: wrong store password"},
		{name: "fail/legacy-wrong-password", file: "legacy.p12", opts: KeystoreOptions{StorePassword: "wrong-secret"}, wantErr: ErrStorePassword},
		{name: "fail/pkcs12-named-jks-wrong-password", file: "imported.jks", opts: KeystoreOptions{StorePassword: "wrong-secret"},
			wantErr: ErrStorePassword, errText: "imported.jks: PKCS#12: wrong store password"},
		{name: "fail/recipe-wrong-store-password", file: "isymphony.jks", opts: KeystoreOptions{StorePassword: "wrong-secret", Alias: "isymphony"},
			wantErr: ErrStorePassword, errText: "JKS: wrong store password"},
		{name: "fail/alias-not-found", file: "modern.p12", opts: withAlias("foo"),
			wantErr: ErrAliasNotFound, errText: `alias "foo" not found; the keystore has: isymphony`},
		{name: "fail/alias-of-unnamed-key", file: "noname.p12", opts: withAlias("isymphony"),
			wantErr: ErrAliasNotFound, errText: "(a private key without a name)"},
		{name: "fail/recipe-alias-not-found", file: "isymphony.jks", opts: KeystoreOptions{StorePassword: "isymphony", Alias: "foo"},
			wantErr: ErrAliasNotFound, errText: `alias "foo" not found; the keystore has: isymphony`},
		{name: "fail/multi-key-no-alias", file: "multi.p12", opts: store, wantErr: ErrAliasNotFound, errText: "set the alias to one of: one, two"},
		{name: "fail/multi-key-alias-not-found", file: "multi.p12", opts: withAlias("three"),
			wantErr: ErrAliasNotFound, errText: `alias "three" not found; the keystore has: one, two`},
		{name: "fail/multi-key-wrong-password", file: "multi.p12", opts: KeystoreOptions{StorePassword: "wrong-secret", Alias: "one"}, wantErr: ErrStorePassword},
		{name: "fail/multi-key-with-trusted-cert", file: "multi-trusted.p12", opts: withAlias("one"),
			wantErr: ErrUnsupported, errText: "export the one entry with keytool -importkeystore"},
		{name: "fail/mismatched-key", file: "mismatch.p12", opts: store, wantErr: ErrKeyMismatch},
	})
}

// writeMismatchedPKCS12 writes a PKCS#12 file whose key is not the key of
// its certificate, which openssl refuses to make.
func writeMismatchedPKCS12(t *testing.T, path, password string) {
	t.Helper()
	certKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	data, err := pkcs12.Modern.Encode(otherKey, selfSignedCert(t, certKey, "localhost"), nil, password)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
}

func TestLoadKeystorePKCS12Limits(t *testing.T) {
	t.Parallel()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSignedCert(t, key, "localhost")
	tests := []struct {
		name    string
		enc     *pkcs12.Encoder
		limit   int
		wantErr error
		errText string
	}{
		{"ok/modern-at-limit", pkcs12.Modern.WithIterations(3000), 3000, nil, ""},
		{"ok/legacy-at-limit", pkcs12.LegacyDES.WithIterations(3000), 3000, nil, ""},
		{"ok/pbmac1-at-limit", pkcs12.Modern2026.WithIterations(3000), 3000, nil, ""},
		{"fail/modern-above-limit", pkcs12.Modern.WithIterations(3001), 3000, ErrUnsupported, "iteration count 3001 is above the limit of 3000"},
		{"fail/legacy-above-limit", pkcs12.LegacyDES.WithIterations(3001), 3000, ErrUnsupported, "iteration count 3001"},
		{"fail/pbmac1-above-limit", pkcs12.Modern2026.WithIterations(3001), 3000, ErrUnsupported, "iteration count 3001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := tc.enc.Encode(key, cert, nil, "changeit")
			if err != nil {
				t.Fatal(err)
			}
			got, err := loadKeystore(data, KeystoreOptions{StorePassword: "changeit"}, loadLimits{maxIterations: tc.limit})
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				checkCert(t, got, x509.ECDSA, []string{"localhost"})
				return
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("error %v, want %v saying %q", err, tc.wantErr, tc.errText)
			}
		})
	}
}
