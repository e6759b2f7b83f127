package realm

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// curlServer serves 200 to authenticated requests and a challenge to the
// others, recording every Result and the Digest algorithm of successes.
type curlServer struct {
	a *Authenticator

	mu      sync.Mutex
	results []Result
	algs    []string
}

func (s *curlServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res := s.a.Authenticate(r)
	s.mu.Lock()
	s.results = append(s.results, res)
	if res.OK && res.Scheme == "digest" {
		c, _ := ParseDigest(strings.TrimPrefix(r.Header.Get("Authorization"), "Digest "))
		s.algs = append(s.algs, c.Algorithm)
	}
	s.mu.Unlock()
	if !res.OK {
		s.a.Challenge(w, res.Fail == FailStale)
		return
	}
	fmt.Fprintf(w, "hello %s", res.User)
}

// TestCurl runs the real curl against an Authenticator on 127.0.0.1.
//
// Offered Digest with SHA-256 and then MD5, curl 7.88 answers the first
// challenge it reads, SHA-256, and ignores the second ("Ignoring duplicate
// digest auth header"). With --anyauth it prefers Digest to Basic.
func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	ha1MD5 := HA1(MD5, "bob", "pbxgate", "builder")
	tests := []struct {
		name     string
		scheme   Scheme
		users    []User
		args     []string
		path     string
		wantCode string
		wantAlg  string
		// wantFails are the Result failures in order ("" for success).
		wantFails []Failure
	}{
		{
			name: "ok/digest-picks-sha256", scheme: SchemeAny, users: []User{{"alice", "wonderland"}},
			args: []string{"--digest", "-u", "alice:wonderland"}, path: "/api/calls?from=1&to=2",
			wantCode: "200", wantAlg: "SHA-256", wantFails: []Failure{FailMissing, ""},
		},
		{
			name: "ok/digest-md5-only", scheme: SchemeDigest, users: []User{{"bob", ha1MD5}},
			args: []string{"--digest", "-u", "bob:builder"}, path: "/voicemail/msg0001.wav",
			wantCode: "200", wantAlg: "MD5", wantFails: []Failure{FailMissing, ""},
		},
		{
			name: "ok/digest-utf8-user", scheme: SchemeDigest, users: []User{{"jörg", "grüße"}},
			args: []string{"--digest", "-u", "jörg:grüße"}, path: "/",
			wantCode: "200", wantAlg: "SHA-256", wantFails: []Failure{FailMissing, ""},
		},
		{
			name: "fail/digest-wrong-password", scheme: SchemeAny, users: []User{{"alice", "wonderland"}},
			args: []string{"--digest", "-u", "alice:wonderlan"}, path: "/",
			wantCode: "401", wantFails: []Failure{FailMissing, FailBadPassword},
		},
		{
			name: "fail/digest-to-basic-only", scheme: SchemeBasic, users: []User{{"alice", "wonderland"}},
			args: []string{"--digest", "-u", "alice:wonderland"}, path: "/",
			wantCode: "401", wantFails: []Failure{FailMissing},
		},
		{
			name: "ok/basic-bcrypt", scheme: SchemeAny, users: []User{{"dave", fastBcrypt(t, "pw:with:colons")}},
			args: []string{"--basic", "-u", "dave:pw:with:colons"}, path: "/",
			wantCode: "200", wantFails: []Failure{""},
		},
		{
			name: "ok/basic-argon2id", scheme: SchemeBasic, users: []User{{"erin", fastArgon2id("argon")}},
			args: []string{"--basic", "-u", "erin:argon"}, path: "/",
			wantCode: "200", wantFails: []Failure{""},
		},
		{
			name: "fail/basic-wrong-password", scheme: SchemeAny, users: []User{{"alice", "wonderland"}},
			args: []string{"--basic", "-u", "alice:x"}, path: "/",
			wantCode: "401", wantFails: []Failure{FailBadPassword},
		},
		{
			name: "fail/basic-to-digest-only", scheme: SchemeDigest, users: []User{{"alice", "wonderland"}},
			args: []string{"--basic", "-u", "alice:wonderland"}, path: "/",
			wantCode: "401", wantFails: []Failure{FailSchemeNotAllowed},
		},
		{
			name: "ok/anyauth-prefers-digest", scheme: SchemeAny, users: []User{{"alice", "wonderland"}},
			args: []string{"--anyauth", "-u", "alice:wonderland"}, path: "/",
			wantCode: "200", wantAlg: "SHA-256", wantFails: []Failure{FailMissing, ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &curlServer{a: mustNew(t, Config{Scheme: tt.scheme, Users: tt.users})}
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			args := append([]string{"-q", "-s", "-S", "--noproxy", "*", "-o", os.DevNull, "-w", "%{http_code}"}, tt.args...)
			cmd := exec.CommandContext(t.Context(), curl, append(args, ts.URL+tt.path)...)
			cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("curl: %v (%s)", err, out)
			}
			if string(out) != tt.wantCode {
				t.Errorf("status %s, want %s", out, tt.wantCode)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			var fails []Failure
			for _, r := range srv.results {
				fails = append(fails, r.Fail)
			}
			if fmt.Sprint(fails) != fmt.Sprint(tt.wantFails) {
				t.Errorf("results %+v, want failures %q", srv.results, tt.wantFails)
			}
			if tt.wantAlg != "" && (len(srv.algs) != 1 || srv.algs[0] != tt.wantAlg) {
				t.Errorf("curl answered with algorithms %q, want %s", srv.algs, tt.wantAlg)
			}
		})
	}
}
