package certs

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// mergedWant is what a ParseMerged case expects.
type mergedWant struct {
	// pairs: key type, then the chain's common names, per pair.
	pairs [][]string
	// warns: a part of each warning, in order; nil means none.
	warns  []string
	marker bool
	// For failure: the sentinel (nil: none) and the message, exactly, or
	// its start when it ends in "…".
	err     error
	errText string
}

type mergedCase struct {
	name string
	text string
	want mergedWant
}

func runMergedCases(t *testing.T, cases []mergedCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMerged(tc.text)
			if tc.want.errText != "" {
				if err == nil {
					t.Fatalf("parsed, want error %q", tc.want.errText)
				}
				if m != nil {
					t.Error("a result with the error")
				}
				if tc.want.err != nil && !errors.Is(err, tc.want.err) {
					t.Errorf("error %q is not %v", err, tc.want.err)
				}
				if want, prefix := strings.CutSuffix(tc.want.errText, "…"); prefix && !strings.HasPrefix(err.Error(), want) ||
					!prefix && err.Error() != want {
					t.Errorf("error\n %q, want\n %q", err, tc.want.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Pairs) != len(tc.want.pairs) {
				t.Fatalf("%d pairs, want %d", len(m.Pairs), len(tc.want.pairs))
			}
			for i, p := range m.Pairs {
				checkPair(t, p, tc.want.pairs[i][0], tc.want.pairs[i][1:])
			}
			if (m.Marker != nil) != tc.want.marker {
				t.Errorf("marker %+v, want one: %v", m.Marker, tc.want.marker)
			}
			if len(m.Warnings) != len(tc.want.warns) {
				t.Fatalf("warnings %q, want %q", m.Warnings, tc.want.warns)
			}
			for i, w := range m.Warnings {
				if !strings.Contains(w, tc.want.warns[i]) {
					t.Errorf("warning %q does not say %q", w, tc.want.warns[i])
				}
			}
		})
	}
}

func s(parts ...[]byte) string { return string(cat(parts...)) }

