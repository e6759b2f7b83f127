package main

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// startSides starts every side with a small whitelist.
func startSides(t testing.TB) []side {
	t.Helper()
	sides, closeAll, err := newSides(100, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAll)
	return sides
}

// TestClients checks that each client gets 200s over loopback, so that the
// benchmark measures served requests, and that wrong credentials do not.
func TestClients(t *testing.T) {
	sides := startSides(t)
	byName := map[string]side{}
	for _, s := range sides {
		byName[s.name] = s
	}
	tests := []struct {
		name, side string
		auth       func(i int) authorizer // nil: the side's own
		wantErr    string
	}{
		{name: "ok/bare", side: "bare"},
		{name: "ok/digest", side: "digest"},
		{name: "ok/basic", side: "basic"},
		{name: "fail/digest-wrong-password", side: "digest", wantErr: "still refused",
			auth: func(i int) authorizer { return newDigestAuth(benchUser, "wrong", benchPath, newRand(i)) }},
		{name: "fail/digest-no-credentials", side: "digest", wantErr: "asked for credentials",
			auth: func(int) authorizer { return noAuth{} }},
		{name: "fail/basic-wrong-password", side: "basic", wantErr: "basic credentials refused",
			auth: func(int) authorizer { return newBasicAuth(benchUser, "wrong") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := byName[tt.side]
			if tt.auth != nil {
				s.newAuth = tt.auth
			}
			c, err := newClient(context.Background(), s, 0)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("newClient: got %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("newClient: %v", err)
			}
			defer c.tr.CloseIdleConnections()
			for i := range 20 {
				code, _, err := c.do()
				if err != nil || code != http.StatusOK {
					t.Fatalf("request %d: status %d, err %v", i, code, err)
				}
			}
		})
	}
}

func TestChallengeParams(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
	}{
		{"ok/quoted-and-tokens", `realm="pbx gate", qop="auth", algorithm=SHA-256, nonce="abc", stale=true`,
			map[string]string{"realm": "pbx gate", "qop": "auth", "algorithm": "SHA-256", "nonce": "abc", "stale": "true"}},
		{"ok/escapes-and-commas", `Realm="a\"b,c" ,opaque="x\\y"`,
			map[string]string{"realm": `a"b,c`, "opaque": `x\y`}},
		{"ok/unterminated-quote", `nonce="abc`, map[string]string{"nonce": "abc"}},
		{"ok/empty", ``, map[string]string{}},
		{"ok/no-equals", `garbage`, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := challengeParams(tt.in); !maps.Equal(got, tt.want) {
				t.Fatalf("challengeParams(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// BenchmarkServeHTTP times one request through each side's handler, in
// process (the gated numbers include the client's Digest signing).
//
//	go test -run '^$' -bench . ./bench/middleware
func BenchmarkServeHTTP(b *testing.B) {
	for _, s := range startSides(b) {
		b.Run(s.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, benchPath, nil)
			req.RemoteAddr = "127.0.0.1:40000"
			w := &nullWriter{h: http.Header{}}
			auth := s.newAuth(0)
			if err := primeInProcess(s.handler, req, w, auth); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				auth.authorize(req.Header)
				w.reset()
				s.handler.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}
