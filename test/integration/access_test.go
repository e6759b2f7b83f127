package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// accessYAML puts a different set of IP rules on each context so that one
// daemon shows all four rules of DESIGN §1.1.
func accessYAML(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "msg0001.wav"), []byte("RIFF-test-audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`
trusted_proxies: ["127.0.0.50"]
contexts:
  communication_manager:
    enabled: true
    realm_auth: {enabled: false}
    ip_access: {enabled: true, whitelist: [], blacklist: []}   # rule 3: both empty
  voicemail:
    enabled: true
    root: %[1]q
    ip_access: {enabled: true, whitelist: ["127.0.0.16/30", "127.0.0.2", "::1"]}   # rule 4
  recording:
    enabled: true
    root: %[1]q
    ip_access: {enabled: true, blacklist: ["127.0.0.7", "127.0.0.32/28"]}   # rule 2, blacklist only
  administrator:
    enabled: true
    realm_auth: {enabled: false}
    ip_access: {enabled: true, whitelist: ["127.0.0.0/28"], blacklist: ["127.0.0.5", "::1/128"]}   # rule 1
`, root)
}

func TestIPAccessRules(t *testing.T) {
	needCurl(t)
	g := start(t, accessYAML(t))
	tests := []struct {
		name string
		src  string // curl --interface
		url  string
		hdr  string
		want int
	}{
		{"ok/rule3-both-empty-any-ip", "127.0.0.99", g.https + "/api/v1/health", "", 200},
		{"ok/rule3-both-empty-ipv6", "::1", g.https6 + "/api/v1/health", "", 200},

		{"ok/rule4-whitelisted-single", "127.0.0.2", g.https + "/voicemail/msg0001.wav", "", 200},
		{"ok/rule4-whitelisted-cidr", "127.0.0.18", g.https + "/voicemail/msg0001.wav", "", 200},
		{"fail/rule4-not-whitelisted", "127.0.0.3", g.https + "/voicemail/msg0001.wav", "", 403},
		{"fail/rule4-just-outside-cidr", "127.0.0.20", g.https + "/voicemail/msg0001.wav", "", 403},
		{"ok/rule4-whitelisted-ipv6", "::1", g.https6 + "/voicemail/msg0001.wav", "", 200},
		{"fail/rule4-plain-listener-too", "127.0.0.3", g.http + "/voicemail/msg0001.wav", "", 403},

		{"fail/rule2-blacklisted-single", "127.0.0.7", g.https + "/recording/msg0001.wav", "", 403},
		{"fail/rule2-blacklisted-cidr", "127.0.0.40", g.https + "/recording/msg0001.wav", "", 403},
		{"ok/rule2-blacklist-only-others-allowed", "127.0.0.8", g.https + "/recording/msg0001.wav", "", 200},
		{"ok/rule2-blacklist-only-ipv6-allowed", "::1", g.https6 + "/recording/msg0001.wav", "", 200},

		{"ok/rule1-whitelisted", "127.0.0.4", g.https + "/admin/", "", 200},
		{"fail/rule1-whitelisted-and-blacklisted", "127.0.0.5", g.https + "/admin/", "", 403},
		{"fail/rule1-not-whitelisted", "127.0.0.200", g.https + "/admin/", "", 403},
		{"fail/rule1-ipv6-blacklisted", "::1", g.https6 + "/admin/", "", 403},

		{"ok/trusted-proxy-forwards-whitelisted-client", "127.0.0.50", g.https + "/voicemail/msg0001.wav", "X-Forwarded-For: 127.0.0.2", 200},
		{"fail/trusted-proxy-forwards-refused-client", "127.0.0.50", g.https + "/voicemail/msg0001.wav", "X-Forwarded-For: 127.0.0.3", 403},
		{"fail/untrusted-peer-spoofs-forwarded-for", "127.0.0.51", g.https + "/voicemail/msg0001.wav", "X-Forwarded-For: 127.0.0.2", 403},
		{"fail/spoofed-leftmost-entry-ignored", "127.0.0.50", g.https + "/voicemail/msg0001.wav", "X-Forwarded-For: 127.0.0.2, 127.0.0.3", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--interface", tc.src}
			if tc.hdr != "" {
				args = append(args, "-H", tc.hdr)
			}
			code, body := curl(t, append(args, tc.url)...)
			if code != tc.want {
				t.Errorf("from %s: %s → %d, want %d (body %q)", tc.src, tc.url, code, tc.want, body)
			}
			if code == 200 && strings.Contains(tc.url, "msg0001.wav") && body != "RIFF-test-audio" {
				t.Errorf("body = %q, want the file", body)
			}
		})
	}
}

// TestDisabledContextRestrictsNothing: as in iSymphony, enabled: false
// switches every inner restriction off.
func TestDisabledContextRestrictsNothing(t *testing.T) {
	needCurl(t)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.wav"), []byte("audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := start(t, fmt.Sprintf(`
contexts:
  voicemail:
    enabled: false
    ssl: true
    root: %q
    realm_auth: {enabled: true, users: [{username: vm, password: "pw-vm-1"}]}
    ip_access: {enabled: true, whitelist: ["127.0.0.2"], blacklist: ["127.0.0.9"]}
`, root))
	for _, src := range []string{"127.0.0.9", "127.0.0.3"} {
		code, body := curl(t, "--interface", src, g.http+"/voicemail/a.wav")
		if code != 200 || body != "audio" {
			t.Errorf("from %s over plain HTTP without credentials: %d %q, want 200 audio", src, code, body)
		}
	}
}

// TestSSLRequired: an ssl context refuses plain HTTP: 403 for API clients, a
// redirect to the TLS listener for browsers.
func TestSSLRequired(t *testing.T) {
	needCurl(t)
	g := start(t, `
contexts:
  communication_manager: {enabled: true, ssl: true, realm_auth: {enabled: false}}
  administrator: {enabled: true, ssl: true, realm_auth: {enabled: false}}
`)
	if code, _ := curl(t, g.http+"/api/v1/health"); code != 403 {
		t.Errorf("API over plain HTTP = %d, want 403", code)
	}
	if code, _ := curl(t, "-H", "Accept: text/html", g.http+"/api/v1/health"); code != 403 {
		t.Errorf("API over plain HTTP from a browser = %d, want 403 (APIs never redirect)", code)
	}
	if code, _ := curl(t, g.https+"/api/v1/health"); code != 200 {
		t.Errorf("API over TLS = %d, want 200", code)
	}
	resp, _ := get(t, client(), g.http+"/admin/?x=1", "Accept", "text/html,application/xhtml+xml")
	_, httpsPort, _ := strings.Cut(strings.TrimPrefix(g.https, "https://"), ":")
	want := "https://127.0.0.1:" + httpsPort + "/admin/?x=1"
	if resp.StatusCode != 308 || resp.Header.Get("Location") != want {
		t.Errorf("admin over plain HTTP from a browser = %d Location %q, want 308 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if code, _ := curl(t, "-X", "POST", g.http+"/admin/"); code != 403 {
		t.Errorf("POST to admin over plain HTTP = %d, want 403", code)
	}
}
