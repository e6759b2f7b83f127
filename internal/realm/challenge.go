package realm

import (
	"io"
	"net/http"
)

// ChallengeHeaders returns the WWW-Authenticate values for a 401 answer, in
// order: Digest with SHA-256, Digest with MD5 (sharing one new nonce), then
// Basic, each only if the configuration offers it. stale adds stale=true to
// the Digest challenges. It fails only if the nonce source does.
func (a *Authenticator) ChallengeHeaders(stale bool) ([]string, error) {
	var out []string
	if a.offerSHA256 || a.offerMD5 {
		nonce, err := a.nonces.Issue()
		if err != nil {
			return nil, err
		}
		opaque, err := a.nonces.Opaque()
		if err != nil {
			return nil, err
		}
		suffix := ""
		if stale {
			suffix = ", stale=true"
		}
		for _, alg := range []Algorithm{SHA256, MD5} {
			if (alg == SHA256 && a.offerSHA256) || (alg == MD5 && a.offerMD5) {
				out = append(out, "Digest realm="+quote(a.realm)+`, qop="auth", algorithm=`+string(alg)+
					", nonce="+quote(nonce)+", opaque="+quote(opaque)+suffix)
			}
		}
	}
	if a.offerBasic {
		out = append(out, "Basic realm="+quote(a.realm)+`, charset="UTF-8"`)
	}
	return out, nil
}

// Challenge answers 401 Unauthorized with the challenges of
// [Authenticator.ChallengeHeaders] and a short plain-text body. If no nonce
// can be made it answers 500 instead.
func (a *Authenticator) Challenge(w http.ResponseWriter, stale bool) {
	challenges, err := a.ChallengeHeaders(stale)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	for _, c := range challenges {
		h.Add("WWW-Authenticate", c)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, "401 unauthorized\n") // the client may be gone
}
