package realm

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
	"time"
)

// The verification cache keeps successful bcrypt and argon2id checks so that
// a Basic client sending the same password with every request costs one slow
// check per cacheTTL. Failed checks are never cached.
const (
	cacheTTL = 5 * time.Minute
	cacheMax = 1024
)

// cacheKey is HMAC-SHA-256 of a user, its stored hash and a password.
type cacheKey [sha256.Size]byte

// verifyCache is a bounded set of cacheKey, each expiring cacheTTL after it
// was added. The HMAC key is random per Authenticator, so the keys say
// nothing about the passwords outside this process.
type verifyCache struct {
	secret []byte
	now    func() time.Time

	mu      sync.Mutex
	entries map[cacheKey]time.Time // expiry
	// fifo holds the keys in the order added, which is the order of expiry.
	fifo []cacheItem
}

type cacheItem struct {
	key    cacheKey
	expiry time.Time
}

func newVerifyCache(secret []byte, now func() time.Time) *verifyCache {
	return &verifyCache{secret: secret, now: now, entries: map[cacheKey]time.Time{}}
}

// key derives the cache key of a password checked against u.
func (c *verifyCache) key(u *user, password []byte) cacheKey {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(u.name))
	m.Write([]byte{0})
	m.Write([]byte(u.stored))
	m.Write([]byte{0})
	m.Write(password)
	var k cacheKey
	m.Sum(k[:0])
	return k
}

// hit reports whether k was added less than cacheTTL ago.
func (c *verifyCache) hit(k cacheKey) bool {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.entries[k]
	if ok && !now.Before(exp) {
		delete(c.entries, k)
		return false
	}
	return ok
}

// add remembers k, forgetting the oldest entries when full.
func (c *verifyCache) add(k cacheKey) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.fifo) > 0 && (len(c.entries) >= cacheMax || !now.Before(c.fifo[0].expiry)) {
		old := c.fifo[0]
		c.fifo = c.fifo[1:]
		if exp, ok := c.entries[old.key]; ok && exp.Equal(old.expiry) {
			delete(c.entries, old.key)
		}
	}
	if _, ok := c.entries[k]; ok {
		return
	}
	exp := now.Add(cacheTTL)
	c.entries[k] = exp
	c.fifo = append(c.fifo, cacheItem{key: k, expiry: exp})
}

// len returns the number of entries, for tests.
func (c *verifyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
