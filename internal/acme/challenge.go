package acme

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// ChallengePath is where HTTP-01 challenges are asked for (RFC 8555 §8.3).
const ChallengePath = "/.well-known/acme-challenge/"

// token is an HTTP-01 challenge as the store keeps it (key
// "http01/<token>").
type token struct {
	KeyAuth string    `json:"key_authorization"`
	Domain  string    `json:"domain"`
	Expires time.Time `json:"expires"`
}

// validToken accepts what RFC 8555 §8.3 allows a token to be: base64url
// characters, with a bound on the length so that junk never reaches the
// store.
func validToken(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// Responder answers HTTP-01 challenges at ChallengePath from the tokens in
// the store, whichever node wrote them. It answers a token only for the
// host name it was issued for, and 404 to anything else.
type Responder struct {
	Store Store
	Log   *slog.Logger
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

func (rs *Responder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, ChallengePath)
	if !ok || !validToken(name) {
		http.NotFound(w, r)
		return
	}
	b, ver, err := rs.Store.Get(r.Context(), tokenKey(name))
	if err == nil && ver == 0 {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		if rs.Log != nil {
			rs.Log.Error("acme challenge: cannot read the token", "err", err)
		}
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var t token
	now := time.Now
	if rs.Now != nil {
		now = rs.Now
	}
	if err := json.Unmarshal(b, &t); err != nil || !now().Before(t.Expires) || !strings.EqualFold(hostOnly(r.Host), t.Domain) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write([]byte(t.KeyAuth))
}

// hostOnly drops the port of a Host header.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.TrimSuffix(h, ".")
}
