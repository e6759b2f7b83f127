package integration

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// mergedPEM makes a self-signed ECDSA certificate for cn (and sans) valid
// from notBefore to notAfter, as the merged PEM an operator pastes: key,
// then certificate, after a header line.
func mergedPEM(t *testing.T, cn string, sans []string, notBefore, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, DNSNames: sans,
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("date=2026-11-01\n")
	_ = pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	return b.String()
}

// apiCall sends a JSON request with the admin's Basic credentials over TLS.
func (g *gw) apiCall(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, g.https+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", g.pw)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// served returns the CN of the certificate the TLS listener serves for
// serverName ("" sends no SNI), through Go's client.
func (g *gw) served(t *testing.T, serverName string) string {
	t.Helper()
	c, err := tls.Dial("tcp", strings.TrimPrefix(g.https, "https://"), &tls.Config{InsecureSkipVerify: true, ServerName: serverName})
	if err != nil {
		t.Fatalf("handshake for %q: %v", serverName, err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName
}

var subjectCN = regexp.MustCompile(`subject=.*CN\s*=\s*([^,\n/]+)`)

// servedOpenSSL is served through `openssl s_client -servername`.
func (g *gw) servedOpenSSL(t *testing.T, serverName string) string {
	t.Helper()
	args := []string{"s_client", "-connect", strings.TrimPrefix(g.https, "https://")}
	if serverName == "" {
		args = append(args, "-noservername")
	} else {
		args = append(args, "-servername", serverName)
	}
	out, _ := exec.Command("openssl", args...).CombinedOutput()
	m := subjectCN.FindSubmatch(out)
	if m == nil {
		t.Fatalf("openssl s_client %s: no subject in\n%s", serverName, out)
	}
	return strings.TrimSpace(string(m[1]))
}

// TestSNISelection: DESIGN §1.2 through real handshakes, with domains made
// through the REST API.
func TestSNISelection(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (scripts/test installs it)")
	}
	now := time.Now()
	year := now.AddDate(1, 0, 0)
	certdir := t.TempDir()
	listenerPEM := mergedPEM(t, "listener.example.net", []string{"listener.example.net"}, now.Add(-time.Hour), year)
	writeCertdir(t, certdir, listenerPEM)
	g := start(t, `
master_domain: pbx.example.com
listeners:
  - {name: https, address: "127.0.0.1:0", tls: true, certdir: "`+certdir+`"}
  - {name: http, address: "127.0.0.1:0"}
`)
	add := func(body map[string]any) {
		t.Helper()
		if code, out := g.apiCall(t, http.MethodPost, "/api/v1/domains", body); code != http.StatusCreated {
			t.Fatalf("POST %v: %d %v", body["name"], code, out)
		}
	}
	add(map[string]any{"name": "t1.pbx.example.com", "certificate_pem": mergedPEM(t, "t1", []string{"t1.pbx.example.com", "*.t1.pbx.example.com"}, now.Add(-time.Hour), year)})
	add(map[string]any{"name": "sub.t1.pbx.example.com"}) // no certificate: inherits t1's
	add(map[string]any{"name": "t2.pbx.example.com"})     // no certificate, up to the master which has none
	add(map[string]any{"name": "old.pbx.example.com", "certificate_pem": mergedPEM(t, "old", []string{"old.pbx.example.com"}, now.AddDate(-1, 0, 0), now.Add(-24*time.Hour))})
	add(map[string]any{"name": "wrong.pbx.example.com", "certificate_pem": mergedPEM(t, "wrong", []string{"other.example.org"}, now.Add(-time.Hour), year)})

	tests := []struct {
		name, sni, want string
	}{
		{"ok/exact-domain", "t1.pbx.example.com", "t1"},
		{"ok/parent-inheritance", "sub.t1.pbx.example.com", "t1"},
		{"ok/dns-parent-walk-unknown-name", "a.b.t1.pbx.example.com", "t1"},
		{"ok/domain-without-any-certificate-to-listener", "t2.pbx.example.com", "listener.example.net"},
		{"ok/unknown-outside-tree-listener", "www.example.org", "listener.example.net"},
		{"ok/no-sni-listener", "", "listener.example.net"},
		{"ok/expired-domain-cert-still-served", "old.pbx.example.com", "old"},
		{"ok/mismatched-domain-cert-still-served", "wrong.pbx.example.com", "wrong"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.served(t, tc.sni); got != tc.want {
				t.Errorf("Go client, SNI %q: CN %q, want %q", tc.sni, got, tc.want)
			}
			if got := g.servedOpenSSL(t, tc.sni); got != tc.want {
				t.Errorf("openssl s_client, SNI %q: CN %q, want %q", tc.sni, got, tc.want)
			}
		})
	}

	// The master gets a certificate: it is now the last resort of every
	// name, before the listener's.
	if code, out := g.apiCall(t, http.MethodPatch, "/api/v1/domains/pbx.example.com", map[string]any{
		"certificate_pem": mergedPEM(t, "master", []string{"pbx.example.com", "*.pbx.example.com"}, now.Add(-time.Hour), year),
	}); code != http.StatusOK {
		t.Fatalf("PATCH master: %d %v", code, out)
	}
	for sni, want := range map[string]string{"t2.pbx.example.com": "master", "www.example.org": "master", "": "listener.example.net"} {
		if got := g.served(t, sni); got != want {
			t.Errorf("after the master got a certificate, SNI %q: %q, want %q", sni, got, want)
		}
	}

	// A certificate changed through the API is served by the next
	// handshake.
	if code, out := g.apiCall(t, http.MethodPatch, "/api/v1/domains/t1.pbx.example.com", map[string]any{
		"certificate_pem": mergedPEM(t, "t1-renewed", []string{"t1.pbx.example.com"}, now.Add(-time.Hour), year),
	}); code != http.StatusOK {
		t.Fatalf("PATCH: %d %v", code, out)
	}
	if got := g.served(t, "t1.pbx.example.com"); got != "t1-renewed" {
		t.Errorf("after PATCH: %q, want t1-renewed", got)
	}

	// The alarms say what is wrong with what is served.
	_, state := g.apiCall(t, http.MethodGet, "/api/v1/system/state", nil)
	raised := map[string]bool{}
	list, _ := state["alarms"].([]any)
	for _, a := range list {
		m, _ := a.(map[string]any)
		raised[m["kind"].(string)+" "+m["subject"].(string)] = true
	}
	for _, want := range []string{"certificate_expired old.pbx.example.com", "certificate_name_mismatch wrong.pbx.example.com"} {
		if !raised[want] {
			t.Errorf("system state lacks the alarm %s: %v", want, raised)
		}
	}

	// The resolve endpoint explains the choice.
	code, res := g.apiCall(t, http.MethodGet, "/api/v1/tls/resolve?listener=https&sni=a.b.t1.pbx.example.com", nil)
	if code != http.StatusOK || res["source"] != "domain" || res["domain"] != "t1.pbx.example.com" {
		t.Errorf("resolve: %d %v", code, res)
	}
	// Responses never carry the private key.
	_, dom := g.apiCall(t, http.MethodGet, "/api/v1/domains/t1.pbx.example.com", nil)
	if b, _ := json.Marshal(dom); strings.Contains(string(b), "PRIVATE KEY") || !strings.Contains(string(b), `"subject":"CN=t1-renewed"`) {
		t.Errorf("domain response: %s", b)
	}
}

func writeCertdir(t *testing.T, dir, merged string) {
	t.Helper()
	var key, cert bytes.Buffer
	rest := []byte(merged)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "PRIVATE KEY" {
			_ = pem.Encode(&key, b)
		} else {
			_ = pem.Encode(&cert, b)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "server.key"), key.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "server.crt"), cert.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCertdirHotSwap: replacing the files of a listener's certdir is served
// by the next handshake, without restart, while an open connection stays.
func TestCertdirHotSwap(t *testing.T) {
	now := time.Now()
	certdir := t.TempDir()
	writeCertdir(t, certdir, mergedPEM(t, "first", []string{"pbx.example.com"}, now.Add(-time.Hour), now.AddDate(1, 0, 0)))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pbxgate.yaml")
	if err := os.WriteFile(cfg, []byte(`
listeners: [{name: https, address: "127.0.0.1:0", tls: true, certdir: "`+certdir+`"}]
log: {level: info}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := serve(t, "--config", cfg, "--data", filepath.Join(dir, "data"))
	m := p.waitLog(t, `msg=listening listener=https address=(\S+)`)
	g := &gw{t: t, https: "https://" + m[1]}
	if got := g.served(t, ""); got != "first" {
		t.Fatalf("served %q, want first", got)
	}
	open, err := tls.Dial("tcp", m[1], &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()

	// Replace the pair as a renewal tool would: new files renamed in.
	next := t.TempDir()
	writeCertdir(t, next, mergedPEM(t, "second", []string{"pbx.example.com"}, now.Add(-time.Hour), now.AddDate(1, 0, 0)))
	for _, f := range []string{"server.key", "server.crt"} {
		b, _ := os.ReadFile(filepath.Join(next, f))
		if err := os.WriteFile(filepath.Join(certdir, f+".new"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(certdir, f+".new"), filepath.Join(certdir, f)); err != nil {
			t.Fatal(err)
		}
	}
	p.waitLog(t, `msg="configuration reloaded".*generation=2`)
	if got := g.served(t, ""); got != "second" {
		t.Errorf("after replacing the certdir files: %q, want second", got)
	}
	// The connection opened before the swap still works.
	if _, err := open.Write([]byte("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Errorf("connection opened before the swap: %v", err)
	}
	buf := make([]byte, 12)
	if _, err := open.Read(buf); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 401") {
		t.Errorf("connection opened before the swap answered %q %v", buf, err)
	}
}

// rsaMergedPEM is mergedPEM with an RSA 2048 key.
func rsaMergedPEM(t *testing.T, cn string, sans []string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, DNSNames: sans,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_ = pem.Encode(&b, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	return b.String()
}

// TestRSAAndECDSASideBySide: a domain holding an RSA and an ECDSA
// certificate serves each client the best it supports; a listener without
// a certificate of its own serves the default one to clients without SNI.
func TestRSAAndECDSASideBySide(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (scripts/test installs it)")
	}
	g := start(t, "master_domain: pbx.example.com\n")
	now := time.Now()
	both := mergedPEM(t, "t-ecdsa", []string{"t.pbx.example.com"}, now.Add(-time.Hour), now.AddDate(1, 0, 0)) +
		rsaMergedPEM(t, "t-rsa", []string{"t.pbx.example.com"})
	if code, out := g.apiCall(t, http.MethodPost, "/api/v1/domains", map[string]any{"name": "t.pbx.example.com", "certificate_pem": both}); code != http.StatusCreated {
		t.Fatalf("POST: %d %v", code, out)
	}
	if got := g.servedOpenSSL(t, "t.pbx.example.com"); got != "t-ecdsa" {
		t.Errorf("modern client: %q, want the ECDSA certificate", got)
	}
	out, _ := exec.Command("openssl", "s_client", "-connect", strings.TrimPrefix(g.https, "https://"),
		"-servername", "t.pbx.example.com", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256").CombinedOutput()
	if m := subjectCN.FindSubmatch(out); m == nil || strings.TrimSpace(string(m[1])) != "t-rsa" {
		t.Errorf("RSA-only TLS 1.2 client did not get the RSA certificate:\n%s", out)
	}
	if got := g.served(t, ""); got != "pbx.example.com" {
		t.Errorf("no SNI, no listener certificate: %q, want the default certificate for the master domain", got)
	}
}
