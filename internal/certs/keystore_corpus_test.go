package certs

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var genCorpus = flag.Bool("gencorpus", false, "rewrite the fuzz seed corpora under testdata/fuzz with keystores made by keytool and openssl")

// corpusSeed is one FuzzLoadKeystore seed: a keystore and how to open it.
// Seeds named ok-* must load.
type corpusSeed struct {
	name, file            string
	storePW, keyPW, alias string
}

// TestGenerateFuzzCorpus writes the seed corpora of FuzzLoadKeystore and
// FuzzDetectFormat from small throwaway EC keystores made by the real
// tools. Run it with -gencorpus after a change to the formats; the files
// are committed.
func TestGenerateFuzzCorpus(t *testing.T) {
	if !*genCorpus {
		t.Skip("run with -gencorpus to rewrite testdata/fuzz")
	}
	dir := t.TempDir()
	const pw = "changeit"
	genkeypair(t, dir, "ec.jks", "isymphony", "EC", "JKS", pw, pw)
	genkeypair(t, dir, "keypass.jks", "isymphony", "EC", "JKS", pw, "keypass")
	genkeypair(t, dir, "keytool.p12", "isymphony", "EC", "PKCS12", pw, pw)
	genkeypair(t, dir, "multi.p12", "one", "EC", "PKCS12", pw, pw)
	genkeypair(t, dir, "multi.p12", "two", "EC", "PKCS12", pw, pw)
	genkeypair(t, dir, "ec.jceks", "isymphony", "EC", "JCEKS", pw, pw)
	openssl(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "leaf.key", "-out", "leaf.crt", "-subj", "/CN=localhost", "-days", "2")
	openssl(t, dir, "pkcs12", "-export", "-in", "leaf.crt", "-inkey", "leaf.key", "-name", "isymphony", "-out", "openssl.p12", "-passout", "pass:"+pw)
	openssl(t, dir, "pkcs12", "-export", "-legacy", "-in", "leaf.crt", "-inkey", "leaf.key", "-name", "isymphony", "-out", "legacy.p12", "-passout", "pass:"+pw)
	writeFile(t, filepath.Join(dir, "bundle.pem"), cat(readTestFile(t, filepath.Join(dir, "leaf.key")), readTestFile(t, filepath.Join(dir, "leaf.crt"))))

	seeds := []corpusSeed{
		{name: "ok-jks-ec", file: "ec.jks", storePW: pw, alias: "isymphony"},
		{name: "ok-jks-key-password", file: "keypass.jks", storePW: pw, keyPW: "keypass"},
		{name: "ok-pkcs12-keytool", file: "keytool.p12", storePW: pw},
		{name: "ok-pkcs12-multi-key", file: "multi.p12", storePW: pw, alias: "two"},
		{name: "ok-pkcs12-openssl", file: "openssl.p12", storePW: pw, alias: "isymphony"},
		{name: "ok-pkcs12-openssl-legacy", file: "legacy.p12", storePW: pw},
		{name: "ok-pem-bundle", file: "bundle.pem"},
		{name: "fail-jceks", file: "ec.jceks", storePW: pw},
	}
	loadDir := filepath.Join("testdata", "fuzz", "FuzzLoadKeystore")
	detectDir := filepath.Join("testdata", "fuzz", "FuzzDetectFormat")
	for _, d := range []string{loadDir, detectDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range seeds {
		data := readTestFile(t, filepath.Join(dir, s.file))
		writeCorpusFile(t, filepath.Join(loadDir, s.name), data, s.storePW, s.keyPW, s.alias)
		writeCorpusFile(t, filepath.Join(detectDir, s.name), data[:min(len(data), 32)])
	}
}

// writeCorpusFile writes a seed in the format of Go's fuzzing corpus: the
// first value is []byte, the others string.
func writeCorpusFile(t *testing.T, path string, data []byte, strs ...string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
	for _, s := range strs {
		fmt.Fprintf(&b, "string(%s)\n", strconv.Quote(s))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readCorpusFile reads a seed written by writeCorpusFile.
func readCorpusFile(t *testing.T, path string) (data []byte, strs []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(readTestFile(t, path))), "\n")
	if len(lines) < 2 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s: not a fuzz corpus file", path)
	}
	for i, l := range lines[1:] {
		prefix := "string("
		if i == 0 {
			prefix = "[]byte("
		}
		q, ok := strings.CutPrefix(l, prefix)
		if !ok || !strings.HasSuffix(q, ")") {
			t.Fatalf("%s: line %d: %q", path, i+2, l)
		}
		s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
		if err != nil {
			t.Fatalf("%s: line %d: %v", path, i+2, err)
		}
		if i == 0 {
			data = []byte(s)
		} else {
			strs = append(strs, s)
		}
	}
	return data, strs
}

// TestFuzzCorpus checks the committed seeds: the ok-* keystores load and
// the others fail, so that the corpus keeps reaching deep into the
// loaders.
func TestFuzzCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzLoadKeystore", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 5 {
		t.Fatalf("only %d seeds in the FuzzLoadKeystore corpus", len(paths))
	}
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			data, strs := readCorpusFile(t, p)
			if len(strs) != 3 {
				t.Fatalf("%d string arguments, want 3", len(strs))
			}
			cert, err := loadKeystore(data, KeystoreOptions{StorePassword: strs[0], KeyPassword: strs[1], Alias: strs[2]}, fuzzLimits)
			switch {
			case strings.HasPrefix(name, "ok-") && err != nil:
				t.Errorf("seed does not load: %v", err)
			case strings.HasPrefix(name, "ok-"):
				checkCert(t, cert, 0, nil)
			case err == nil:
				t.Errorf("seed loads, its name says it should not")
			}
			det, _ := readCorpusFile(t, filepath.Join("testdata", "fuzz", "FuzzDetectFormat", name))
			if !bytes.HasPrefix(data, det) {
				t.Errorf("FuzzDetectFormat seed is not the start of the keystore")
			}
		})
	}
}
