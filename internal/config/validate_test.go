package config

import (
	"strings"
	"testing"
)

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		name, addr, host, port, err string
	}{
		{"ok/all", ":8443", "", "8443", ""},
		{"ok/all-v4", "0.0.0.0:80", "", "80", ""},
		{"ok/all-v6", "[::]:80", "", "80", ""},
		{"ok/v4", "192.0.2.1:443", "192.0.2.1", "443", ""},
		{"ok/v6", "[2001:DB8::1]:443", "2001:db8::1", "443", ""},
		{"ok/v6-zone", "[fe80::1%eth0]:443", "fe80::1%eth0", "443", ""},
		{"ok/localhost", "localhost:8080", "localhost", "8080", ""},
		{"ok/name", "PBX.example.com:8080", "pbx.example.com", "8080", ""},
		{"ok/port-zero", "127.0.0.1:0", "127.0.0.1", "0", ""},
		{"fail/no-colon", "8443", "", "", "not host:port"},
		{"fail/empty", "", "", "", "not host:port"},
		{"fail/no-port", "192.0.2.1:", "", "", "want a number"},
		{"fail/port-big", ":65536", "", "", "want a number"},
		{"fail/port-negative", ":-1", "", "", "want a number"},
		{"fail/port-leading-zero", ":0443", "", "", "want a number"},
		{"fail/port-plus", ":+443", "", "", "want a number"},
		{"fail/port-name", ":https", "", "", "want a number"},
		{"fail/v6-bare", "::1:443", "", "", "without brackets"},
		{"fail/v6-unclosed", "[::1:443", "", "", "unclosed"},
		{"fail/v4-in-brackets", "[192.0.2.1]:443", "", "", "not an IPv6"},
		{"fail/host-space", "a b:443", "", "", "not an IP address or a host name"},
		{"fail/host-slash", "a/b:443", "", "", "not an IP address or a host name"},
		{"fail/host-dash", "-a:443", "", "", "not an IP address or a host name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port, err := checkAddress(tt.addr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || host != tt.host || port != tt.port {
				t.Errorf("checkAddress(%q) = %q, %q, %v; want %q, %q", tt.addr, host, port, err, tt.host, tt.port)
			}
		})
	}
}

func TestCheckDNSName(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"ok/localhost", "localhost", true},
		{"ok/fqdn", "pbx.example.com", true},
		{"ok/digits-and-dash", "pbx-1.t2.example.com", true},
		{"ok/numeric-inner-label", "1.example.com", true},
		{"ok/63-label", strings.Repeat("a", 63) + ".example.com", true},
		{"fail/empty", "", false},
		{"fail/upper", "PBX.example.com", false},
		{"fail/trailing-dot", "example.com.", false},
		{"fail/empty-label", "pbx..example.com", false},
		{"fail/64-label", strings.Repeat("a", 64) + ".example.com", false},
		{"fail/too-long", strings.Repeat("a.", 127) + "com", false},
		{"fail/leading-dash", "-pbx.example.com", false},
		{"fail/trailing-dash", "pbx-.example.com", false},
		{"fail/underscore", "pbx_1.example.com", false},
		{"fail/ipv4", "192.0.2.1", false},
		{"fail/ipv6", "2001:db8::1", false},
		{"fail/unicode", "pbx.exämple.com", false},
		{"fail/wildcard", "*.example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDNSName(tt.in)
			if (err == nil) != tt.ok {
				t.Errorf("checkDNSName(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			}
		})
	}
}

// TestValidateRules complements the goldens with cases that must pass.
func TestValidateRules(t *testing.T) {
	tests := []struct {
		name, yaml string
	}{
		{"ok/postgresql-scheme", "database: postgresql://pbx@db.example.com/pbx\n"},
		{"ok/postgres-upper-scheme", "database: POSTGRES://pbx@db.example.com/pbx\n"},
		{"ok/scheme-empty-means-any", "contexts: {client: {realm_auth: {scheme: \"\"}}}\n"},
		{"ok/same-port-other-hosts", "listeners:\n  - {name: a, address: \"192.0.2.1:443\", tls: true}\n  - {name: b, address: \"192.0.2.2:443\", tls: true}\n"},
		{"ok/port-zero-twice", "listeners:\n  - {name: a, address: \"127.0.0.1:0\"}\n  - {name: b, address: \"127.0.0.1:0\"}\n"},
		{"ok/same-user-other-contexts", "contexts:\n  client: {realm_auth: {users: [{username: a, password: b}]}}\n  voicemail: {realm_auth: {users: [{username: a, password: b}]}}\n"},
		{"ok/https-upstream", "contexts: {client: {upstream: \"https://[2001:db8::5]:8443/base\"}}\n"},
		{"ok/tls-keystore-no-key-password", "listeners:\n  - {name: a, address: \":1\", tls: true, keystore: {file: /k.p12, store_password: x}}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := mustParse(t, tt.yaml).Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateNeverShowsDatabase(t *testing.T) {
	for _, db := range []string{
		"mysql://u:hunter2@db.example.com/x",
		"postgres://u:hunter2@db.example.com:port/x",
		"host=db password=hunter2",
		"postgres://u:hunter2@db.example.com/x?password=<redacted>",
	} {
		c := Default()
		c.Database = db
		err := c.Validate()
		if err == nil {
			t.Errorf("%q: no error", db)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}
