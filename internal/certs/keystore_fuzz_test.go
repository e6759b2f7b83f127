package certs

import (
	"bytes"
	"crypto"
	"slices"
	"testing"
)

// fuzzLimits keeps one fuzz input cheap: keytool's 10,000 iterations pass,
// a mutated count in the millions does not.
var fuzzLimits = loadLimits{maxIterations: 20_000}

func FuzzDetectFormat(f *testing.F) {
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2})
	f.Add([]byte{0xCE, 0xCE, 0xCE, 0xCE})
	f.Add([]byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03})
	f.Add([]byte{0x30, 0x80, 0x02, 0x01, 0x03})
	f.Add([]byte("Bag Attributes\n-----BEGIN CERTIFICATE-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		got := DetectFormat(data)
		want := map[Format]bool{
			FormatJKS:    bytes.HasPrefix(data, jksMagic),
			FormatJCEKS:  bytes.HasPrefix(data, jceksMagic),
			FormatPKCS12: len(data) >= 5 && data[0] == 0x30 && bytes.Contains(data[:min(len(data), 9)], []byte{0x02, 0x01, 0x03}),
			FormatPEM:    bytes.Contains(data, []byte("-----BEGIN ")),
		}
		if got != FormatUnknown && !want[got] {
			t.Fatalf("DetectFormat = %v for data that does not look so", got)
		}
		if got == FormatUnknown && (want[FormatJKS] || want[FormatJCEKS] || want[FormatPEM]) {
			t.Fatalf("DetectFormat = unknown for data with a magic or a PEM block")
		}
		if got.String() == "" {
			t.Fatal("empty format name")
		}
	})
}

func FuzzLoadKeystore(f *testing.F) {
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'a'}, "changeit", "", "a")
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, "changeit", "", "")
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"), "", "", "")
	f.Fuzz(func(t *testing.T, data []byte, storePW, keyPW, alias string) {
		cert, err := loadKeystore(data, KeystoreOptions{StorePassword: storePW, KeyPassword: keyPW, Alias: alias}, fuzzLimits)
		if err != nil {
			if cert != nil {
				t.Fatalf("certificate returned with error %v", err)
			}
			return
		}
		if cert.Leaf == nil || len(cert.Certificate) == 0 || !slices.Equal(cert.Leaf.Raw, cert.Certificate[0]) {
			t.Fatal("Leaf is not the first certificate")
		}
		key, ok := cert.PrivateKey.(crypto.Signer)
		if !ok || !keyMatches(key, cert.Leaf) {
			t.Fatal("private key does not match the leaf")
		}
	})
}
