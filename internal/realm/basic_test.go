package realm

import (
	"context"
	"encoding/base64"
	"strconv"
	"testing"
	"time"
)

func newBasicFixture(t *testing.T, scheme Scheme) (*Authenticator, *clock) {
	t.Helper()
	c := newClock()
	a := mustNew(t, Config{
		Scheme: scheme,
		Users: []User{
			{Username: "alice", Password: "wonderland"},
			{Username: "bob", Password: HA1(MD5, "bob", "pbxgate", "builder")},
			{Username: "carol", Password: HA1(SHA256, "carol", "pbxgate", "secret")},
			{Username: "dave", Password: fastBcrypt(t, "bcrypt:pw")},
			{Username: "erin", Password: fastArgon2id("argon pw")},
			{Username: "jörg", Password: "grüße"},
		},
		Now: c.Now,
	})
	return a, c
}

func TestBasic(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		wantFail Failure
		wantUser string
	}{
		{"ok/plaintext", basicAuth("alice", "wonderland"), "", "alice"},
		{"ok/ha1-md5", basicAuth("bob", "builder"), "", "bob"},
		{"ok/ha1-sha256", basicAuth("carol", "secret"), "", "carol"},
		{"ok/bcrypt-password-with-colon", basicAuth("dave", "bcrypt:pw"), "", "dave"},
		{"ok/argon2id", basicAuth("erin", "argon pw"), "", "erin"},
		{"ok/utf8", basicAuth("jörg", "grüße"), "", "jörg"},
		{"ok/scheme-case-insensitive", "bAsIc " + base64.StdEncoding.EncodeToString([]byte("alice:wonderland")), "", "alice"},
		{"ok/extra-spaces", "Basic   " + base64.StdEncoding.EncodeToString([]byte("alice:wonderland")) + " ", "", "alice"},

		{"fail/plaintext-wrong", basicAuth("alice", "wonderlan"), FailBadPassword, "alice"},
		{"fail/plaintext-longer", basicAuth("alice", "wonderland!"), FailBadPassword, "alice"},
		{"fail/ha1-md5-wrong", basicAuth("bob", "Builder"), FailBadPassword, "bob"},
		{"fail/ha1-sha256-wrong", basicAuth("carol", "secret "), FailBadPassword, "carol"},
		{"fail/bcrypt-wrong", basicAuth("dave", "bcrypt:pW"), FailBadPassword, "dave"},
		{"fail/argon2id-wrong", basicAuth("erin", "argon-pw"), FailBadPassword, "erin"},
		{"fail/unknown-user", basicAuth("mallory", "wonderland"), FailUnknownUser, "mallory"},
		{"fail/empty-user", basicAuth("", "wonderland"), FailUnknownUser, ""},
		{"fail/empty-password", basicAuth("alice", ""), FailBadPassword, "alice"},
		{"fail/not-base64", "Basic !!!", FailMalformed, ""},
		{"fail/no-colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice")), FailMalformed, ""},
		{"fail/unpadded", "Basic " + base64.RawStdEncoding.EncodeToString([]byte("alice:wonderland")), FailMalformed, ""},
		{"fail/control-in-username", basicAuth("al\nice", "x"), FailMalformed, ""},
		{"fail/invalid-utf8-username", basicAuth("al\xffice", "x"), FailMalformed, ""},
		{"fail/empty-token", "Basic", FailMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := newBasicFixture(t, SchemeAny)
			wantScheme := "basic"
			checkResult(t, a.Authenticate(request("GET", "/x", tt.header)), tt.wantFail, tt.wantUser, wantScheme)
		})
	}
}

// TestAuthorizationHeader covers what is decided before any scheme.
func TestAuthorizationHeader(t *testing.T) {
	a, _ := newBasicFixture(t, SchemeAny)
	tests := []struct {
		name       string
		headers    []string
		wantFail   Failure
		wantScheme string
	}{
		{"fail/missing", nil, FailMissing, ""},
		{"fail/empty", []string{""}, FailMalformed, ""},
		{"fail/two-headers", []string{basicAuth("alice", "wonderland"), basicAuth("alice", "wonderland")}, FailMalformed, ""},
		{"fail/bearer", []string{"Bearer abc"}, FailSchemeNotAllowed, ""},
		{"fail/too-long", []string{"Basic " + string(make([]byte, 5000))}, FailMalformed, ""},
		{"fail/digest-empty", []string{"Digest"}, FailMalformed, "digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request("GET", "/x", "")
			for _, h := range tt.headers {
				r.Header.Add("Authorization", h)
			}
			checkResult(t, a.Authenticate(r), tt.wantFail, "", tt.wantScheme)
		})
	}
}

func TestBasicSchemes(t *testing.T) {
	tests := []struct {
		name     string
		scheme   Scheme
		wantFail Failure
	}{
		{"fail/digest-scheme-refuses-basic", SchemeDigest, FailSchemeNotAllowed},
		{"ok/basic-scheme", SchemeBasic, ""},
		{"ok/any-scheme", SchemeAny, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustNew(t, Config{Scheme: tt.scheme, Users: []User{{"alice", "wonderland"}}})
			checkResult(t, a.Authenticate(request("GET", "/x", basicAuth("alice", "wonderland"))), tt.wantFail, "alice", "basic")
		})
	}
}

