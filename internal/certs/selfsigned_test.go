package certs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoadOrCreateDefault(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c1, created, err := LoadOrCreateDefault(dir, "localhost", now)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	if err := c1.Leaf.VerifyHostname("localhost"); err != nil {
		t.Errorf("default certificate does not cover localhost: %v", err)
	}
	if err := c1.Leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("default certificate for localhost does not cover 127.0.0.1: %v", err)
	}
	if alg := c1.Leaf.PublicKeyAlgorithm.String(); alg != "ECDSA" {
		t.Errorf("key algorithm %s, want ECDSA", alg)
	}
	fi, err := os.Stat(filepath.Join(dir, DefaultDirName, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v err %v, want 0600", fi.Mode().Perm(), err)
	}

	tests := []struct {
		name        string
		domain      string
		now         time.Time
		wantCreated bool
	}{
		{"ok/kept-across-restart", "localhost", now.Add(24 * time.Hour), false},
		{"ok/new-master-domain", "pbx.example.com", now, true},
		{"ok/kept-for-same-domain", "pbx.example.com", now, false},
		{"ok/renewed-after-expiry", "pbx.example.com", now.Add(4 * 365 * 24 * time.Hour), true},
	}
	defer func() {
		// A crash between the key and the certificate renames leaves a
		// pair that does not match: it is made again, not a start failure.
		other, _, err := SelfSigned("other.example.com", 1, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, DefaultDirName, KeyFile), other, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, created, err := LoadOrCreateDefault(dir, "pbx.example.com", now); err != nil || !created {
			t.Errorf("mismatched pair: created=%v err=%v, want a new certificate", created, err)
		}
	}()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, created, err := LoadOrCreateDefault(dir, tc.domain, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if created != tc.wantCreated {
				t.Errorf("created = %v, want %v", created, tc.wantCreated)
			}
			if err := c.Leaf.VerifyHostname(tc.domain); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestLoadCertDirErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCertDir(dir); err == nil {
		t.Error("empty certdir loaded")
	}
	keyPEM, certPEM, err := SelfSigned("a.example.com", 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, err := SelfSigned("b.example.com", 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(CertFile, certPEM)
	write(KeyFile, otherKey)
	if _, err := LoadCertDir(dir); err == nil {
		t.Error("mismatched key accepted")
	}
	write(KeyFile, keyPEM)
	c, err := LoadCertDir(dir)
	if err != nil || c.Leaf == nil || c.Leaf.Subject.CommonName != "a.example.com" {
		t.Errorf("LoadCertDir = %v, %v", c, err)
	}
}
