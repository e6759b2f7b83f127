package sni

import (
	"context"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// subjectCN finds the common name in the "subject=" line that
// openssl s_client prints for the server certificate (OpenSSL 1.1 and 3:
// "subject=CN = name"; LibreSSL: "subject=/CN=name").
var subjectCN = regexp.MustCompile(`(?m)^subject=.*?CN\s*=\s*([^,/\r\n]+)`)

func TestHandshakeOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	f := newFixture(t)
	addr := serveTLS(t, f.resolver(true, true))

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"domain/exact", []string{"-servername", "t1.example.com"}, "T1"},
		{"domain/inherited", []string{"-servername", "s1.t1.example.com"}, "T1"},
		{"domain/walk", []string{"-servername", "a.b.s2.t1.example.com"}, "S2"},
		{"domain/master-last", []string{"-servername", "www.unrelated.net"}, "M"},
		{"domain/upper-case", []string{"-servername", "T1.Example.COM"}, "T1"},
		{"listener/no-sni", []string{"-noservername"}, "L"},
		{"listener/ip-sni", []string{"-servername", "127.0.0.1"}, "L"},
		{"dual/default", []string{"-servername", "dual.example.com"}, "DUAL-EC"},
		{"dual/tls12-rsa-suite", []string{"-servername", "dual.example.com", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, "DUAL-RSA"},
		{"dual/tls12-ecdsa-suite", []string{"-servername", "dual.example.com", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}, "DUAL-EC"},
		{"dual/tls13-rsa-pss-only", []string{"-servername", "dual.example.com", "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256"}, "DUAL-RSA"},
		{"dual/tls13-ecdsa-only", []string{"-servername", "dual.example.com", "-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256"}, "DUAL-EC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A safety net against a hanging openssl, not an assertion.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			args := append([]string{"s_client", "-connect", addr}, tt.args...)
			out, err := exec.CommandContext(ctx, openssl, args...).CombinedOutput()
			m := subjectCN.FindSubmatch(out)
			if m == nil {
				t.Fatalf("openssl %v: no subject in the output (%v):\n%s", args, err, out)
			}
			if got := string(m[1]); got != tt.want {
				t.Errorf("openssl %v: subject CN %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}
