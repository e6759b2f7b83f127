package realm

import (
	"sync"
	"testing"
)

// TestLookup covers users that come from Config.Lookup rather than
// Config.Users: they answer Basic and both Digest algorithms, a user
// removed from the source stops authenticating at once, and configured
// users are still found first.
func TestLookup(t *testing.T) {
	var mu sync.Mutex
	source := map[string]string{"dev-001565a1b2c3": "phone-pw"}
	lookup := func(name string) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		pw, ok := source[name]
		return pw, ok
	}
	a := mustNew(t, Config{Lookup: lookup, Users: []User{{Username: "static", Password: "static-pw"}}})
	nonce, opaque := challenge(t, a)
	cases := []struct {
		name     string
		auth     string
		wantFail Failure
		wantUser string
		scheme   string
	}{
		{"ok/basic", basicAuth("dev-001565a1b2c3", "phone-pw"), "", "dev-001565a1b2c3", "basic"},
		{"ok/static-user", basicAuth("static", "static-pw"), "", "static", "basic"},
		{"ok/digest-md5", digestClient{User: "dev-001565a1b2c3", Password: "phone-pw", Alg: "MD5"}.auth("GET", "/provision/a.cfg", nonce, opaque, 1).String(), "", "dev-001565a1b2c3", "digest"},
		{"ok/digest-sha256", digestClient{User: "dev-001565a1b2c3", Password: "phone-pw", Alg: "SHA-256"}.auth("GET", "/provision/a.cfg", nonce, opaque, 2).String(), "", "dev-001565a1b2c3", "digest"},
		{"fail/basic-wrong-password", basicAuth("dev-001565a1b2c3", "nope"), FailBadPassword, "dev-001565a1b2c3", "basic"},
		{"fail/basic-unknown", basicAuth("dev-ffffffffffff", "phone-pw"), FailUnknownUser, "dev-ffffffffffff", "basic"},
		{"fail/digest-wrong-password", digestClient{User: "dev-001565a1b2c3", Password: "nope", Alg: "MD5"}.auth("GET", "/provision/a.cfg", nonce, opaque, 3).String(), FailBadPassword, "dev-001565a1b2c3", "digest"},
		{"fail/digest-unknown", digestClient{User: "dev-ffffffffffff", Password: "x", Alg: "SHA-256"}.auth("GET", "/provision/a.cfg", nonce, opaque, 4).String(), FailUnknownUser, "dev-ffffffffffff", "digest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := a.Authenticate(request("GET", "/provision/a.cfg", tc.auth))
			checkResult(t, res, tc.wantFail, tc.wantUser, tc.scheme)
		})
	}
	t.Run("fail/removed-from-source", func(t *testing.T) {
		mu.Lock()
		delete(source, "dev-001565a1b2c3")
		mu.Unlock()
		res := a.Authenticate(request("GET", "/provision/a.cfg", basicAuth("dev-001565a1b2c3", "phone-pw")))
		checkResult(t, res, FailUnknownUser, "dev-001565a1b2c3", "basic")
	})
	t.Run("ok/no-static-users", func(t *testing.T) {
		if _, err := New(Config{Lookup: lookup}); err != nil {
			t.Fatalf("New with Lookup only: %v", err)
		}
	})
}
