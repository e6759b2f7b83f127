package realm

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestChallenge(t *testing.T) {
	md5User := User{"bob", HA1(MD5, "bob", "pbxgate", "x")}
	shaUser := User{"carol", HA1(SHA256, "carol", "pbxgate", "x")}
	plain := User{"alice", "x"}
	tests := []struct {
		name   string
		scheme Scheme
		realm  string
		users  []User
		stale  bool
		// want are the challenges with nonce and opaque blanked.
		want       []string
		wantNonces int
	}{
		{
			name: "ok/any-plaintext", scheme: SchemeAny, users: []User{plain},
			want: []string{
				`Digest realm="pbxgate", qop="auth", algorithm=SHA-256, nonce="N", opaque="O"`,
				`Digest realm="pbxgate", qop="auth", algorithm=MD5, nonce="N", opaque="O"`,
				`Basic realm="pbxgate", charset="UTF-8"`,
			},
			wantNonces: 1,
		},
		{
			name: "ok/stale", scheme: SchemeAny, users: []User{plain}, stale: true,
			want: []string{
				`Digest realm="pbxgate", qop="auth", algorithm=SHA-256, nonce="N", opaque="O", stale=true`,
				`Digest realm="pbxgate", qop="auth", algorithm=MD5, nonce="N", opaque="O", stale=true`,
				`Basic realm="pbxgate", charset="UTF-8"`,
			},
			wantNonces: 1,
		},
		{
			name: "ok/digest-md5-only", scheme: SchemeDigest, users: []User{md5User},
			want:       []string{`Digest realm="pbxgate", qop="auth", algorithm=MD5, nonce="N", opaque="O"`},
			wantNonces: 1,
		},
		{
			name: "ok/digest-both-ha1", scheme: SchemeDigest, users: []User{md5User, shaUser},
			want: []string{
				`Digest realm="pbxgate", qop="auth", algorithm=SHA-256, nonce="N", opaque="O"`,
				`Digest realm="pbxgate", qop="auth", algorithm=MD5, nonce="N", opaque="O"`,
			},
			wantNonces: 1,
		},
		{
			name: "ok/any-sha256-only", scheme: SchemeAny, users: []User{shaUser}, realm: "PBX ünïcode",
			want: []string{
				`Digest realm="PBX ünïcode", qop="auth", algorithm=SHA-256, nonce="N", opaque="O"`,
				`Basic realm="PBX ünïcode", charset="UTF-8"`,
			},
			wantNonces: 1,
		},
		{
			name: "ok/basic", scheme: SchemeBasic, users: []User{plain, md5User},
			want: []string{`Basic realm="pbxgate", charset="UTF-8"`},
		},
		{
			name: "ok/any-bcrypt-only", scheme: SchemeAny, users: []User{{"dave", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}},
			want: []string{`Basic realm="pbxgate", charset="UTF-8"`},
		},
	}
	blank := regexp.MustCompile(`(nonce|opaque)="[A-Za-z0-9_-]{24}"`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nonces := NewNonces(NonceOptions{})
			a := mustNew(t, Config{Scheme: tt.scheme, Realm: tt.realm, Users: tt.users, Nonces: nonces})
			rec := httptest.NewRecorder()
			a.Challenge(rec, tt.stale)
			res := rec.Result()
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", res.StatusCode)
			}
			if rec.Body.String() != "401 unauthorized\n" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("body %q type %q", rec.Body.String(), res.Header.Get("Content-Type"))
			}
			var got []string
			for _, h := range res.Header.Values("WWW-Authenticate") {
				got = append(got, blank.ReplaceAllStringFunc(h, func(s string) string { return s[:strings.IndexByte(s, '=')] + `="` + strings.ToUpper(s[:1]) + `"` }))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("challenges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if n := nonces.Len(); n != tt.wantNonces {
				t.Errorf("%d nonces issued, want %d", n, tt.wantNonces)
			}
			// Every Digest challenge carries the same nonce.
			ns := map[string]bool{}
			for _, h := range res.Header.Values("WWW-Authenticate") {
				if m := nonceRE.FindStringSubmatch(h); m != nil {
					ns[m[1]] = true
				}
			}
			if len(ns) > 1 {
				t.Errorf("%d different nonces in one answer", len(ns))
			}
		})
	}
}
