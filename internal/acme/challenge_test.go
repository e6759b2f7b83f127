package acme_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/store"
)

// tokenStore opens a real SQLite store in a temporary directory and
// returns its acme namespace with the lock, as the daemon wires it.
func tokenStore(t testing.TB) store.Namespace {
	t.Helper()
	db, err := store.Open(context.Background(), "", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db.Namespace("acme")
}

type lockless struct{ store.Namespace }

func (lockless) TryLock(context.Context, string, time.Duration) (func(), bool, error) {
	panic("the responder takes no lock")
}

// putToken stores an HTTP-01 token as the client does.
func putToken(t testing.TB, ns store.Namespace, tok, keyAuth, domain string, expires time.Time) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"key_authorization": keyAuth, "domain": domain, "expires": expires})
	if err != nil {
		t.Fatal(err)
	}
	if err := ns.Put(context.Background(), "http01/"+tok, b); err != nil {
		t.Fatal(err)
	}
}

func TestResponder(t *testing.T) {
	ns := tokenStore(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const tok = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
	putToken(t, ns, tok, tok+".thumb", "a.pbx.test", now.Add(time.Minute))
	putToken(t, ns, "expired", "expired.thumb", "a.pbx.test", now.Add(-time.Second))
	putToken(t, ns, "broken", "", "a.pbx.test", now.Add(time.Minute))
	if err := ns.Put(context.Background(), "http01/garbage", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	rs := &acme.Responder{Store: lockless{ns}, Now: func() time.Time { return now }}
	tests := []struct {
		name   string
		method string
		host   string
		path   string
		code   int
		body   string
	}{
		{"ok/get", "GET", "a.pbx.test", "/.well-known/acme-challenge/" + tok, 200, tok + ".thumb"},
		{"ok/host-with-port", "GET", "a.pbx.test:8080", "/.well-known/acme-challenge/" + tok, 200, tok + ".thumb"},
		{"ok/host-case-and-dot", "GET", "A.PBX.TEST.", "/.well-known/acme-challenge/" + tok, 200, tok + ".thumb"},
		{"ok/head", "HEAD", "a.pbx.test", "/.well-known/acme-challenge/" + tok, 200, ""},
		{"fail/other-host", "GET", "b.pbx.test", "/.well-known/acme-challenge/" + tok, 404, ""},
		{"fail/ip-host", "GET", "127.0.0.1", "/.well-known/acme-challenge/" + tok, 404, ""},
		{"fail/unknown-token", "GET", "a.pbx.test", "/.well-known/acme-challenge/unknown", 404, ""},
		{"fail/expired", "GET", "a.pbx.test", "/.well-known/acme-challenge/expired", 404, ""},
		{"fail/garbage-record", "GET", "a.pbx.test", "/.well-known/acme-challenge/garbage", 404, ""},
		{"fail/empty-token", "GET", "a.pbx.test", "/.well-known/acme-challenge/", 404, ""},
		{"fail/traversal", "GET", "a.pbx.test", "/.well-known/acme-challenge/../" + tok, 404, ""},
		{"fail/slash-in-token", "GET", "a.pbx.test", "/.well-known/acme-challenge/a/" + tok, 404, ""},
		{"fail/post", "POST", "a.pbx.test", "/.well-known/acme-challenge/" + tok, 405, ""},
		{"fail/other-path", "GET", "a.pbx.test", "/" + tok, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://x"+tc.path, nil)
			req.URL.Path = tc.path // keep dot segments as a raw client sends them
			req.Host = tc.host
			rec := httptest.NewRecorder()
			rs.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("%s %s (Host %s) = %d, want %d", tc.method, tc.path, tc.host, rec.Code, tc.code)
			}
			if tc.code == 200 && tc.method == "GET" && rec.Body.String() != tc.body {
				t.Errorf("body = %q, want %q", rec.Body.String(), tc.body)
			}
			if tc.code != 200 && rec.Body.Len() > 0 && rec.Body.String() == tok+".thumb" {
				t.Error("a refused request got the key authorization")
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("no Cache-Control: no-store")
			}
		})
	}
}

// FuzzResponder: whatever the path, host and method, the responder answers
// the key authorization only for the token and host it was stored for.
func FuzzResponder(f *testing.F) {
	const tok = "tok_1"
	for _, s := range [][3]string{
		{"GET", "a.pbx.test", "/.well-known/acme-challenge/tok_1"},
		{"GET", "a.pbx.test:80", "/.well-known/acme-challenge/tok_1/"},
		{"HEAD", "[::1]:80", "/.well-known/acme-challenge/%2e%2e"},
		{"GET", "", "/.well-known/acme-challenge/tok\x00"},
		{"GET", "a.pbx.test", "/.well-known/acme-challenge/" + string(make([]byte, 300))},
	} {
		f.Add(s[0], s[1], s[2])
	}
	ns := tokenStore(f)
	now := time.Now()
	putToken(f, ns, tok, "secret.thumb", "a.pbx.test", now.Add(time.Hour))
	rs := &acme.Responder{Store: lockless{ns}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, method, host, path string) {
		req, err := http.NewRequest(method, "http://x/", nil)
		if err != nil {
			return
		}
		req.URL.Path, req.Host = path, host
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, req)
		if rec.Code == 200 && method == "GET" {
			if path != "/.well-known/acme-challenge/"+tok {
				t.Fatalf("answered %q for path %q", rec.Body.String(), path)
			}
			if rec.Body.String() != "secret.thumb" {
				t.Fatalf("body %q", rec.Body.String())
			}
		}
	})
}
