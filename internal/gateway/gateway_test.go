package gateway

import (
	"net/http"
	"net/http/httptest"
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
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