func TestParseMerged(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	ecKey, rsaKey, edKey, p384Key, otherKey := newKey(t, "ecdsa-p256"), newKey(t, "rsa-2048"), newKey(t, "ed25519"), newKey(t, "ecdsa-p384"), newKey(t, "ecdsa-p256")
	ecLeaf := p.leaf(t, ecKey, nil, "pbx.example.com")
	rsaLeaf := p.leaf(t, rsaKey, nil, "pbx.example.com")
	edLeaf := p.leaf(t, edKey, nil, "ed.example.com")
	p384Leaf := p.leaf(t, p384Key, nil, "p384.example.com")
	renewed := p.leaf(t, ecKey, func(c *x509.Certificate) { c.NotBefore = testNow }, "pbx.example.com")
	unrelated := makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "somebody else"}}, nil, otherKey, otherKey)
	key, rsa1, sec1 := keyPEM(t, ecKey, "pkcs8"), keyPEM(t, rsaKey, "pkcs1"), keyPEM(t, ecKey, "sec1")
	leaf, inter, root := certPEM(ecLeaf), certPEM(p.inter), certPEM(p.root)
	merged := cat(key, leaf, inter, root)

	full := []string{"ecdsa-p256", "pbx.example.com", "pbxgate test intermediate", "pbxgate test root"}
	rsaFull := []string{"rsa-2048", "pbx.example.com", "pbxgate test intermediate", "pbxgate test root"}
	bag := "Bag Attributes\n    localKeyID: 01 00 00 00\n    1.3.6.1.4.1.311.17.3.20: 9E D3 D5 AE\n" +
		"    friendlyName: [IIS] era, (any host) @ 2021.4.6 21:29:54\nKey Attributes: <No Attributes>\n"
	certBag := "Bag Attributes\n    localKeyID: 01 00 00 00\nsubject=/CN=pbx.example.com\nissuer=/CN=pbxgate test intermediate\n"
	ecParams := "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
	csr := "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"
	marker := FormatMarker(Marker{Issuer: "https://acme.example/directory", Order: "https://acme.example/order/1", IssuedAt: testNow})
	keyLines := strings.Count(string(key), "\n")

	cases := []mergedCase{
		{"ok/platform-order", string(merged), mergedWant{pairs: [][]string{full}}},
		{"ok/no-root", s(key, leaf, inter), mergedWant{pairs: [][]string{full[:3]}}},
		{"ok/date-header", "date=2023-11-29\n" + string(merged), mergedWant{pairs: [][]string{full}}},
		{"ok/bag-attributes", bag + string(key) + certBag + string(leaf) + "Bag Attributes: <No Attributes>\nsubject=/CN=x\n" + string(inter),
			mergedWant{pairs: [][]string{full[:3]}}},
		{"ok/crlf", strings.ReplaceAll(string(merged), "\n", "\r\n"), mergedWant{pairs: [][]string{full}}},
		{"ok/flattened", strings.ReplaceAll(string(merged), "\n", " "), mergedWant{pairs: [][]string{full}}},
		{"ok/flattened-platform-sample", strings.ReplaceAll("date=2023-11-29\n"+bag+string(merged), "\n", " "), mergedWant{pairs: [][]string{full}}},
		{"ok/flattened-crlf", strings.ReplaceAll(string(merged), "\n", "\r\n ") + "\r\n", mergedWant{pairs: [][]string{full}}},
		{"ok/non-breaking-spaces", strings.ReplaceAll(string(merged), "\n", "\u00a0"), mergedWant{pairs: [][]string{full}}},
		{"ok/chain-first-key-last", s(root, inter, leaf, key), mergedWant{pairs: [][]string{full}}},
		{"ok/chain-shuffled", s(inter, key, root, leaf), mergedWant{pairs: [][]string{full}}},
		{"ok/pkcs1-rsa", s(rsa1, certPEM(rsaLeaf), inter), mergedWant{pairs: [][]string{rsaFull[:3]}}},
		{"ok/sec1-with-ec-parameters", ecParams + s(sec1, leaf, inter), mergedWant{pairs: [][]string{full[:3]}}},
		{"ok/ed25519", s(keyPEM(t, edKey, "pkcs8"), certPEM(edLeaf, p.inter)),
			mergedWant{pairs: [][]string{{"ed25519", "ed.example.com", "pbxgate test intermediate"}}}},
		{"ok/p384", s(keyPEM(t, p384Key, "sec1"), certPEM(p384Leaf, p.inter)),
			mergedWant{pairs: [][]string{{"ecdsa-p384", "p384.example.com", "pbxgate test intermediate"}}}},
		{"ok/two-pairs-rsa-ecdsa", s(rsa1, certPEM(rsaLeaf), key, leaf, inter, root), mergedWant{pairs: [][]string{rsaFull, full}}},
		{"ok/two-pairs-shared-chain-at-end", s(key, rsa1, inter, root, leaf, certPEM(rsaLeaf)), mergedWant{pairs: [][]string{full, rsaFull}}},
		{"ok/marker", marker + string(merged), mergedWant{pairs: [][]string{full}, marker: true}},
		{"ok/orphan-certificate", s(key, leaf, inter, certPEM(unrelated)), mergedWant{pairs: [][]string{full[:3]},
			warns: []string{fmt.Sprintf("the certificate at line %d (CN=somebody else) belongs to no key and is on no chain", keyLines+
				strings.Count(string(leaf)+string(inter), "\n")+1)}}},
		{"ok/duplicate-certificate", s(key, leaf, inter, inter), mergedWant{pairs: [][]string{full[:3]},
			warns: []string{"repeats the one at line"}}},
		{"ok/duplicate-key", s(key, leaf, key), mergedWant{pairs: [][]string{full[:2]},
			warns: []string{fmt.Sprintf("the key at line %d repeats the key at line 1", keyLines+strings.Count(string(leaf), "\n")+1)}}},
		{"ok/renewed-certificate-wins", s(key, leaf, certPEM(renewed), inter), mergedWant{pairs: [][]string{full[:3]},
			warns: []string{fmt.Sprintf("the key at line 1 matches 2 certificates (at line %d, line %d); the newest, at line %d, is used",
				keyLines+1, keyLines+strings.Count(string(leaf), "\n")+1, keyLines+strings.Count(string(leaf), "\n")+1)}}},
		{"ok/stray-text", "hello world\n" + string(merged) + "\n\n  trailing words \n",
			mergedWant{pairs: [][]string{full}, warns: []string{
				`text at line 1 outside the PEM sections is ignored: "hello world"`,
				fmt.Sprintf(`text at line %d outside the PEM sections is ignored: "trailing words"`, strings.Count(string(merged), "\n")+4),
			}}},
		{"ok/csr-ignored", s(key, leaf, []byte(csr)), mergedWant{pairs: [][]string{full[:2]},
			warns: []string{fmt.Sprintf("the CERTIFICATE REQUEST section at line %d is ignored", keyLines+strings.Count(string(leaf), "\n")+1)}}},

		{"fail/empty", "", mergedWant{err: ErrNoKey, errText: "no private key in the text: it holds no PEM section"}},
		{"fail/no-key", s(leaf, inter), mergedWant{err: ErrNoKey, errText: "no private key in the text"}},
		{"fail/no-certificate", string(key), mergedWant{err: ErrNoCertificate, errText: "no certificate in the text"}},
		{"fail/csr-instead-of-certificate", string(key) + csr, mergedWant{err: ErrNoCertificate,
			errText: fmt.Sprintf("no certificate in the text; the CERTIFICATE REQUEST at line %d is the request sent to the CA, "+
				"not the certificate it issued", keyLines+1)}},
		{"fail/mismatched-key", s(keyPEM(t, otherKey, "pkcs8"), leaf, inter), mergedWant{err: ErrKeyMismatch,
			errText: "the key at line 1 (ecdsa-p256) matches no certificate in the text"}},
		{"fail/second-key-mismatched", s(key, leaf, rsa1), mergedWant{err: ErrKeyMismatch,
			errText: fmt.Sprintf("the key at line %d (rsa-2048) matches no certificate in the text", keyLines+strings.Count(string(leaf), "\n")+1)}},
		{"fail/mismatched-key-flattened", strings.ReplaceAll("date=2023-11-29 "+s(leaf, keyPEM(t, otherKey, "pkcs8")), "\n", " "), mergedWant{err: ErrKeyMismatch,
			errText: fmt.Sprintf("the key at line 1 (byte offset %d) (ecdsa-p256) matches no certificate in the text", len("date=2023-11-29 ")+len(leaf))}},
		{"fail/openssh-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n" + string(leaf), mergedWant{err: ErrUnsupported,
			errText: "private key at line 1: OPENSSH PRIVATE KEY blocks are not supported; convert the key with openssl pkey"}},
		{"fail/encrypted-header", "x\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
			mergedWant{err: ErrUnsupported, errText: "encrypted private key at line 2 is not supported; decrypt it with openssl pkey -in KEYFILE -out NEWFILE"}},
	}
	runMergedCases(t, cases)
}

