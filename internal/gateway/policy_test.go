package gateway

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/pbxgate/pbxgate/internal/access"
)

func mustRules(t *testing.T, white, black []string) *access.Rules {
	t.Helper()
	r, err := access.Compile(white, black)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPolicyDecide(t *testing.T) {
	ip := netip.MustParseAddr
	wl := mustRules(t, []string{"192.0.2.0/24", "2001:db8::/32"}, []string{"192.0.2.66"})
	empty := mustRules(t, nil, nil)
	tests := []struct {
		name   string
		policy Policy
		req    Request
		want   Action
		reason string
	}{
		{"ok/disabled-ignores-everything", Policy{Enabled: false, SSL: true, Auth: true, IP: wl},
			Request{ClientIP: ip("198.51.100.1")}, Serve, "context-disabled"},
		{"ok/enabled-nothing-on", Policy{Enabled: true}, Request{ClientIP: ip("198.51.100.1")}, Serve, "ip-access-off"},
		{"ok/ip-empty-lists", Policy{Enabled: true, IP: empty}, Request{ClientIP: ip("198.51.100.1")}, Serve, "no-rules"},
		{"ok/whitelisted", Policy{Enabled: true, IP: wl}, Request{ClientIP: ip("192.0.2.1")}, Serve, "whitelisted"},
		{"ok/whitelisted-v6", Policy{Enabled: true, IP: wl}, Request{ClientIP: ip("2001:db8::5")}, Serve, "whitelisted"},
		{"ok/whitelisted-mapped", Policy{Enabled: true, IP: wl}, Request{ClientIP: ip("::ffff:192.0.2.1")}, Serve, "whitelisted"},
		{"fail/blacklist-wins", Policy{Enabled: true, IP: wl}, Request{ClientIP: ip("192.0.2.66")}, RefuseIP, "blacklisted"},
		{"fail/not-whitelisted", Policy{Enabled: true, IP: wl}, Request{ClientIP: ip("198.51.100.1")}, RefuseIP, "not-whitelisted"},
		{"fail/invalid-address", Policy{Enabled: true, IP: wl}, Request{}, RefuseIP, "invalid-address"},
		{"fail/ip-before-ssl", Policy{Enabled: true, SSL: true, IP: wl}, Request{ClientIP: ip("198.51.100.1"), Browser: true}, RefuseIP, "not-whitelisted"},
		{"fail/plain-api", Policy{Enabled: true, SSL: true, API: true}, Request{ClientIP: ip("192.0.2.1"), Browser: true}, RefusePlain, "ssl-required"},
		{"fail/plain-non-browser", Policy{Enabled: true, SSL: true}, Request{ClientIP: ip("192.0.2.1")}, RefusePlain, "ssl-required"},
		{"ok/plain-browser-redirect", Policy{Enabled: true, SSL: true}, Request{ClientIP: ip("192.0.2.1"), Browser: true}, RedirectTLS, "ssl-required"},
		{"ok/tls-passes-ssl", Policy{Enabled: true, SSL: true}, Request{ClientIP: ip("192.0.2.1"), TLS: true}, Serve, "ip-access-off"},
		{"ok/ssl-before-auth", Policy{Enabled: true, SSL: true, Auth: true}, Request{ClientIP: ip("192.0.2.1")}, RefusePlain, "ssl-required"},
		{"ok/auth-over-tls", Policy{Enabled: true, SSL: true, Auth: true}, Request{ClientIP: ip("192.0.2.1"), TLS: true}, Authenticate, "realm-auth"},
		{"ok/auth-plain-allowed", Policy{Enabled: true, Auth: true}, Request{ClientIP: ip("192.0.2.1")}, Authenticate, "realm-auth"},
		{"ok/auth-after-ip", Policy{Enabled: true, Auth: true, IP: wl}, Request{ClientIP: ip("192.0.2.1")}, Authenticate, "realm-auth"},
		{"fail/ip-before-auth", Policy{Enabled: true, Auth: true, IP: wl}, Request{ClientIP: ip("192.0.2.66")}, RefuseIP, "blacklisted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.policy.Decide(tc.req)
			if got.Action != tc.want || got.Reason != tc.reason {
				t.Errorf("Decide = %v/%s, want %v/%s", got.Action, got.Reason, tc.want, tc.reason)
			}
		})
	}
}

// TestPolicyExhaustive checks every combination of the switches against the
// order the checks must run in: enabled, IP, SSL, auth.
func TestPolicyExhaustive(t *testing.T) {
	refuse := mustRules(t, nil, []string{"0.0.0.0/0", "::/0"})
	allow := mustRules(t, nil, nil)
	for mask := range 1 << 7 {
		bit := func(i int) bool { return mask&(1<<i) != 0 }
		p := Policy{Enabled: bit(0), SSL: bit(1), Auth: bit(2), API: bit(3)}
		if bit(4) {
			p.IP = refuse
		} else {
			p.IP = allow
		}
		r := Request{ClientIP: netip.MustParseAddr("203.0.113.9"), TLS: bit(5), Browser: bit(6)}
		want := Serve
		switch {
		case !p.Enabled:
		case bit(4):
			want = RefuseIP
		case p.SSL && !r.TLS && r.Browser && !p.API:
			want = RedirectTLS
		case p.SSL && !r.TLS:
			want = RefusePlain
		case p.Auth:
			want = Authenticate
		}
		t.Run(fmt.Sprintf("mask-%07b", mask), func(t *testing.T) {
			if got := p.Decide(r); got.Action != want {
				t.Errorf("%+v %+v: %v, want %v", p, r, got.Action, want)
			}
		})
	}
}