// TestBasicCache counts the slow checks: successes are cached until the
// TTL, failures never, and unknown users cost a check too.
func TestBasicCache(t *testing.T) {
	tests := []struct {
		name  string
		user  string
		right string
	}{
		{"bcrypt", "dave", "bcrypt:pw"},
		{"argon2id", "erin", "argon pw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, c := newBasicFixture(t, SchemeAny)
			steps := []struct {
				name     string
				password string
				advance  time.Duration
				wantFail Failure
				checks   int64
			}{
				{"first-success-checks", tt.right, 0, "", 1},
				{"second-success-cached", tt.right, 0, "", 1},
				{"third-success-cached", tt.right, cacheTTL - time.Second, "", 1},
				{"failure-checks", "wrong", 0, FailBadPassword, 2},
				{"failure-not-cached", "wrong", 0, FailBadPassword, 3},
				{"still-cached", tt.right, 0, "", 3},
				{"expired-checks-again", tt.right, time.Second, "", 4},
				{"cached-again", tt.right, 0, "", 4},
			}
			for _, s := range steps {
				c.Advance(s.advance)
				got := a.Authenticate(request("GET", "/x", basicAuth(tt.user, s.password)))
				if got.Fail != s.wantFail || got.OK != (s.wantFail == "") {
					t.Errorf("%s: got %+v, want %q", s.name, got, s.wantFail)
				}
				if n := a.slowChecks.Load(); n != s.checks {
					t.Errorf("%s: %d slow checks, want %d", s.name, n, s.checks)
				}
			}
		})
	}
}

// TestBasicUnknownUserDoesTheWork checks that an unknown user costs a slow
// check like the table's costliest user, every time.
func TestBasicUnknownUserDoesTheWork(t *testing.T) {
	a, _ := newBasicFixture(t, SchemeAny)
	for i := range 2 {
		checkResult(t, a.Authenticate(request("GET", "/x", basicAuth("mallory", "argon pw"))), FailUnknownUser, "mallory", "basic")
		if n := a.slowChecks.Load(); n != int64(i+1) {
			t.Errorf("attempt %d: %d slow checks, want %d", i+1, n, i+1)
		}
	}
	if a.dummyBasic.form != formArgon2id || a.dummyBasic.argon.memory != 64 {
		t.Errorf("dummy form %v, want argon2id with the table's parameters", a.dummyBasic.form)
	}
	if a.cache.len() != 0 {
		t.Errorf("cache holds %d entries after failures", a.cache.len())
	}
}

// TestDummyBcrypt checks that the unknown-user bcrypt hash is well formed,
// so that checking it costs a full bcrypt run.
func TestDummyBcrypt(t *testing.T) {
	for _, cost := range []int{4, 10, 12} {
		d := dummyBcrypt(cost)
		if _, err := checkBcrypt(d); err != nil {
			t.Errorf("cost %d: %v", cost, err)
		}
	}
	a := mustNew(t, Config{Users: []User{{"dave", fastBcrypt(t, "pw")}}})
	if a.dummyBasic.form != formBcrypt || a.dummyBasic.bcryptCost != 4 {
		t.Fatalf("dummy %+v, want bcrypt cost 4", a.dummyBasic)
	}
	checkResult(t, a.Authenticate(request("GET", "/x", basicAuth("x", "pw"))), FailUnknownUser, "x", "basic")
	if n := a.slowChecks.Load(); n != 1 {
		t.Errorf("%d slow checks, want 1", n)
	}
}

// TestBasicCanceled checks that a request that ends while every slow-check
// slot is busy gives up.
func TestBasicCanceled(t *testing.T) {
	a, _ := newBasicFixture(t, SchemeAny)
	for range cap(a.slots) {
		a.slots <- struct{}{}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := request("GET", "/x", basicAuth("dave", "bcrypt:pw")).WithContext(ctx)
	checkResult(t, a.Authenticate(r), FailCanceled, "dave", "basic")
	// Cheap forms need no slot.
	r = request("GET", "/x", basicAuth("alice", "wonderland")).WithContext(ctx)
	checkResult(t, a.Authenticate(r), "", "alice", "basic")
}

// TestBasicCacheBound fills the cache past its size.
func TestBasicCacheBound(t *testing.T) {
	c := newClock()
	vc := newVerifyCache([]byte("k"), c.Now)
	u := &user{name: "u", stored: "s"}
	pw := func(i int) []byte { return []byte(strconv.Itoa(i)) }
	for i := range cacheMax + 10 {
		vc.add(vc.key(u, pw(i)))
	}
	if n := vc.len(); n != cacheMax {
		t.Errorf("cache holds %d, want %d", n, cacheMax)
	}
	if vc.hit(vc.key(u, pw(0))) {
		t.Error("oldest entry survived")
	}
	if !vc.hit(vc.key(u, pw(cacheMax+9))) {
		t.Error("newest entry lost")
	}
	if vc.hit(vc.key(&user{name: "u", stored: "other"}, pw(cacheMax+9))) {
		t.Error("entry hit for another stored hash")
	}
}