// TestParseMergedGarbage checks the errors for texts that cannot be read,
// with their exact places.
func TestParseMergedGarbage(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k := newKey(t, "ecdsa-p256")
	key, leaf := keyPEM(t, k, "pkcs8"), certPEM(p.leaf(t, k, nil, "pbx.example.com"))
	keyLines := strings.Count(string(key), "\n")
	leafLines := strings.Split(string(leaf), "\n")
	// The third base64 line of the certificate with a stray character.
	broken := append([]string(nil), leafLines...)
	broken[3] = broken[3][:10] + "!" + broken[3][11:]
	brokenText := string(key) + strings.Join(broken, "\n")
	flat := strings.ReplaceAll(brokenText, "\n", " ")

	cases := []mergedCase{
		{"fail/bad-character", brokenText, mergedWant{err: ErrGarbage, errText: fmt.Sprintf(
			`garbage at line %d: bad base64 in PEM block "CERTIFICATE" that begins at line %d: '!' is not a base64 character`, keyLines+4, keyLines+1)}},
		{"fail/bad-character-flattened", flat, mergedWant{err: ErrGarbage, errText: fmt.Sprintf(
			`garbage at line 1 (byte offset %d): bad base64 in PEM block "CERTIFICATE" that begins at line 1 (byte offset %d): '!' is not a base64 character`,
			strings.Index(flat, "!"), len(key))}},
		{"fail/bad-character-small", "date=x\n-----BEGIN CERTIFICATE-----\nAAAA\nAA\u00e9A\n-----END CERTIFICATE-----\n", mergedWant{err: ErrGarbage,
			errText: `garbage at line 4: bad base64 in PEM block "CERTIFICATE" that begins at line 2: 'é' is not a base64 character`}},
		{"fail/cut-short", "-----BEGIN CERTIFICATE-----\nAAAA\nAAA\n-----END CERTIFICATE-----\n", mergedWant{err: ErrGarbage,
			errText: `garbage at line 3: bad base64 in PEM block "CERTIFICATE" that begins at line 1: the base64 is cut short`}},
		{"fail/misplaced-padding", "-----BEGIN CERTIFICATE-----\nAAAA\nA=AA\nAAAA\n-----END CERTIFICATE-----\n", mergedWant{err: ErrGarbage,
			errText: `garbage at line 3: bad base64 in PEM block "CERTIFICATE" that begins at line 1: misplaced padding or the base64 is cut short`}},
		{"fail/begin-without-end", string(key) + strings.Join(leafLines[:5], "\n"), mergedWant{err: ErrGarbage, errText: fmt.Sprintf(
			`garbage at line %d: PEM block "CERTIFICATE" has no END line`, keyLines+1)}},
		{"fail/begin-without-end-flattened", strings.ReplaceAll("date=1 "+string(key)+strings.Join(leafLines[:5], "\n"), "\n", " "), mergedWant{err: ErrGarbage,
			errText: fmt.Sprintf(`garbage at line 1 (byte offset %d): PEM block "CERTIFICATE" has no END line`, len("date=1 ")+len(key))}},
		{"fail/end-missing-before-next-begin", strings.Join(leafLines[:len(leafLines)-2], "\n") + "\n" + string(key) + string(leaf), mergedWant{err: ErrGarbage,
			errText: fmt.Sprintf(`garbage at line 1: PEM block "CERTIFICATE" has no END line before line %d`, len(leafLines)-1)}},
		{"fail/end-without-begin", string(key) + "-" + strings.TrimPrefix(string(leaf), "--"), mergedWant{err: ErrGarbage, errText: fmt.Sprintf(
			`garbage at line %d: an END line without its BEGIN line: "-----END CERTIFICATE-----"`, keyLines+len(leafLines)-1)}},
		{"fail/damaged-begin", string(key) + strings.Replace(string(leaf), "CERTIFICATE-----\n", "CERTIFICATE----\n", 1), mergedWant{err: ErrGarbage,
			errText: fmt.Sprintf(`garbage at line %d: a damaged BEGIN line: "-----BEGIN CERTIFICATE----"`, keyLines+1)}},
		{"fail/empty-section", string(key) + "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", mergedWant{err: ErrGarbage,
			errText: fmt.Sprintf(`garbage at line %d: PEM block "CERTIFICATE" is empty`, keyLines+1)}},
		{"fail/not-a-certificate", string(key) + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", mergedWant{err: ErrGarbage,
			errText: fmt.Sprintf(`garbage at line %d: certificate 1 does not parse: x509: malformed certificate`, keyLines+1)}},
		{"fail/not-a-key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + string(leaf), mergedWant{err: ErrGarbage,
			errText: "garbage at line 1: the private key does not parse: parse private key: …"}},
	}
	runMergedCases(t, cases)
}

