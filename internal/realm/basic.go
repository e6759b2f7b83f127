package realm

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// parseBasic decodes the credentials of a Basic header (the part after
// "Basic "): base64 of user:password, the user free of ':' (RFC 7617).
func parseBasic(token string) (username string, password []byte, detail string) {
	token = strings.Trim(token, " \t")
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return "", nil, "basic credentials are not base64"
	}
	name, pw, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", nil, "basic credentials lack ':'"
	}
	if err := checkClaimedUsername(name); err != nil {
		return "", nil, err.Error()
	}
	return name, []byte(pw), ""
}

// basic authenticates a Basic request.
func (a *Authenticator) basic(r *http.Request, token string) Result {
	res := Result{Scheme: "basic"}
	name, password, detail := parseBasic(token)
	if detail != "" {
		return res.fail(FailMalformed, detail)
	}
	res.User = name
	if !a.offerBasic {
		return res.fail(FailSchemeNotAllowed, "basic is not offered")
	}
	u, known := a.user(name)
	if !known {
		u = a.dummyBasic
	}
	ok, err := a.checkPassword(r.Context(), u, password, known)
	switch {
	case err != nil:
		return res.fail(FailCanceled, "request ended before the password check")
	case !known:
		return res.fail(FailUnknownUser, "")
	case !ok:
		return res.fail(FailBadPassword, "")
	}
	res.OK = true
	return res
}

// checkPassword reports whether password is u's. Successful bcrypt and
// argon2id checks of known users are cached; the slow checks wait for a
// slot, and fail with ctx's error if it ends first.
func (a *Authenticator) checkPassword(ctx context.Context, u *user, password []byte, cacheable bool) (bool, error) {
	switch u.form {
	case formPlain:
		sum := sha256.Sum256(password)
		return subtle.ConstantTimeCompare(sum[:], u.plainSum[:]) == 1, nil
	case formHA1:
		got := ha1Hex(u.ha1Alg, u.name, a.realm, string(password))
		return subtle.ConstantTimeCompare([]byte(got), []byte(u.ha1For(u.ha1Alg))) == 1, nil
	}
	key := a.cache.key(u, password)
	if cacheable && a.cache.hit(key) {
		return true, nil
	}
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	a.slowChecks.Add(1)
	var ok bool
	if u.form == formBcrypt {
		ok = bcrypt.CompareHashAndPassword([]byte(u.stored), password) == nil
	} else {
		ok = u.argon.verify(password)
	}
	<-a.slots
	if ok && cacheable {
		a.cache.add(key)
	}
	return ok, nil
}
