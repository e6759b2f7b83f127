package realm

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNoncesLifecycle(t *testing.T) {
	c := newClock()
	n := NewNonces(NonceOptions{TTL: time.Minute, Now: c.Now})
	nonce, err := n.Issue()
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		advance time.Duration
		nc      uint32
		want    nonceState
		wantLen int
	}{
		{"accepted", 0, 1, nonceAccepted, 1},
		{"replay", 0, 1, nonceReplay, 1},
		{"lower", 0, 0, nonceReplay, 1},
		{"accepted-before-ttl", time.Minute - time.Nanosecond, 2, nonceAccepted, 1},
		{"stale-at-ttl", time.Nanosecond, 3, nonceStale, 1},
		{"stale-until-twice-ttl", time.Minute - time.Nanosecond, 3, nonceStale, 1},
		{"forgotten-at-twice-ttl", time.Nanosecond, 3, nonceUnknown, 0},
	}
	for _, s := range steps {
		c.Advance(s.advance)
		if got := n.accept(nonce, s.nc); got != s.want {
			t.Errorf("%s: accept = %v, want %v", s.name, got, s.want)
		}
		if got := n.Len(); got != s.wantLen {
			t.Errorf("%s: Len = %d, want %d", s.name, got, s.wantLen)
		}
	}
}

func TestNoncesEvictOldest(t *testing.T) {
	n := NewNonces(NonceOptions{Max: 3})
	var issued []string
	for range 5 {
		nonce, err := n.Issue()
		if err != nil {
			t.Fatal(err)
		}
		issued = append(issued, nonce)
	}
	if got := n.Len(); got != 3 {
		t.Errorf("Len = %d, want 3", got)
	}
	for i, nonce := range issued {
		want := nonceFresh
		if i < 2 {
			want = nonceUnknown
		}
		if got := n.lookup(nonce); got != want {
			t.Errorf("nonce %d: %v, want %v", i, got, want)
		}
	}
}

func TestNoncesPruneOnIssue(t *testing.T) {
	c := newClock()
	n := NewNonces(NonceOptions{TTL: time.Second, Now: c.Now})
	for range 10 {
		if _, err := n.Issue(); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(2 * time.Second)
	if _, err := n.Issue(); err != nil {
		t.Fatal(err)
	}
	n.mu.Lock()
	size := len(n.byNonce)
	n.mu.Unlock()
	if size != 1 {
		t.Errorf("table holds %d nonces after expiry, want 1", size)
	}
}

func TestNoncesFormat(t *testing.T) {
	n := NewNonces(NonceOptions{})
	seen := map[string]bool{}
	for range 1000 {
		nonce, err := n.Issue()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(nonce)
		if err != nil || len(raw) < 16 {
			t.Fatalf("nonce %q: %d bytes, %v; want 16+ bytes of base64url", nonce, len(raw), err)
		}
		if seen[nonce] {
			t.Fatalf("nonce %q issued twice", nonce)
		}
		seen[nonce] = true
	}
}

func TestNoncesRandomFailure(t *testing.T) {
	n := NewNonces(NonceOptions{Rand: bytes.NewReader(make([]byte, 5))})
	if _, err := n.Issue(); err == nil {
		t.Error("Issue succeeded with a failing random source")
	}
	// A source that repeats itself is refused too.
	n = NewNonces(NonceOptions{Rand: bytes.NewReader(make([]byte, 2*nonceBytes))})
	if _, err := n.Issue(); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Issue(); err == nil || !strings.Contains(err.Error(), "repeated") {
		t.Errorf("repeated nonce: err %v", err)
	}
}

func TestChallengeRandomFailure(t *testing.T) {
	nonces := NewNonces(NonceOptions{Rand: bytes.NewReader(nil)})
	a := mustNew(t, Config{Users: []User{{"a", "pw"}}, Nonces: nonces})
	rec := httptest.NewRecorder()
	a.Challenge(rec, false)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("WWW-Authenticate") != "" {
		t.Errorf("got %d %q, want 500 without challenge", rec.Code, rec.Header().Values("WWW-Authenticate"))
	}
}

// TestNoncesConcurrent hammers one table from many goroutines (run with
// -race): each nonce count is accepted once.
func TestNoncesConcurrent(t *testing.T) {
	// Max lets the nonce under test be evicted half-way through.
	n := NewNonces(NonceOptions{Max: 800})
	nonce, err := n.Issue()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := map[uint32]int{}
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if _, err := n.Issue(); err != nil {
					t.Error(err)
					return
				}
				nc := uint32(i + 1)
				if g%2 == 0 && n.accept(nonce, nc) == nonceAccepted {
					mu.Lock()
					accepted[nc]++
					mu.Unlock()
				}
				n.lookup(nonce)
				n.Len()
			}
		})
	}
	wg.Wait()
	if len(accepted) == 0 {
		t.Error("no nonce count accepted")
	}
	for nc, times := range accepted {
		if times != 1 {
			t.Errorf("nc %d accepted %d times", nc, times)
		}
	}
}