func TestParseMergedLimits(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k := newKey(t, "ecdsa-p256")
	key, leaf := keyPEM(t, k, "pkcs8"), certPEM(p.leaf(t, k, nil, "pbx.example.com"))
	tests := []struct {
		name string
		text string
		err  string
	}{
		{"fail/too-large", string(key) + string(leaf) + strings.Repeat("#", MaxMergedSize), "the text is"},
		{"fail/too-many-keys", strings.Repeat(string(key), maxMergedKeys+1) + string(leaf), "more than 8 private keys"},
		{"fail/too-many-certificates", string(key) + strings.Repeat(string(leaf), maxBundleCerts+1), "more than 256 certificates"},
		{"fail/too-many-sections", strings.Repeat("-----BEGIN X-----\nAA==\n-----END X-----\n", maxPEMSections+1), "more than 1024 PEM sections"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMerged(tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
	t.Run("ok/many-warnings-capped", func(t *testing.T) {
		m, err := ParseMerged(strings.Repeat("junk\n", 100) + string(key) + string(leaf))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Warnings) != maxWarnings+1 || m.Warnings[maxWarnings] != "and 68 more warnings" {
			t.Errorf("%d warnings, last %q", len(m.Warnings), m.Warnings[len(m.Warnings)-1])
		}
	})
}

// TestParsePEMBundleWrapper checks that ParsePEMBundle is ParseMerged with
// one key required.
func TestParsePEMBundleWrapper(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	ec, rsaK := newKey(t, "ecdsa-p256"), newKey(t, "rsa-2048")
	two := s(keyPEM(t, ec, "pkcs8"), certPEM(p.leaf(t, ec, nil, "a.example.com")), keyPEM(t, rsaK, "pkcs1"), certPEM(p.leaf(t, rsaK, nil, "a.example.com")))
	if m, err := ParseMerged(two); err != nil || len(m.Pairs) != 2 {
		t.Fatalf("ParseMerged: %v", err)
	}
	_, err := ParsePEMBundle([]byte(two))
	if err == nil || !strings.Contains(err.Error(), "more than one private key (at line 1 and line ") {
		t.Errorf("ParsePEMBundle with two keys: %v", err)
	}
}
