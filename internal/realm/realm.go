// Package realm authenticates HTTP requests against the realm users of a
// security context: Basic (RFC 7617) and Digest (RFC 7616, MD5 and SHA-256,
// qop=auth).
//
// An [Authenticator] is built from a [Config] by [New], which validates every
// user at once and returns [ConfigErrors]. [Authenticator.Authenticate]
// decides about one request and returns a [Result]; it emits nothing: the
// caller turns failures into events. [Authenticator.Challenge] answers 401
// with the challenges the configuration allows.
//
// # Password forms
//
// A configured password is one of:
//   - plaintext: accepted for both schemes, reported by
//     [Authenticator.Warnings];
//   - bcrypt ($2a$, $2b$, $2y$) or argon2id ($argon2id$v=19$m=…,t=…,p=…$salt$hash):
//     Basic only; successful checks are cached for a few minutes under an
//     HMAC of user and password with a per-process key, and at most
//     GOMAXPROCS of them run at once;
//   - {HA1-MD5}hex or {HA1-SHA256}hex, H(user:realm:password): Digest with
//     that algorithm, and Basic (the HA1 is computed from the password sent).
//
// A password that starts like another known hash ({SSHA}, $6$, $argon2i$) is
// refused rather than taken for plaintext.
//
// # Digest
//
// Challenges offer SHA-256 first, then MD5, each only if some user can answer
// it. Nonces are random, issued by a [Nonces] table that remembers when and
// the highest nonce count accepted; the table outlives reloads. A response
// must use qop=auth; RFC 2069 responses (no qop), qop=auth-int and
// userhash=true are refused as malformed. The MD5-sess and SHA-256-sess
// variants are accepted but not offered. A nonce count is recorded only once
// the response verified, so a forged request cannot use up a client's count.
//
// For an unknown user the same hashing is done against a dummy secret, so
// that the answer time does not tell known users from unknown ones; for
// Basic the dummy has the form and cost of the most expensive configured
// password. A table mixing cheap and expensive forms still lets timing tell
// them apart.
package realm

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Scheme is the authentication scheme a context accepts.
type Scheme string

// The schemes.
const (
	SchemeBasic  Scheme = "basic"
	SchemeDigest Scheme = "digest"
	SchemeAny    Scheme = "any"
)

// DefaultRealm is the realm when Config.Realm is empty.
const DefaultRealm = "pbxgate"

// User is one configured realm user.
type User struct {
	Username string
	// Password is plaintext, bcrypt, argon2id, {HA1-MD5}hex or
	// {HA1-SHA256}hex (see the package documentation).
	Password string
}

// Config configures an [Authenticator].
type Config struct {
	// Realm is the name in the challenges; HA1 forms depend on it. Default
	// [DefaultRealm].
	Realm string
	// Scheme is basic, digest or any. Default any.
	Scheme Scheme
	// Users are the accepted users; at least one unless Lookup is set.
	Users []User
	// Lookup, when set, is asked for the plaintext password of a user not
	// in Users, on every request: the source of users that change without
	// a rebuild (the provisioning server's devices). It must be fast and
	// safe for concurrent use. Both Digest algorithms and Basic are
	// offered, as plaintext can answer them all.
	Lookup func(username string) (password string, ok bool)
	// Nonces is the Digest nonce table. Pass the same table to every
	// Authenticator built for a context, so that reloads do not forget the
	// nonces clients hold. Nil: a private table with the default options,
	// Now and Rand.
	Nonces *Nonces
	// Now is the clock of the verification cache. Default time.Now.
	Now func() time.Time
	// Rand seeds the verification cache key and the dummy secrets of
	// unknown users. Default crypto/rand.
	Rand io.Reader
}

// Authenticator checks requests against one context's users. It is safe for
// concurrent use.
type Authenticator struct {
	realm    string
	scheme   Scheme
	users    map[string]*user
	lookup   func(string) (string, bool)
	warnings []string
	nonces   *Nonces

	offerBasic, offerMD5, offerSHA256 bool

	// dummyBasic stands in for unknown users in Basic; dummyMD5 and
	// dummySHA256 are the HA1 of unknown users in Digest.
	dummyBasic            *user
	dummyMD5, dummySHA256 string

	cache *verifyCache
	// slots bounds the bcrypt and argon2id checks running at once.
	slots chan struct{}
	// slowChecks counts bcrypt and argon2id checks and digestChecks Digest
	// response computations (tests read them).
	slowChecks, digestChecks atomic.Int64
}

