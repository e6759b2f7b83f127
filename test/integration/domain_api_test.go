package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDomainAPI: the REST contract of /api/v1/domains.
func TestDomainAPI(t *testing.T) {
	g := start(t, "master_domain: pbx.example.com\n")
	now := time.Now()
	good := mergedPEM(t, "t1", []string{"t1.pbx.example.com"}, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	steps := []struct {
		name     string
		method   string
		path     string
		body     map[string]any
		want     int
		contains string
	}{
		{"ok/add", "POST", "/api/v1/domains", map[string]any{"name": "T1.pbx.example.com.", "certificate_pem": good}, 201, `"name":"t1.pbx.example.com"`},
		{"ok/add-child-parent-defaulted", "POST", "/api/v1/domains", map[string]any{"name": "x.t1.pbx.example.com"}, 201, `"parent":"t1.pbx.example.com"`},
		{"fail/duplicate", "POST", "/api/v1/domains", map[string]any{"name": "t1.pbx.example.com"}, 409, "exists"},
		{"fail/bad-name", "POST", "/api/v1/domains", map[string]any{"name": "bad_name"}, 400, `"field":"name"`},
		{"fail/unknown-parent", "POST", "/api/v1/domains", map[string]any{"name": "y.example.org", "parent": "nope.example.org"}, 400, `"field":"parent"`},
		{"fail/unknown-field", "POST", "/api/v1/domains", map[string]any{"name": "z.pbx.example.com", "colour": "red"}, 400, "unknown field"},
		{"fail/garbage-pem", "POST", "/api/v1/domains", map[string]any{"name": "z.pbx.example.com", "certificate_pem": "-----BEGIN CERTIFICATE-----\nnot base64\n"}, 400, `"field":"certificate_pem"`},
		{"fail/key-only-pem", "PATCH", "/api/v1/domains/t1.pbx.example.com", map[string]any{"certificate_pem": good[:strings.Index(good, "-----BEGIN CERTIFICATE")]}, 400, "certificate"},
		{"ok/get", "GET", "/api/v1/domains/t1.pbx.example.com", nil, 200, `"present":true`},
		{"ok/list", "GET", "/api/v1/domains", nil, 200, `"pbx.example.com"`},
		{"fail/stale-revision", "PATCH", "/api/v1/domains/t1.pbx.example.com", map[string]any{"acme_account_email": "ops@example.com", "revision": 1}, 409, "revision"},
		{"ok/patch-remove-cert", "PATCH", "/api/v1/domains/t1.pbx.example.com", map[string]any{"certificate_pem": ""}, 200, `"present":false`},
		{"fail/rename", "PATCH", "/api/v1/domains/t1.pbx.example.com", map[string]any{"name": "t9.pbx.example.com"}, 400, "renaming"},
		{"fail/delete-with-children", "DELETE", "/api/v1/domains/t1.pbx.example.com", nil, 409, "recursive"},
		{"fail/delete-master", "DELETE", "/api/v1/domains/pbx.example.com?recursive=true", nil, 400, `"field":"name"`},
		{"ok/delete-recursive", "DELETE", "/api/v1/domains/t1.pbx.example.com?recursive=true", nil, 200, "x.t1.pbx.example.com"},
		{"fail/get-deleted", "GET", "/api/v1/domains/x.t1.pbx.example.com", nil, 404, "no such domain"},
		{"ok/certificates", "GET", "/api/v1/certificates", nil, 200, `"source":"default"`},
		{"fail/resolve-plain-listener", "GET", "/api/v1/tls/resolve?listener=http&sni=a", nil, 400, "listener"},
		{"ok/resolve-default", "GET", "/api/v1/tls/resolve?listener=https&sni=nothing.example.org", nil, 200, `"source":"default"`},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var body any
			if s.body != nil {
				body = s.body
			}
			code, out := g.apiCall(t, s.method, s.path, body)
			raw := compact(out)
			if code != s.want || !strings.Contains(raw, s.contains) {
				t.Errorf("%s %s = %d %s; want %d containing %s", s.method, s.path, code, raw, s.want, s.contains)
			}
			if strings.Contains(raw, "PRIVATE KEY") {
				t.Errorf("the response carries a private key: %s", raw)
			}
		})
	}
	if code, _ := curl(t, g.https+"/api/v1/domains"); code != http.StatusUnauthorized {
		t.Errorf("domains without credentials: %d, want 401", code)
	}
}
