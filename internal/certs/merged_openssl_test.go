package certs

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseMergedOpenSSL reads texts made by the real openssl tool: keys
// in every form it writes, what `openssl pkcs12 -nodes` prints, encrypted
// keys.
func TestParseMergedOpenSSL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := makeChain(t, dir)
	key, leaf, inter, root := c.read(t, c.leafKey), c.read(t, c.leaf), c.read(t, c.intCrt), c.read(t, c.rootCrt)
	// An RSA leaf from the same intermediate: the domain's second pair.
	openssl(t, dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "rsa.key", "-out", "rsa.csr")
	openssl(t, dir, "x509", "-req", "-in", "rsa.csr", "-CA", "int.crt", "-CAkey", "int.key",
		"-set_serial", "4", "-days", "2", "-extfile", "leaf.ext", "-out", "rsa.crt")
	rsaKey, rsaLeaf := c.read(t, "rsa.key"), c.read(t, "rsa.crt")
	rsa1 := openssl(t, dir, "pkey", "-in", "rsa.key", "-traditional")
	// Self-signed, as the platform's guide makes them.
	openssl(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "ss-ec.key", "-out", "ss-ec.crt", "-subj", "/CN=pbx.example.com", "-days", "2")
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
		"-keyout", "ss-rsa.key", "-out", "ss-rsa.crt", "-subj", "/CN=pbx.example.com", "-days", "1095")
	openssl(t, dir, "genpkey", "-algorithm", "ed25519", "-out", "ed.key")
	openssl(t, dir, "req", "-x509", "-key", "ed.key", "-out", "ed.crt", "-subj", "/CN=pbx.example.com", "-days", "2")
	ecParamsKey := openssl(t, dir, "ecparam", "-name", "prime256v1", "-genkey")
	writeFile(t, filepath.Join(dir, "sec1.key"), ecParamsKey)
	openssl(t, dir, "req", "-x509", "-key", "sec1.key", "-out", "sec1.crt", "-subj", "/CN=pbx.example.com", "-days", "2")
	// openssl pkcs12 -nodes output: Bag Attributes, subject=, issuer=.
	openssl(t, dir, "pkcs12", "-export", "-in", "fullchain.pem", "-certfile", c.rootCrt, "-inkey", c.leafKey,
		"-name", "[IIS] era, (any host)", "-out", "b.p12", "-passout", "pass:p12-secret")
	bagAttrs := openssl(t, dir, "pkcs12", "-in", "b.p12", "-nodes", "-passin", "pass:p12-secret")
	// Encrypted keys: PKCS#8 and the traditional form with Proc-Type.
	encPKCS8 := openssl(t, dir, "pkey", "-in", c.leafKey, "-aes256", "-passout", "pass:x")
	encGenrsa := openssl(t, dir, "genrsa", "-aes128", "-traditional", "-passout", "pass:x", "2048")

	full := []string{"ecdsa-p256", "localhost", "pbxgate test intermediate", "pbxgate test root"}
	rsaFull := []string{"rsa-2048", "localhost", "pbxgate test intermediate", "pbxgate test root"}
	self := func(keyType string) []string { return []string{keyType, "pbx.example.com"} }
	leafLines := strings.Count(string(leaf), "\n")
	cases := []mergedCase{
		{"ok/openssl-ec-req-x509", s(c.read(t, "ss-ec.key"), c.read(t, "ss-ec.crt")), mergedWant{pairs: [][]string{self("ecdsa-p256")}}},
		{"ok/openssl-rsa-req-x509", s(c.read(t, "ss-rsa.key"), c.read(t, "ss-rsa.crt")), mergedWant{pairs: [][]string{self("rsa-2048")}}},
		{"ok/openssl-ed25519", s(c.read(t, "ed.key"), c.read(t, "ed.crt")), mergedWant{pairs: [][]string{self("ed25519")}}},
		{"ok/openssl-sec1-ecparam", s(ecParamsKey, c.read(t, "sec1.crt")), mergedWant{pairs: [][]string{self("ecdsa-p256")}}},
		{"ok/openssl-pkcs1-rsa", s(rsa1, rsaLeaf, inter, root), mergedWant{pairs: [][]string{rsaFull}}},
		{"ok/openssl-merged", s(key, leaf, inter, root), mergedWant{pairs: [][]string{full}}},
		{"ok/openssl-date-header", "date=2023-11-29\n" + s(key, leaf, inter, root), mergedWant{pairs: [][]string{full}}},
		{"ok/openssl-pkcs12-nodes", string(bagAttrs), mergedWant{pairs: [][]string{full}}},
		{"ok/openssl-pkcs12-nodes-flattened", strings.ReplaceAll(string(bagAttrs), "\n", " "), mergedWant{pairs: [][]string{full}}},
		{"ok/openssl-pkcs12-nodes-crlf", strings.ReplaceAll(string(bagAttrs), "\n", "\r\n"), mergedWant{pairs: [][]string{full}}},
		{"ok/openssl-wrong-order", s(root, inter, leaf, key), mergedWant{pairs: [][]string{full}}},
		{"ok/openssl-two-pairs", s(rsaKey, rsaLeaf, key, leaf, inter, root), mergedWant{pairs: [][]string{rsaFull, full}}},
		{"ok/openssl-two-pairs-flattened", strings.ReplaceAll(s(key, leaf, rsa1, rsaLeaf, inter), "\n", " "),
			mergedWant{pairs: [][]string{full[:3], rsaFull[:3]}}},
		{"fail/openssl-mismatched-key", s(rsaKey, leaf, inter), mergedWant{err: ErrKeyMismatch,
			errText: "the key at line 1 (rsa-2048) matches no certificate in the text"}},
		{"fail/openssl-no-key", s(leaf, inter, root), mergedWant{err: ErrNoKey, errText: "no private key in the text"}},
		{"fail/openssl-encrypted-pkcs8", s(encPKCS8, leaf), mergedWant{err: ErrUnsupported,
			errText: "encrypted private key at line 1 is not supported; decrypt it with openssl pkey -in KEYFILE -out NEWFILE"}},
		{"fail/openssl-encrypted-genrsa-traditional", s(leaf, encGenrsa), mergedWant{err: ErrUnsupported,
			errText: fmt.Sprintf("encrypted private key at line %d is not supported; decrypt it with openssl pkey -in KEYFILE -out NEWFILE", leafLines+1)}},
	}
	if !strings.Contains(string(encGenrsa), "Proc-Type: 4,ENCRYPTED") {
		t.Fatalf("genrsa -traditional did not write a Proc-Type header:\n%s", encGenrsa)
	}
	if !strings.Contains(string(bagAttrs), "Bag Attributes") || !strings.Contains(string(bagAttrs), "friendlyName: [IIS] era") {
		t.Fatalf("openssl pkcs12 -nodes printed no Bag Attributes:\n%s", bagAttrs)
	}
	runMergedCases(t, cases)
}
