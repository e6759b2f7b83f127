package integration

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestRealmAuthWithCurl(t *testing.T) {
	needCurl(t)
	g := start(t, "")
	url := g.https + "/api/v1/health"
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"fail/no-credentials", nil, 401},
		{"ok/basic", []string{"--basic", "-u", "admin:" + g.pw}, 200},
		{"fail/basic-wrong-password", []string{"--basic", "-u", "admin:wrong"}, 401},
		{"fail/basic-unknown-user", []string{"--basic", "-u", "mallory:" + g.pw}, 401},
		{"ok/digest", []string{"--digest", "-u", "admin:" + g.pw}, 200},
		{"fail/digest-wrong-password", []string{"--digest", "-u", "admin:wrong"}, 401},
		{"ok/anyauth", []string{"--anyauth", "-u", "admin:" + g.pw}, 200},
		{"ok/digest-plain-listener", []string{"--digest", "-u", "admin:" + g.pw, g.http + "/api/v1/health"}, 200},
		{"fail/basic-refused-over-plain-http", []string{"--basic", "-u", "admin:" + g.pw, g.http + "/api/v1/health"}, 401},
		{"ok/anyauth-plain-picks-digest", []string{"--anyauth", "-u", "admin:" + g.pw, g.http + "/api/v1/health"}, 200},
		{"ok/digest-ipv6", []string{"--digest", "-u", "admin:" + g.pw, g.https6 + "/api/v1/health"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if len(args) == 0 || !strings.HasPrefix(args[len(args)-1], "http") {
				args = append(args, url)
			}
			code, body := curl(t, args...)
			if code != tc.want {
				t.Errorf("%d, want %d (body %q)", code, tc.want, body)
			}
			if code == 200 && !strings.Contains(body, `"status": "ok"`) {
				t.Errorf("body %q is not the health document", body)
			}
		})
	}
}

