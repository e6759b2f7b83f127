package acme

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// DomainState is what the store keeps of one domain's ACME life, shared by
// every node (key "state/<domain>").
type DomainState struct {
	// LeafSHA256 is the fingerprint of the certificate this package last
	// wrote into certificate_pem.
	LeafSHA256 string `json:"leaf_sha256,omitempty"`
	// Issued is when that certificate was written; Order is its order URL.
	Issued time.Time `json:"issued,omitzero"`
	Order  string    `json:"order,omitempty"`
	// Failures counts the orders that failed in a row; LastError is the
	// last one's error (the CA's problem detail when it sent one).
	Failures    int       `json:"failures,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// FailingSince is when the current run of failures started.
	FailingSince time.Time `json:"failing_since,omitzero"`
	// NextAttempt is the earliest time of the next order, after a failure
	// (backoff) or when the budget is spent (Queued).
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Queued      bool      `json:"queued,omitempty"`
	QueuedFor   string    `json:"queued_for,omitempty"`
	// ARISelected is the renewal time picked in the CA's ARI window for
	// the certificate ARIFor (a fingerprint); ARINext is when to ask the
	// CA again.
	ARISelected time.Time `json:"ari_selected,omitzero"`
	ARIFor      string    `json:"ari_for,omitempty"`
	ARINext     time.Time `json:"ari_next,omitzero"`
}

// Backoff bounds: the first retry after a minute, doubling up to a day.
const (
	backoffMin = time.Minute
	backoffMax = 24 * time.Hour
)

// Backoff is the wait after the given number of failures in a row (1 for
// the first): exponential from a minute, capped at a day, with up to 20%
// of jitter either way so that nodes and domains spread out.
func Backoff(failures int, jitter func() float64) time.Duration {
	d := backoffMin
	for i := 1; i < failures && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	if jitter == nil {
		jitter = rand.Float64
	}
	return time.Duration(float64(d) * (0.8 + 0.4*jitter()))
}

// RegisteredDomain is the name a CA counts orders against: the public
// suffix plus one label (a.b.example.co.uk → example.co.uk). A name that is
// itself a suffix, or that the list does not know, counts as itself.
func RegisteredDomain(name string) string {
	if r, err := publicsuffix.EffectiveTLDPlusOne(name); err == nil {
		return r
	}
	return name
}

// budget is the record of the orders placed for one registered domain in
// the last week (key "orders/<registered domain>").
type budget struct {
	Orders []time.Time `json:"orders"`
}

// window is the period the budget counts over.
const window = 7 * 24 * time.Hour

// take records an order at now if fewer than limit were placed in the
// window before it; otherwise it returns when a slot frees.
func (b *budget) take(now time.Time, limit int) (ok bool, free time.Time) {
	b.Orders = slices.DeleteFunc(b.Orders, func(t time.Time) bool { return !t.After(now.Add(-window)) })
	slices.SortFunc(b.Orders, func(x, y time.Time) int { return x.Compare(y) })
	if len(b.Orders) >= limit {
		return false, b.Orders[len(b.Orders)-limit].Add(window)
	}
	b.Orders = append(b.Orders, now)
	return true, time.Time{}
}

// Keys of the store.
func stateKey(domain string) string      { return "state/" + domain }
func budgetKey(registered string) string { return "orders/" + registered }
func tokenKey(token string) string       { return "http01/" + token }
func lockName(domain string) string      { return "acme-order/" + domain }
func accountKey(directory, email string) string {
	return "account/" + strings.ToLower(email) + "@" + directory
}

// loadJSON reads key into v and returns its version (0 when absent).
func loadJSON(ctx context.Context, st Store, key string, v any) (int64, error) {
	b, ver, err := st.Get(ctx, key)
	if err != nil || ver == 0 {
		return 0, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return ver, nil
}

// updateJSON applies fn to the value under key and writes it back with a
// compare-and-swap, retrying when another node wrote in between.
func updateJSON[T any](ctx context.Context, st Store, key string, fn func(*T) error) (T, error) {
	for range 10 {
		var v T
		ver, err := loadJSON(ctx, st, key, &v)
		if err != nil {
			return v, err
		}
		if err := fn(&v); err != nil {
			return v, err
		}
		b, err := json.Marshal(&v)
		if err != nil {
			return v, err
		}
		_, ok, err := st.CompareAndSwap(ctx, key, ver, b)
		if err != nil || ok {
			return v, err
		}
	}
	var zero T
	return zero, fmt.Errorf("%s: too many concurrent writers", key)
}
