package realm

import (
	"container/list"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"sync"
	"time"
)

// NonceOptions configures a [Nonces] table. Zero values take the defaults.
type NonceOptions struct {
	// TTL is how long a nonce is fresh. For as long again, a correct
	// response to it is answered stale (the client retries with a new nonce
	// without asking its user); after that it is forgotten. Default 5m.
	TTL time.Duration
	// Max bounds the nonces remembered; issuing one more forgets the oldest.
	// Default 100000.
	Max int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Rand is the source of nonces. Default crypto/rand.
	Rand io.Reader
}

// Defaults of [NonceOptions].
const (
	DefaultNonceTTL = 5 * time.Minute
	DefaultNonceMax = 100000
)

// nonceBytes is the number of random bytes in a nonce.
const nonceBytes = 18

// Nonces is the table of the Digest nonces a server issued, with the time of
// issue and the highest nonce count accepted for each. It is safe for
// concurrent use and outlives configuration reloads: give the same table to
// every [Authenticator] built for a context.
type Nonces struct {
	ttl  time.Duration
	max  int
	now  func() time.Time
	rand io.Reader

	mu     sync.Mutex
	opaque string
	// byNonce indexes order, whose elements are *nonceEntry, oldest first.
	byNonce map[string]*list.Element
	order   list.List
}

// nonceEntry is one issued nonce.
type nonceEntry struct {
	nonce  string
	issued time.Time
	// nc is the highest nonce count accepted, 0 before the first.
	nc uint32
}

// NewNonces returns an empty table.
func NewNonces(opts NonceOptions) *Nonces {
	n := &Nonces{ttl: opts.TTL, max: opts.Max, now: opts.Now, rand: opts.Rand, byNonce: map[string]*list.Element{}}
	if n.ttl <= 0 {
		n.ttl = DefaultNonceTTL
	}
	if n.max <= 0 {
		n.max = DefaultNonceMax
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.rand == nil {
		n.rand = rand.Reader
	}
	return n
}

// Issue makes a new nonce and remembers it. It fails only if the random
// source does.
func (n *Nonces) Issue() (string, error) {
	var b [nonceBytes]byte
	if _, err := io.ReadFull(n.rand, b[:]); err != nil {
		return "", fmt.Errorf("digest nonce: %w", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(b[:])
	now := n.now()

	n.mu.Lock()
	defer n.mu.Unlock()
	n.pruneLocked(now)
	for n.order.Len() >= n.max {
		n.removeLocked(n.order.Front())
	}
	if _, dup := n.byNonce[nonce]; dup {
		// Only a broken random source repeats itself.
		return "", fmt.Errorf("digest nonce: random source repeated a value")
	}
	n.byNonce[nonce] = n.order.PushBack(&nonceEntry{nonce: nonce, issued: now})
	return nonce, nil
}

// Opaque returns the opaque value sent with every challenge of this table;
// clients send it back unchanged.
func (n *Nonces) Opaque() (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.opaque == "" {
		var b [nonceBytes]byte
		if _, err := io.ReadFull(n.rand, b[:]); err != nil {
			return "", fmt.Errorf("digest opaque: %w", err)
		}
		n.opaque = base64.RawURLEncoding.EncodeToString(b[:])
	}
	return n.opaque, nil
}

// Len returns the number of nonces remembered, forgetting the expired ones
// first.
func (n *Nonces) Len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pruneLocked(n.now())
	return n.order.Len()
}

// nonceState is what the table knows of a nonce.
type nonceState int

const (
	nonceUnknown nonceState = iota
	nonceFresh
	nonceStale
	// nonceReplay: the nonce count was not greater than the last accepted.
	nonceReplay
	// nonceAccepted: the nonce count was taken.
	nonceAccepted
)

// lookup reports whether nonce is unknown, fresh or stale. It changes
// nothing but forgetting an expired nonce.
func (n *Nonces) lookup(nonce string) nonceState {
	now := n.now()
	n.mu.Lock()
	defer n.mu.Unlock()
	_, st := n.entryLocked(nonce, now)
	return st
}

// accept records nc for nonce if nonce is fresh and nc is greater than every
// count accepted so far, and returns nonceAccepted; otherwise it returns why
// not. Call it only for a response that verified, so that a forged request
// cannot use up a client's count.
func (n *Nonces) accept(nonce string, nc uint32) nonceState {
	now := n.now()
	n.mu.Lock()
	defer n.mu.Unlock()
	e, st := n.entryLocked(nonce, now)
	if st != nonceFresh {
		return st
	}
	if nc <= e.nc {
		return nonceReplay
	}
	e.nc = nc
	return nonceAccepted
}

// entryLocked finds nonce and says whether it is fresh or stale; a nonce
// past its stale period is forgotten.
func (n *Nonces) entryLocked(nonce string, now time.Time) (*nonceEntry, nonceState) {
	el, ok := n.byNonce[nonce]
	if !ok {
		return nil, nonceUnknown
	}
	e := el.Value.(*nonceEntry)
	switch age := now.Sub(e.issued); {
	case age < n.ttl:
		return e, nonceFresh
	case age < 2*n.ttl:
		return e, nonceStale
	}
	n.removeLocked(el)
	return nil, nonceUnknown
}

// pruneLocked forgets the nonces past their stale period, oldest first.
func (n *Nonces) pruneLocked(now time.Time) {
	for el := n.order.Front(); el != nil; el = n.order.Front() {
		if now.Sub(el.Value.(*nonceEntry).issued) < 2*n.ttl {
			return
		}
		n.removeLocked(el)
	}
}

func (n *Nonces) removeLocked(el *list.Element) {
	delete(n.byNonce, el.Value.(*nonceEntry).nonce)
	n.order.Remove(el)
}
