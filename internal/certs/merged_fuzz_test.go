package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func FuzzParseMerged(f *testing.F) {
	f.Add("")
	f.Add("date=2023-11-29 -----BEGIN RSA PRIVATE KEY----- AAAA -----END RSA PRIVATE KEY-----")
	f.Add(markerHead + "\n# issuer: x\n# order: y\n# issued-at: 2026-03-01T12:00:00Z\n-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n")
	f.Add("Bag Attributes\n    localKeyID: 01\n-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAA==\n-----END PRIVATE KEY-----\n")
	f.Add("-----BEGIN A-----\nAA==\n-----BEGIN B-----\n-----END A-----\n----END B-----")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseMerged(text)
		if err != nil {
			if m != nil {
				t.Fatalf("result with error %v", err)
			}
			if !classified(err) {
				t.Fatalf("error %q is of no kind", err)
			}
			return
		}
		if len(m.Pairs) == 0 {
			t.Fatal("no pair and no error")
		}
		for i, p := range m.Pairs {
			c := p.Cert
			if c == nil || c.Leaf == nil || len(c.Certificate) == 0 || !bytes.Equal(c.Leaf.Raw, c.Certificate[0]) {
				t.Fatalf("pair %d: Leaf is not the first certificate", i)
			}
			key, ok := c.PrivateKey.(crypto.Signer)
			if !ok || !keyMatches(key, c.Leaf) {
				t.Fatalf("pair %d: the key does not match the leaf", i)
			}
			if p.KeyType == "" || p.KeyType == "unknown" || p.KeyType != keyType(c.Leaf.PublicKey) {
				t.Fatalf("pair %d: key type %q", i, p.KeyType)
			}
		}
		if len(m.Warnings) > maxWarnings+1 {
			t.Fatalf("%d warnings", len(m.Warnings))
		}
		// ParsePEMBundle is ParseMerged with one key.
		if c, err := ParsePEMBundle([]byte(text)); err == nil && !bytes.Equal(c.Certificate[0], m.Pairs[0].Cert.Certificate[0]) {
			t.Fatal("ParsePEMBundle and ParseMerged chose different leaves")
		}
		// Describe and Check must not fail on what was accepted.
		for _, p := range m.Pairs {
			_ = Describe(p.Cert)
			_ = Check(p.Cert, "pbx.example.com", p.Cert.Leaf.NotBefore)
		}
	})
}

// classified reports whether err is one of the kinds ParseMerged
// promises, or one of its limits.
func classified(err error) bool {
	for _, kind := range []error{ErrNoKey, ErrNoCertificate, ErrGarbage, ErrKeyMismatch, ErrUnsupported} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return strings.HasPrefix(err.Error(), "more than ") || strings.HasPrefix(err.Error(), "the text is ")
}

// TestGenerateMergedCorpus writes the seed corpus of FuzzParseMerged from
// throwaway keys made here. Run it with -gencorpus after a change to the
// format; the files are committed.
func TestGenerateMergedCorpus(t *testing.T) {
	if !*genCorpus {
		t.Skip("run with -gencorpus to rewrite testdata/fuzz/FuzzParseMerged")
	}
	p := newGoPKI(t)
	ec, ed, other := newKey(t, "ecdsa-p256"), newKey(t, "ed25519"), newKey(t, "ecdsa-p256")
	ecLeaf, edLeaf := p.leaf(t, ec, nil, "pbx.example.com"), p.leaf(t, ed, nil, "pbx.example.com")
	merged := s(keyPEM(t, ec, "pkcs8"), certPEM(ecLeaf, p.inter, p.root))
	marker := FormatMarker(Marker{Issuer: "https://acme.example/directory", Order: "https://acme.example/order/1", IssuedAt: testNow})
	seeds := map[string]string{
		"ok-merged":          merged,
		"ok-sec1-bag":        "Bag Attributes\n    localKeyID: 01 00 00 00\nKey Attributes: <No Attributes>\n" + s(keyPEM(t, ec, "sec1"), []byte("subject=/CN=pbx.example.com\n"), certPEM(ecLeaf)),
		"ok-flattened":       strings.ReplaceAll("date=2023-11-29\n"+merged, "\n", " "),
		"ok-crlf-reversed":   strings.ReplaceAll(s(certPEM(p.root, p.inter, ecLeaf), keyPEM(t, ec, "pkcs8")), "\n", "\r\n"),
		"ok-two-pairs":       s(keyPEM(t, ed, "pkcs8"), certPEM(edLeaf), []byte(merged)),
		"ok-marker":          marker + merged,
		"ok-orphan":          s([]byte("junk\n"), []byte(merged), certPEM(makeCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "orphan"}}, nil, other, other))),
		"fail-mismatch":      s(keyPEM(t, other, "pkcs8"), certPEM(ecLeaf)),
		"fail-garbage":       strings.Replace(merged, "\n", "\n!", 3),
		"fail-no-end":        merged[:len(merged)-30],
		"fail-encrypted-key": "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n" + string(certPEM(ecLeaf)),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParseMerged")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range seeds {
		writeStringCorpusFile(t, filepath.Join(dir, name), text)
	}
}

// TestMergedFuzzCorpus checks the committed seeds: the ok-* texts parse and
// the others fail, so that the corpus keeps reaching the pairing code.
func TestMergedFuzzCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParseMerged", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 8 {
		t.Fatalf("only %d seeds in the FuzzParseMerged corpus", len(paths))
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			text := readStringCorpusFile(t, path)
			m, err := ParseMerged(text)
			switch {
			case strings.HasPrefix(name, "ok-") && err != nil:
				t.Errorf("seed does not parse: %v", err)
			case strings.HasPrefix(name, "ok-"):
				for _, p := range m.Pairs {
					checkCert(t, p.Cert, 0, nil)
				}
				if name == "ok-marker" && m.Marker == nil {
					t.Error("marker not read")
				}
				if name == "ok-two-pairs" && len(m.Pairs) != 2 {
					t.Errorf("%d pairs", len(m.Pairs))
				}
			case err == nil:
				t.Error("seed parses, its name says it should not")
			}
		})
	}
}

// writeStringCorpusFile writes a seed of one string argument in the format
// of Go's fuzzing corpus.
func writeStringCorpusFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("go test fuzz v1\nstring("+strconv.Quote(text)+")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readStringCorpusFile(t *testing.T, path string) string {
	t.Helper()
	lines := strings.SplitN(strings.TrimSpace(string(readTestFile(t, path))), "\n", 2)
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s: not a fuzz corpus file", path)
	}
	q, ok := strings.CutPrefix(lines[1], "string(")
	if !ok || !strings.HasSuffix(q, ")") {
		t.Fatalf("%s: %q is not a string argument", path, lines[1])
	}
	text, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return text
}
