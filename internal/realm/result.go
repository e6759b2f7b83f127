package realm

import "github.com/pbxgate/pbxgate/internal/event"

// Failure says why a request did not authenticate. The values are stable:
// they appear in logs and metrics.
type Failure string

// The failures. [Failure.Event] says which of them are security events.
const (
	// FailMissing: the request carried no Authorization header.
	FailMissing Failure = "missing"
	// FailMalformed: the Authorization header could not be parsed, or asks
	// for something pbxgate refuses (qop other than auth, no qop at all,
	// userhash, an unknown algorithm, another realm, several headers).
	FailMalformed Failure = "malformed"
	// FailUnknownUser: no such user.
	FailUnknownUser Failure = "unknown_user"
	// FailBadPassword: the user exists but the password or the Digest
	// response is wrong.
	FailBadPassword Failure = "bad_password"
	// FailSchemeNotAllowed: the scheme (or Digest algorithm) is not offered,
	// or the user's password form cannot be checked by it (a bcrypt user
	// answering Digest, an {HA1-MD5} user answering with SHA-256).
	FailSchemeNotAllowed Failure = "scheme_not_allowed"
	// FailStale: a correct Digest response to a nonce that has expired. The
	// caller challenges again with stale=true, and the client retries
	// without asking its user.
	FailStale Failure = "stale"
	// FailReplay: a correct Digest response whose nonce count is not
	// greater than one already accepted for that nonce.
	FailReplay Failure = "replay"
	// FailUnknownNonce: a Digest response to a nonce this server did not
	// issue, or has forgotten.
	FailUnknownNonce Failure = "unknown_nonce"
	// FailURIMismatch: the Digest uri directive is not the request target.
	FailURIMismatch Failure = "uri_mismatch"
	// FailCanceled: the request ended while waiting to check a bcrypt or
	// argon2id password (their checks run a few at a time).
	FailCanceled Failure = "canceled"
)

// Result is the outcome of [Authenticator.Authenticate].
type Result struct {
	// OK reports a successful authentication.
	OK bool
	// User is the username the client claimed, also on failure; "" when
	// none could be read.
	User string
	// Scheme is "basic" or "digest", "" when the request named neither.
	Scheme string
	// Fail is "" when OK, else why not.
	Fail Failure
	// Detail explains a failure for the log, in a few words. It never
	// contains a secret.
	Detail string
}

// fail returns r failed with f.
func (r Result) fail(f Failure, detail string) Result {
	r.OK = false
	r.Fail = f
	r.Detail = detail
	return r
}

// Event returns the kind of security event f is worth, and false for the
// failures that are part of normal operation: no credentials yet, an
// expired or forgotten nonce (a client that waited, a server that
// restarted; no password is checked against an unknown nonce, so it cannot
// be used to guess), a request that ended first.
func (f Failure) Event() (event.Kind, bool) {
	switch f {
	case "", FailMissing, FailStale, FailUnknownNonce, FailCanceled:
		return "", false
	case FailReplay:
		return event.DigestReplay, true
	}
	return event.AuthFailure, true
}
