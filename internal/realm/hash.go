package realm

import (
	"crypto/md5" //nolint:gosec // Digest MD5 (RFC 7616) is offered for interoperability with older clients
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Algorithm is a Digest hash algorithm (RFC 7616 §3.2).
type Algorithm string

// The Digest algorithms pbxgate offers. Their "-sess" variants are accepted in
// responses but never offered.
const (
	MD5    Algorithm = "MD5"
	SHA256 Algorithm = "SHA-256"
)

// newHash returns a fresh hash for a, or nil for an unknown algorithm.
func (a Algorithm) newHash() hash.Hash {
	switch a {
	case MD5:
		return md5.New() //nolint:gosec // see the import
	case SHA256:
		return sha256.New()
	}
	return nil
}

// hexLen is the length of a's digests written in hex.
func (a Algorithm) hexLen() int {
	if a == MD5 {
		return 2 * md5.Size
	}
	return 2 * sha256.Size
}

// formPrefix is the marker of a's HA1 password form.
func (a Algorithm) formPrefix() string {
	if a == MD5 {
		return "{HA1-MD5}"
	}
	return "{HA1-SHA256}"
}

// HA1 returns the password form {HA1-MD5}hex or {HA1-SHA256}hex that stores
// H(user:realm:password) for alg, the form Digest can check without knowing
// the password. The value depends on the realm: changing the realm
// invalidates it. HA1 returns "" for an algorithm other than [MD5] and
// [SHA256].
func HA1(alg Algorithm, user, realm, password string) string {
	if alg.newHash() == nil {
		return ""
	}
	return alg.formPrefix() + ha1Hex(alg, user, realm, password)
}

// ha1Hex returns hex(H(user:realm:password)).
func ha1Hex(alg Algorithm, user, realm, password string) string {
	h := alg.newHash()
	writeAll(h, user, ":", realm, ":", password)
	return hex.EncodeToString(h.Sum(nil))
}

// BcryptCost is the cost of the hashes that [HashBcrypt] makes.
const BcryptCost = 12

// HashBcrypt returns a bcrypt hash ($2a$, cost [BcryptCost]) of password, for
// Basic authentication. bcrypt reads at most 72 bytes: a longer password is
// an error.
func HashBcrypt(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return "", fmt.Errorf("bcrypt hash: %w", err)
	}
	return string(h), nil
}

// The parameters of the hashes that [HashArgon2id] makes: the first of the
// OWASP password storage recommendations for argon2id (19 MiB of memory, two
// passes, one lane). They cost a few tens of milliseconds per check, which a
// gateway can afford for Basic requests given that successful checks are
// cached; more memory would make a flood of wrong passwords a memory problem.
const (
	Argon2Memory  = 19 * 1024 // KiB
	Argon2Time    = 2
	Argon2Threads = 1
	argon2SaltLen = 16
	argon2KeyLen  = 32
)

// HashArgon2id returns an argon2id hash of password in the PHC string format
// $argon2id$v=19$m=19456,t=2,p=1$salt$hash, for Basic authentication. The
// salt is read from rnd (crypto/rand when nil).
func HashArgon2id(password string, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	salt := make([]byte, argon2SaltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", fmt.Errorf("argon2id salt: %w", err)
	}
	p := argon2Params{memory: Argon2Memory, time: Argon2Time, threads: Argon2Threads, salt: salt, key: make([]byte, argon2KeyLen)}
	p.key = p.derive([]byte(password))
	return p.String(), nil
}

// Limits on the argon2id parameters accepted from a configuration, so that a
// typo cannot make every Basic request allocate gigabytes.
const (
	argon2MaxMemory  = 1 << 20 // KiB: 1 GiB
	argon2MaxTime    = 64
	argon2MaxThreads = 64
)

// argon2Params is a parsed argon2id PHC string.
type argon2Params struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// derive computes the argon2id key of password with p's parameters.
func (p *argon2Params) derive(password []byte) []byte {
	return argon2.IDKey(password, p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
}

// verify reports whether password matches, in constant time.
func (p *argon2Params) verify(password []byte) bool {
	if len(p.key) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(p.derive(password), p.key) == 1
}

// String returns the PHC string.
func (p *argon2Params) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(p.salt), base64.RawStdEncoding.EncodeToString(p.key))
}

// parseArgon2id parses $argon2id$v=19$m=M,t=T,p=P$salt$hash.
func parseArgon2id(s string) (*argon2Params, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return nil, errors.New("want $argon2id$v=19$m=M,t=T,p=P$salt$hash")
	}
	if parts[1] != "argon2id" {
		return nil, fmt.Errorf("%q is not supported, only argon2id", parts[1])
	}
	if parts[2] != "v=19" {
		return nil, fmt.Errorf("version %q is not supported, only v=19", parts[2])
	}
	var p argon2Params
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return nil, errors.New("want parameters m=M,t=T,p=P")
	}
	for i, want := range []string{"m", "t", "p"} {
		name, val, _ := strings.Cut(params[i], "=")
		if name != want {
			return nil, errors.New("want parameters m=M,t=T,p=P")
		}
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("parameter %s=%q is not a number", name, val)
		}
		switch name {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n < 1 || n > argon2MaxThreads {
				return nil, fmt.Errorf("parameter p=%d is out of range 1..%d", n, argon2MaxThreads)
			}
			p.threads = uint8(n)
		}
	}
	if p.time < 1 || p.time > argon2MaxTime {
		return nil, fmt.Errorf("parameter t=%d is out of range 1..%d", p.time, argon2MaxTime)
	}
	if minMem := 8 * uint32(p.threads); p.memory < minMem || p.memory > argon2MaxMemory {
		return nil, fmt.Errorf("parameter m=%d is out of range %d..%d", p.memory, minMem, argon2MaxMemory)
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(p.salt) < 8 || len(p.salt) > 64 {
		return nil, errors.New("salt must be 8 to 64 bytes in unpadded base64")
	}
	if p.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return nil, errors.New("hash must be 16 to 64 bytes in unpadded base64")
	}
	return &p, nil
}

// bcryptAlphabet is the base64 alphabet of bcrypt hashes.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// checkBcrypt validates $2a$/$2b$/$2y$ hashes: version, cost, length and
// alphabet. It returns the cost.
func checkBcrypt(s string) (int, error) {
	if len(s) < 4 || s[3] != '$' || (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') {
		return 0, errors.New("only versions $2a$, $2b$ and $2y$ are supported")
	}
	if len(s) != 60 {
		return 0, fmt.Errorf("want 60 characters, got %d", len(s))
	}
	if s[6] != '$' || s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' {
		return 0, errors.New("want a two-digit cost after the version")
	}
	cost := int(s[4]-'0')*10 + int(s[5]-'0')
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return 0, fmt.Errorf("cost %d is out of range %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	for i := 7; i < len(s); i++ {
		if !strings.ContainsRune(bcryptAlphabet, rune(s[i])) {
			return 0, fmt.Errorf("character %q is not in the bcrypt alphabet", s[i])
		}
	}
	return cost, nil
}

// dummyBcrypt returns a well-formed bcrypt hash of the given cost that no
// password is known to match, for checking unknown users at the same cost.
func dummyBcrypt(cost int) string {
	return fmt.Sprintf("$2b$%02d$", cost) + strings.Repeat("Dummy/hash.", 5)[:53]
}
