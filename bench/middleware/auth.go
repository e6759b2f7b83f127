package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// authorizer is the client side of one scheme, for one client. It is not
// safe for concurrent use.
type authorizer interface {
	// authorize sets the credentials of the next request in h.
	authorize(h http.Header)
	// challenged takes the challenge of a 401 answer. It reports whether
	// the server said the nonce was stale, and fails if the client cannot
	// answer the challenge.
	challenged(h http.Header) (stale bool, err error)
}

// noAuth is the bare side: no credentials.
type noAuth struct{}

func (noAuth) authorize(http.Header) {}

func (noAuth) challenged(http.Header) (bool, error) {
	return false, errors.New("bare server asked for credentials")
}

// basicAuth sends the same Basic credentials every time.
type basicAuth struct{ value string }

func newBasicAuth(user, password string) *basicAuth {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, password)
	return &basicAuth{value: r.Header.Get("Authorization")}
}

func (a *basicAuth) authorize(h http.Header) { h["Authorization"] = []string{a.value} }

func (a *basicAuth) challenged(http.Header) (bool, error) {
	return false, errors.New("basic credentials refused")
}

// digestAuth answers Digest SHA-256 challenges with qop=auth (RFC 7616):
// an incrementing nonce count and a fresh cnonce on every request.
type digestAuth struct {
	user, password, uri string
	rng                 *rand.Rand

	realm, nonce, opaque string
	ha1, ha2             string
	nc                   uint32
}

func newDigestAuth(user, password, uri string, rng *rand.Rand) *digestAuth {
	return &digestAuth{user: user, password: password, uri: uri, rng: rng,
		ha2: sha256Hex("GET:" + uri)}
}

// authorize sends nothing until a challenge gave a nonce.
func (a *digestAuth) authorize(h http.Header) {
	if a.nonce == "" {
		delete(h, "Authorization")
		return
	}
	a.nc++
	nc := fmt.Sprintf("%08x", a.nc)
	cnonce := strconv.FormatUint(a.rng.Uint64(), 16)
	resp := sha256Hex(a.ha1 + ":" + a.nonce + ":" + nc + ":" + cnonce + ":auth:" + a.ha2)
	h["Authorization"] = []string{`Digest username="` + a.user + `", realm="` + a.realm +
		`", nonce="` + a.nonce + `", uri="` + a.uri + `", algorithm=SHA-256, qop=auth, nc=` + nc +
		`, cnonce="` + cnonce + `", response="` + resp + `", opaque="` + a.opaque + `"`}
}

// challenged takes the nonce of the Digest SHA-256 challenge.
func (a *digestAuth) challenged(h http.Header) (bool, error) {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme, rest, _ := strings.Cut(v, " ")
		if !strings.EqualFold(scheme, "Digest") {
			continue
		}
		p := challengeParams(rest)
		if !strings.EqualFold(p["algorithm"], "SHA-256") {
			continue
		}
		if p["nonce"] == "" || !strings.Contains(p["qop"], "auth") {
			return false, fmt.Errorf("unusable challenge %q", v)
		}
		if p["realm"] != a.realm {
			a.realm = p["realm"]
			a.ha1 = sha256Hex(a.user + ":" + a.realm + ":" + a.password)
		}
		a.nonce, a.opaque, a.nc = p["nonce"], p["opaque"], 0
		return strings.EqualFold(p["stale"], "true"), nil
	}
	return false, errors.New("no Digest SHA-256 challenge")
}

// challengeParams parses the auth-params of a challenge: name=token or
// name="quoted string", separated by commas. Directive names are lowered.
func challengeParams(s string) map[string]string {
	p := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t,")
		name, rest, ok := strings.Cut(s, "=")
		if !ok {
			return p
		}
		name = strings.ToLower(strings.TrimSpace(name))
		rest = strings.TrimLeft(rest, " \t")
		var val strings.Builder
		if strings.HasPrefix(rest, `"`) {
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				val.WriteByte(rest[i])
			}
			s = rest[min(i+1, len(rest)):]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val.WriteString(strings.TrimSpace(rest[:end]))
			s = rest[end:]
		}
		p[name] = val.String()
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