// New validates cfg and builds its Authenticator. Configuration problems are
// returned together as [ConfigErrors].
func New(cfg Config) (*Authenticator, error) {
	a := &Authenticator{realm: cfg.Realm, scheme: cfg.Scheme, nonces: cfg.Nonces, users: map[string]*user{}, lookup: cfg.Lookup}
	if a.realm == "" {
		a.realm = DefaultRealm
	}
	if a.scheme == "" {
		a.scheme = SchemeAny
	}
	now, rnd := cfg.Now, cfg.Rand
	if now == nil {
		now = time.Now
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	var errs ConfigErrors
	switch {
	case !utf8.ValidString(a.realm):
		errs.add(-1, "realm", "not valid UTF-8")
	case strings.ContainsFunc(a.realm, func(r rune) bool { return r == '"' || r == '\\' || unicode.IsControl(r) }):
		errs.add(-1, "realm", "%q contains a quote, a backslash or a control character", a.realm)
	}
	switch a.scheme {
	case SchemeBasic, SchemeDigest, SchemeAny:
	default:
		errs.add(-1, "scheme", "%q is not basic, digest or any", string(a.scheme))
	}
	if len(cfg.Users) == 0 && cfg.Lookup == nil {
		errs.add(-1, "users", "at least one user is required")
	}
	first := map[string]bool{}
	for i, cu := range cfg.Users {
		u := parseUser(i, cu.Username, cu.Password, a.realm, a.scheme, &errs)
		if cu.Username != "" && first[cu.Username] {
			errs.add(i, "username", "%q appears twice", cu.Username)
			continue
		}
		first[cu.Username] = true
		if u == nil {
			continue
		}
		a.users[u.name] = u
		if u.form == formPlain {
			a.warnings = append(a.warnings, fmt.Sprintf("users[%d] (%q): plaintext password; store a hash (pbxgate passwd)", i, u.name))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	a.offerBasic = a.scheme != SchemeDigest
	if a.scheme != SchemeBasic {
		for _, u := range a.users {
			a.offerMD5 = a.offerMD5 || u.ha1MD5 != ""
			a.offerSHA256 = a.offerSHA256 || u.ha1SHA256 != ""
		}
		if a.lookup != nil {
			a.offerMD5, a.offerSHA256 = true, true
		}
	}
	if err := a.makeDummies(rnd); err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := io.ReadFull(rnd, secret); err != nil {
		return nil, fmt.Errorf("realm cache key: %w", err)
	}
	a.cache = newVerifyCache(secret, now)
	a.slots = make(chan struct{}, runtime.GOMAXPROCS(0))
	if a.nonces == nil {
		a.nonces = NewNonces(NonceOptions{Now: cfg.Now, Rand: cfg.Rand})
	}
	return a, nil
}

// makeDummies prepares the secrets checked for unknown users: random HA1s
// for Digest, and for Basic a password of the most expensive configured
// form with the same cost parameters.
func (a *Authenticator) makeDummies(rnd io.Reader) error {
	buf := make([]byte, 16+32+32+16+64)
	if _, err := io.ReadFull(rnd, buf); err != nil {
		return fmt.Errorf("realm dummy secrets: %w", err)
	}
	a.dummyMD5 = hex.EncodeToString(buf[:16])
	a.dummySHA256 = hex.EncodeToString(buf[16:48])
	d := &user{name: "", form: formPlain, ha1MD5: a.dummyMD5, ha1SHA256: a.dummySHA256}
	copy(d.plainSum[:], buf[48:80])
	rank := func(u *user) int64 {
		switch u.form {
		case formArgon2id:
			return 3<<40 + int64(u.argon.memory)*int64(u.argon.time)
		case formBcrypt:
			return 2<<40 + int64(u.bcryptCost)
		case formHA1:
			return 1
		}
		return 0
	}
	costliest := d
	for _, u := range a.users {
		if rank(u) > rank(costliest) {
			costliest = u
		}
	}
	switch costliest.form {
	case formArgon2id:
		p := *costliest.argon
		p.salt = append([]byte(nil), buf[80:96]...)
		p.key = append([]byte(nil), buf[96:96+len(p.key)]...)
		d.form, d.argon, d.stored = formArgon2id, &p, p.String()
	case formBcrypt:
		d.form, d.bcryptCost, d.stored = formBcrypt, costliest.bcryptCost, dummyBcrypt(costliest.bcryptCost)
	case formHA1:
		d.form, d.ha1Alg = formHA1, costliest.ha1Alg
	}
	a.dummyBasic = d
	return nil
}

// Authenticate checks the Authorization header of r. It never writes
// anything; on failure the caller usually answers with [Authenticator.Challenge]
// (stale=true when Fail is [FailStale]).
func (a *Authenticator) Authenticate(r *http.Request) Result {
	vals := r.Header.Values("Authorization")
	switch {
	case len(vals) == 0:
		return Result{Fail: FailMissing}
	case len(vals) > 1:
		return Result{Fail: FailMalformed, Detail: "several Authorization headers"}
	case len(vals[0]) > MaxHeaderLen+len("Digest "):
		return Result{Fail: FailMalformed, Detail: "Authorization header too long"}
	}
	scheme, rest, _ := strings.Cut(strings.TrimLeft(vals[0], " \t"), " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		return a.basic(r, rest)
	case strings.EqualFold(scheme, "Digest"):
		return a.digest(r, rest)
	case scheme == "":
		return Result{Fail: FailMalformed, Detail: "empty Authorization header"}
	}
	return Result{Fail: FailSchemeNotAllowed, Detail: "scheme is neither Basic nor Digest"}
}

// user returns the user named name: a configured one, else one that
// Lookup knows.
func (a *Authenticator) user(name string) (*user, bool) {
	if u, ok := a.users[name]; ok {
		return u, true
	}
	if a.lookup == nil {
		return nil, false
	}
	password, ok := a.lookup(name)
	u := plainUser(name, password, a.realm)
	if !ok {
		// The hashing is done for an unknown user too, so that the time
		// of the answer does not tell which user names exist.
		return nil, false
	}
	return u, true
}

// Realm returns the realm of the challenges.
func (a *Authenticator) Realm() string { return a.realm }

// Warnings returns what is accepted but unwise in the configuration, such as
// plaintext passwords. It never contains a password.
func (a *Authenticator) Warnings() []string { return append([]string(nil), a.warnings...) }
