package realm

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"
)

// form is how a password is stored in the configuration.
type form int

const (
	formPlain form = iota
	formBcrypt
	formArgon2id
	formHA1
)

// user is one configured user, ready to be checked.
type user struct {
	name string
	form form
	// stored is the password as configured; it keys the verification cache.
	stored string
	// plainSum is SHA-256 of a plaintext password: comparing digests hides
	// the length of the password.
	plainSum [sha256.Size]byte
	// ha1MD5 and ha1SHA256 are hex(H(user:realm:password)), "" when the
	// form does not give them.
	ha1MD5, ha1SHA256 string
	// ha1Alg is the algorithm of a formHA1 password.
	ha1Alg Algorithm
	argon  *argon2Params
	// bcryptCost is the cost of a formBcrypt password.
	bcryptCost int
}

// ha1For returns the hex HA1 of u for alg, "" if u cannot answer alg.
func (u *user) ha1For(alg Algorithm) string {
	if alg == MD5 {
		return u.ha1MD5
	}
	return u.ha1SHA256
}

// slow reports whether checking u's password is expensive.
func (u *user) slow() bool { return u.form == formBcrypt || u.form == formArgon2id }

// cryptIDs are the crypt(3)-style hash identifiers that pbxgate recognises
// but does not support: a password starting with $ID$ is refused rather than
// taken for plaintext.
var cryptIDs = []string{"1", "5", "6", "7", "y", "gy", "sha1", "md5", "scrypt", "pbkdf2", "pbkdf2-sha256", "pbkdf2-sha512"}

// parseUser checks one configured user and prepares it. Problems are added
// to errs; the returned user is nil when there were any.
func parseUser(i int, name, password, realm string, scheme Scheme, errs *ConfigErrors) *user {
	nerr := len(*errs)
	checkUsername(i, name, errs)
	u := &user{name: name, stored: password}
	switch {
	case password == "":
		errs.add(i, "password", "empty")
	case hasPrefixFold(password, MD5.formPrefix()):
		u.parseHA1(i, MD5, password[len(MD5.formPrefix()):], errs)
	case hasPrefixFold(password, SHA256.formPrefix()):
		u.parseHA1(i, SHA256, password[len(SHA256.formPrefix()):], errs)
	case braceMarker(password) != "":
		errs.add(i, "password", "unknown password form %s; known forms are {HA1-MD5}, {HA1-SHA256}, bcrypt ($2b$) and argon2id ($argon2id$)", braceMarker(password))
	case bcryptLike(password):
		cost, err := checkBcrypt(password)
		if err != nil {
			errs.add(i, "password", "malformed bcrypt hash: %v", err)
			break
		}
		u.form, u.bcryptCost = formBcrypt, cost
	case argon2Like(password):
		p, err := parseArgon2id(password)
		if err != nil {
			errs.add(i, "password", "malformed argon2id hash: %v", err)
			break
		}
		u.form, u.argon = formArgon2id, p
	case cryptMarker(password) != "":
		errs.add(i, "password", "unsupported hash %s; use bcrypt, argon2id or an {HA1-...} form (pbxgate passwd)", cryptMarker(password))
	default:
		u = plainUser(name, password, realm)
	}
	if u.slow() && scheme == SchemeDigest {
		kind := "bcrypt"
		if u.form == formArgon2id {
			kind = "argon2id"
		}
		errs.add(i, "password", "%s hash cannot be checked by Digest; use scheme basic or an {HA1-...} form", kind)
	}
	if len(*errs) > nerr {
		return nil
	}
	return u
}

// plainUser prepares a user with a plaintext password.
func plainUser(name, password, realm string) *user {
	return &user{
		name: name, stored: password, form: formPlain,
		plainSum:  sha256.Sum256([]byte(password)),
		ha1MD5:    ha1Hex(MD5, name, realm, password),
		ha1SHA256: ha1Hex(SHA256, name, realm, password),
	}
}

// parseHA1 reads the hex part of an {HA1-...} password.
func (u *user) parseHA1(i int, alg Algorithm, digits string, errs *ConfigErrors) {
	if len(digits) != alg.hexLen() {
		errs.add(i, "password", "%s needs %d hex digits, got %d characters", alg.formPrefix(), alg.hexLen(), len(digits))
		return
	}
	if _, err := hex.DecodeString(digits); err != nil {
		errs.add(i, "password", "%s needs %d hex digits: %q is not hex", alg.formPrefix(), alg.hexLen(), digits)
		return
	}
	u.form, u.ha1Alg = formHA1, alg
	if alg == MD5 {
		u.ha1MD5 = strings.ToLower(digits)
	} else {
		u.ha1SHA256 = strings.ToLower(digits)
	}
}

// checkUsername validates a configured username.
func checkUsername(i int, name string, errs *ConfigErrors) {
	switch {
	case name == "":
		errs.add(i, "username", "empty")
	case !utf8.ValidString(name):
		errs.add(i, "username", "not valid UTF-8")
	case strings.ContainsFunc(name, unicode.IsControl):
		errs.add(i, "username", "%q contains a control character", name)
	case strings.Contains(name, ":"):
		errs.add(i, "username", "%q contains ':', which Basic and Digest cannot carry", name)
	}
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// braceMarker returns the {FORM} marker that starts password ({SSHA},
// {HA1-XYZ}), or "". A marker is 2 to 20 upper-case letters, digits and
// dashes in braces.
func braceMarker(password string) string {
	end := strings.IndexByte(password, '}')
	if !strings.HasPrefix(password, "{") || end < 3 || end > 21 {
		return ""
	}
	for _, c := range password[1:end] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
			return ""
		}
	}
	return password[:end+1]
}

// cryptMarker returns the $ID$ marker of an unsupported crypt(3) hash that
// starts password, or "".
func cryptMarker(password string) string {
	for _, id := range cryptIDs {
		if m := "$" + id + "$"; strings.HasPrefix(password, m) {
			return m
		}
	}
	return ""
}

// bcryptLike reports whether password starts like a bcrypt hash of any
// version: $2$, $2a$, $2b$, $2x$, $2y$.
func bcryptLike(password string) bool {
	return strings.HasPrefix(password, "$2$") ||
		(len(password) >= 4 && strings.HasPrefix(password, "$2") && password[3] == '$' && strings.IndexByte("abxy", password[2]) >= 0)
}

// argon2Like reports whether password starts like an argon2 PHC string of
// any variant: $argon2i$, $argon2d$, $argon2id$.
func argon2Like(password string) bool {
	for _, p := range []string{"$argon2i$", "$argon2d$", "$argon2id$"} {
		if strings.HasPrefix(password, p) {
			return true
		}
	}
	return false
}
