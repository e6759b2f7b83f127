package gateway

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/pbxgate/pbxgate/internal/config"
)

type countCloser struct{ n atomic.Int32 }

func (c *countCloser) Close() error { c.n.Add(1); return nil }

func open(t *testing.T, api http.Handler) *Snapshot {
	t.Helper()
	cfg := config.Default()
	cfg.Contexts.CommunicationManager.RealmAuth.Enabled = false
	cfg.Contexts.Administrator.RealmAuth.Enabled = false
	s, err := Build(cfg, Services{API: api})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRetireWaitsForRequests: a retired snapshot closes its services only
// after the last request that uses it is done.
func TestRetireWaitsForRequests(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.WriteHeader(http.StatusNoContent)
	})
	old := open(t, slow)
	closer := &countCloser{}
	old.closers = append(old.closers, closer)
	g := New(nil, nil)
	g.Swap(old)

	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/slow", nil)
		req.RemoteAddr = "192.0.2.1:1234"
		g.ServeHTTP(rec, req)
		done <- rec.Code
	}()
	<-entered
	g.Swap(open(t, http.NotFoundHandler()))
	if n := closer.n.Load(); n != 0 {
		t.Fatalf("old snapshot closed with a request in flight (%d)", n)
	}
	close(release)
	if code := <-done; code != http.StatusNoContent {
		t.Errorf("in-flight request finished with %d on the old snapshot, want 204", code)
	}
	if n := closer.n.Load(); n != 1 {
		t.Errorf("old snapshot closed %d times after its last request, want 1", n)
	}
	// New requests see the new snapshot.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/slow", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	g.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("after swap: %d, want 404 from the new snapshot", rec.Code)
	}
	g.Close()
}

func TestRouting(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	g := New(nil, nil)
	cfg := config.Default()
	for _, c := range []*config.Context{&cfg.Contexts.CommunicationManager, &cfg.Contexts.Administrator} {
		c.RealmAuth.Users = []config.User{{Username: "admin", Password: "{HA1-MD5}0123456789abcdef0123456789abcdef"}}
	}
	s, err := Build(cfg, Services{API: ok, Metrics: ok, Admin: ok})
	if err != nil {
		t.Fatal(err)
	}
	g.Swap(s)
	defer g.Close()
	tests := []struct {
		name, path, accept string
		want               int
		location           string
	}{
		{"ok/root-browser-to-admin", "/", "text/html", http.StatusFound, "/admin/"},
		{"fail/root-api-client", "/", "", http.StatusNotFound, ""},
		{"ok/admin-needs-auth", "/admin/", "", http.StatusUnauthorized, ""},
		{"ok/api-needs-auth", "/api/v1/health", "", http.StatusUnauthorized, ""},
		{"ok/metrics-in-api-context", "/metrics", "", http.StatusUnauthorized, ""},
		{"ok/bare-admin-redirects", "/admin", "", http.StatusPermanentRedirect, "/admin/"},
		{"fail/unconfigured-voicemail", "/voicemail/x.wav", "", http.StatusNotFound, ""},
		{"fail/unconfigured-client", "/client/", "", http.StatusNotFound, ""},
		{"fail/provisioning-not-served-yet", "/provision/y000000000000.cfg", "", http.StatusNotFound, ""},
		{"fail/unknown", "/etc/passwd", "", http.StatusNotFound, ""},
		{"fail/dot-dot-to-other-context", "/api/../voicemail/x.wav", "", http.StatusBadRequest, ""},
		{"fail/dot-segment", "/admin/./", "", http.StatusBadRequest, ""},
		{"fail/double-slash", "//api/v1/health", "", http.StatusBadRequest, ""},
		{"fail/empty-segment", "/api//v1/health", "", http.StatusBadRequest, ""},
		{"fail/encoded-slash", "/api%2f..%2fvoicemail/x", "", http.StatusBadRequest, ""},
		{"fail/encoded-dot", "/api/%2e%2e/admin/", "", http.StatusBadRequest, ""},
		{"fail/backslash", "/api/..\\voicemail/", "", http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if err := setRawPath(req, tc.path); err != nil {
				t.Fatal(err)
			}
			req.RemoteAddr = "192.0.2.1:1234"
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, req)
			if rec.Code != tc.want || rec.Header().Get("Location") != tc.location {
				t.Errorf("%s → %d %q, want %d %q", tc.path, rec.Code, rec.Header().Get("Location"), tc.want, tc.location)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff header")
			}
		})
	}
}

// setRawPath sets the request target as a server would parse it from the
// request line, keeping encodings and dot segments.
func setRawPath(r *http.Request, target string) error {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return err
	}
	r.URL, r.RequestURI = u, target
	return nil
}

func TestHTTPSRedirectHost(t *testing.T) {
	cfg := config.Default()
	cfg.MasterDomain = "pbx.example.com"
	cfg.Contexts.Administrator.SSL = true
	cfg.Contexts.CommunicationManager.RealmAuth.Enabled = false
	cfg.Contexts.Administrator.RealmAuth.Enabled = false
	s, err := Build(cfg, Services{HTTPSPort: "8443", Admin: http.NotFoundHandler()})
	if err != nil {
		t.Fatal(err)
	}
	g := New(nil, nil)
	g.Swap(s)
	defer g.Close()
	tests := []struct {
		name, host string
		want       int
		location   string
	}{
		{"ok/name", "pbx.example.com:8080", http.StatusPermanentRedirect, "https://pbx.example.com:8443/admin/?a=1"},
		{"ok/ipv4", "192.0.2.7:8080", http.StatusPermanentRedirect, "https://192.0.2.7:8443/admin/?a=1"},
		{"ok/ipv6", "[2001:db8::1]:8080", http.StatusPermanentRedirect, "https://[2001:db8::1]:8443/admin/?a=1"},
		{"ok/no-host-uses-master", "", http.StatusPermanentRedirect, "https://pbx.example.com:8443/admin/?a=1"},
		{"fail/garbage-host", "evil.example.com\\x", http.StatusBadRequest, ""},
		{"fail/underscore-host", "a_b.example.com", http.StatusBadRequest, ""},
		{"fail/zone", "[fe80::1%25eth0]:80", http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/admin/?a=1", nil)
			req.Host = tc.host
			req.RemoteAddr = "192.0.2.1:1234"
			req.Header.Set("Accept", "text/html")
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, req)
			if rec.Code != tc.want || rec.Header().Get("Location") != tc.location {
				t.Errorf("Host %q → %d %q, want %d %q", tc.host, rec.Code, rec.Header().Get("Location"), tc.want, tc.location)
			}
			if tc.want == http.StatusPermanentRedirect && rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("redirect is cacheable")
			}
		})
	}
}
