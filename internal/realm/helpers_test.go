package realm

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// refH computes the Digest hash of s straight from RFC 7616: the lower-case
// hex of MD5 or SHA-256.
func refH(alg, s string) string {
	if strings.HasPrefix(strings.ToUpper(alg), "SHA-256") {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// refResponse computes a qop=auth response from the RFC 7616 §3.4.1
// formulas, independently of the package code.
func refResponse(alg, user, realm, password, method, uri, nonce, nc, cnonce, qop string) string {
	ha1 := refH(alg, user+":"+realm+":"+password)
	if strings.HasSuffix(strings.ToUpper(alg), "-SESS") {
		ha1 = refH(alg, ha1+":"+nonce+":"+cnonce)
	}
	ha2 := refH(alg, method+":"+uri)
	return refH(alg, strings.Join([]string{ha1, nonce, nc, cnonce, qop, ha2}, ":"))
}

// directive is one name=value of a test Authorization header.
type directive struct {
	name, value string
	quoted      bool
}

// digestAuth is a Digest Authorization header built by the test client;
// cases alter it before sending.
type digestAuth []directive

// set replaces (or appends) a directive.
func (d digestAuth) set(name, value string, quoted bool) digestAuth {
	out := append(digestAuth(nil), d...)
	for i := range out {
		if out[i].name == name {
			out[i] = directive{name, value, quoted}
			return out
		}
	}
	return append(out, directive{name, value, quoted})
}

// without drops a directive.
func (d digestAuth) without(name string) digestAuth {
	var out digestAuth
	for _, x := range d {
		if x.name != name {
			out = append(out, x)
		}
	}
	return out
}

func (d digestAuth) get(name string) string {
	for _, x := range d {
		if x.name == name {
			return x.value
		}
	}
	return ""
}

func (d digestAuth) String() string {
	parts := make([]string, len(d))
	for i, x := range d {
		if x.quoted {
			parts[i] = x.name + `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(x.value) + `"`
		} else {
			parts[i] = x.name + "=" + x.value
		}
	}
	return "Digest " + strings.Join(parts, ", ")
}

// digestClient answers Digest challenges the way RFC 7616 says a user agent
// does.
type digestClient struct {
	User, Password string
	// Realm defaults to the test realm "pbxgate".
	Realm string
	// Alg is sent as algorithm=; "" sends no algorithm (MD5).
	Alg string
	// CNonce defaults to a fixed value.
	CNonce string
}

// auth answers for method and uri with the nonce, opaque and nonce count.
func (c digestClient) auth(method, uri, nonce, opaque string, nc uint32) digestAuth {
	realm := c.Realm
	if realm == "" {
		realm = "pbxgate"
	}
	cnonce := c.CNonce
	if cnonce == "" {
		cnonce = "0a4f113b"
	}
	ncs := fmt.Sprintf("%08x", nc)
	d := digestAuth{
		{"username", c.User, true},
		{"realm", realm, true},
		{"nonce", nonce, true},
		{"uri", uri, true},
	}
	if c.Alg != "" {
		d = append(d, directive{"algorithm", c.Alg, false})
	}
	d = append(d,
		directive{"qop", "auth", false},
		directive{"nc", ncs, false},
		directive{"cnonce", cnonce, true},
		directive{"response", refResponse(c.Alg, c.User, realm, c.Password, method, uri, nonce, ncs, cnonce, "auth"), true},
	)
	if opaque != "" {
		d = append(d, directive{"opaque", opaque, true})
	}
	return d
}

var (
	nonceRE  = regexp.MustCompile(`nonce="([^"]+)"`)
	opaqueRE = regexp.MustCompile(`opaque="([^"]+)"`)
)

// challenge asks a for a 401 and returns its nonce and opaque.
func challenge(t *testing.T, a *Authenticator) (nonce, opaque string) {
	t.Helper()
	rec := httptest.NewRecorder()
	a.Challenge(rec, false)
	hs := rec.Result().Header.Values("WWW-Authenticate")
	if len(hs) == 0 || !strings.HasPrefix(hs[0], "Digest ") {
		t.Fatalf("no Digest challenge in %q", hs)
	}
	m, o := nonceRE.FindStringSubmatch(hs[0]), opaqueRE.FindStringSubmatch(hs[0])
	if m == nil || o == nil {
		t.Fatalf("challenge %q lacks nonce or opaque", hs[0])
	}
	return m[1], o[1]
}

// request returns a request for target carrying authorization (if any).
func request(method, target, authorization string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return r
}

func basicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// mustNew builds an Authenticator or fails the test.
func mustNew(t *testing.T, cfg Config) *Authenticator {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// fastBcrypt hashes at the minimum cost, to keep tests quick.
func fastBcrypt(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// fastArgon2id hashes with tiny parameters, to keep tests quick.
func fastArgon2id(password string) string {
	p := argon2Params{memory: 64, time: 1, threads: 1, salt: []byte("saltsaltsaltsalt"), key: make([]byte, 32)}
	p.key = p.derive([]byte(password))
	return p.String()
}

// checkResult compares the parts of a Result the tests care about.
func checkResult(t *testing.T, got Result, wantFail Failure, wantUser, wantScheme string) {
	t.Helper()
	if got.OK != (wantFail == "") || got.Fail != wantFail || got.User != wantUser || got.Scheme != wantScheme {
		t.Errorf("got %+v, want fail %q user %q scheme %q", got, wantFail, wantUser, wantScheme)
	}
}