// TestRealmAuthHashedPasswords: bcrypt for Basic, HA1 forms for Digest.
func TestRealmAuthHashedPasswords(t *testing.T) {
	needCurl(t)
	// HA1 = H(user:realm:password) with realm "pbxgate".
	ha1md5 := fmt.Sprintf("%x", md5.Sum([]byte("carol:pbxgate:carol-pw")))
	ha1sha := fmt.Sprintf("%x", sha256.Sum256([]byte("dave:pbxgate:dave-pw")))
	bc, err := bcrypt.GenerateFromPassword([]byte("bob-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	g := start(t, fmt.Sprintf(`
contexts:
  communication_manager:
    realm_auth:
      enabled: true
      scheme: any
      users:
        - {username: bob, password: %q}
        - {username: carol, password: "{HA1-MD5}%s"}
        - {username: dave, password: "{HA1-SHA256}%s"}
`, bc, ha1md5, ha1sha))
	url := g.https + "/api/v1/health"
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"ok/bcrypt-basic", []string{"--basic", "-u", "bob:bob-pw"}, 200},
		{"fail/bcrypt-basic-wrong", []string{"--basic", "-u", "bob:bob-px"}, 401},
		{"fail/bcrypt-cannot-digest", []string{"--digest", "-u", "bob:bob-pw"}, 401},
		{"ok/ha1-md5-basic", []string{"--basic", "-u", "carol:carol-pw"}, 200},
		{"ok/ha1-sha256-basic", []string{"--basic", "-u", "dave:dave-pw"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := curl(t, append(tc.args, url)...); code != tc.want {
				t.Errorf("%d, want %d (body %q)", code, tc.want, body)
			}
		})
	}
	// Digest per algorithm by hand: curl answers the first challenge it
	// supports (SHA-256 here), and each HA1 form fits one algorithm only.
	c := client()
	d := newDigest(t, c, url)
	if resp := d.do(t, c, "carol", "carol-pw", "MD5", 1); resp.StatusCode != 200 {
		t.Errorf("MD5 digest for an {HA1-MD5} user = %d, want 200", resp.StatusCode)
	}
	if resp := d.do(t, c, "carol", "carol-px", "MD5", 2); resp.StatusCode != 401 {
		t.Errorf("MD5 digest with a wrong password = %d, want 401", resp.StatusCode)
	}
	if resp := d.do(t, c, "carol", "carol-pw", "SHA-256", 3); resp.StatusCode != 401 {
		t.Errorf("SHA-256 digest for an {HA1-MD5} user = %d, want 401", resp.StatusCode)
	}
	if resp := d.do(t, c, "dave", "dave-pw", "SHA-256", 4); resp.StatusCode != 200 {
		t.Errorf("SHA-256 digest for an {HA1-SHA256} user = %d, want 200", resp.StatusCode)
	}
	if resp := d.do(t, c, "dave", "dave-pw", "MD5", 5); resp.StatusCode != 401 {
		t.Errorf("MD5 digest for an {HA1-SHA256} user = %d, want 401", resp.StatusCode)
	}
}

// TestDigestReplay: a nonce count used once is refused the second time,
// and a lower one too; a higher one passes.
func TestDigestReplay(t *testing.T) {
	g := start(t, "")
	c := client()
	url := g.https + "/api/v1/health"
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			d := newDigest(t, c, url)
			steps := []struct {
				name string
				nc   int
				want int
			}{
				{"ok/first", 1, 200},
				{"fail/replay-same-nc", 1, 401},
				{"ok/next-nc", 2, 200},
				{"ok/skip-ahead", 7, 200},
				{"fail/lower-nc", 5, 401},
				{"fail/replay-again", 7, 401},
			}
			for _, s := range steps {
				resp := d.do(t, c, "admin", g.pw, alg, s.nc)
				if resp.StatusCode != s.want {
					t.Errorf("%s: nc=%d → %d, want %d", s.name, s.nc, resp.StatusCode, s.want)
				}
			}
		})
	}
	if code, _ := curl(t, g.https+"/metrics", "--digest", "-u", "admin:"+g.pw); code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	_, body := curl(t, "--digest", "-u", "admin:"+g.pw, g.https+"/metrics")
	if !strings.Contains(body, `pbxgate_security_events_total{context="communication_manager",kind="digest_replay"} 6`) {
		t.Errorf("metrics do not count the 6 replays (3 per algorithm):\n%s", grepLines(body, "pbxgate_security_events_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// digest is a hand-made RFC 7616 client holding one server nonce.
type digest struct {
	url, uri, realm, nonce, opaque string
}

func newDigest(t *testing.T, c *http.Client, url string) *digest {
	t.Helper()
	resp, _ := get(t, c, url)
	if resp.StatusCode != 401 {
		t.Fatalf("unauthenticated GET = %d, want 401", resp.StatusCode)
	}
	for _, h := range resp.Header.Values("WWW-Authenticate") {
		if !strings.HasPrefix(h, "Digest ") {
			continue
		}
		p := params(h[len("Digest "):])
		d := &digest{url: url, realm: p["realm"], nonce: p["nonce"], opaque: p["opaque"]}
		d.uri = url[strings.Index(url[len("https://"):], "/")+len("https://"):]
		return d
	}
	t.Fatalf("no Digest challenge in %q", resp.Header.Values("WWW-Authenticate"))
	return nil
}

func (d *digest) do(t *testing.T, c *http.Client, user, pw, alg string, nc int) *http.Response {
	t.Helper()
	resp, _ := d.doBody(t, c, user, pw, alg, nc)
	return resp
}

// doBody sends one request with a Digest response for nonce count nc.
func (d *digest) doBody(t *testing.T, c *http.Client, user, pw, alg string, nc int) (*http.Response, string) {
	t.Helper()
	return get(t, c, d.url, "Authorization", d.header(t, user, pw, alg, nc))
}

// header computes the Authorization header of a GET of d's URI.
func (d *digest) header(t *testing.T, user, pw, alg string, nc int) string {
	t.Helper()
	h := md5.New
	if alg == "SHA-256" {
		h = func() hash.Hash { return sha256.New() }
	}
	hx := func(s string) string {
		x := h()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	cn := make([]byte, 8)
	_, _ = rand.Read(cn)
	cnonce := hex.EncodeToString(cn)
	ncs := fmt.Sprintf("%08x", nc)
	ha1 := hx(user + ":" + d.realm + ":" + pw)
	ha2 := hx("GET:" + d.uri)
	response := hx(strings.Join([]string{ha1, d.nonce, ncs, cnonce, "auth", ha2}, ":"))
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=%s, response="%s", qop=auth, nc=%s, cnonce="%s", opaque="%s"`,
		user, d.realm, d.nonce, d.uri, alg, response, ncs, cnonce, d.opaque)
}

// params parses the auth-params of a challenge (test inputs only).
func params(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		s = strings.TrimLeft(s, " ,")
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			break
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			v, s = rest[1:end+1], rest[end+2:]
		} else {
			v, s, _ = strings.Cut(rest, ",")
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// TestPlainHTTPOffersNoBasic: over plain HTTP a scheme-any context offers
// only Digest; over TLS it offers Basic too.
func TestPlainHTTPOffersNoBasic(t *testing.T) {
	g := start(t, "")
	c := client()
	for _, tc := range []struct {
		name, url string
		basic     bool
	}{
		{"ok/tls-offers-basic", g.https + "/api/v1/health", true},
		{"ok/plain-offers-digest-only", g.http + "/api/v1/health", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := get(t, c, tc.url)
			var basic, digest bool
			for _, h := range resp.Header.Values("WWW-Authenticate") {
				basic = basic || strings.HasPrefix(h, "Basic ")
				digest = digest || strings.HasPrefix(h, "Digest ")
			}
			if resp.StatusCode != 401 || !digest || basic != tc.basic {
				t.Errorf("%d, challenges %q: want 401 with Digest, Basic offered = %v", resp.StatusCode, resp.Header.Values("WWW-Authenticate"), tc.basic)
			}
		})
	}
}
