package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

// lockTTL is long enough that no lease of the tests below expires on its
// own, however slow the machine.
const lockTTL = time.Hour

// runLock tests TryLock. Every test opens a second handle on the same
// database where it needs one: to the lock, it is another process.
func runLock(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("held/excludes-others", func(t *testing.T) { testLockExcludes(t, open) })
	t.Run("names/independent", func(t *testing.T) { testLockNames(t, open) })
	t.Run("unlock/twice", func(t *testing.T) { testUnlockTwice(t, open) })
	t.Run("unlock/after-cancel", func(t *testing.T) { testUnlockAfterCancel(t, open) })
	t.Run("context/canceled", func(t *testing.T) { testLockCanceled(t, open) })
	t.Run("close/releases", func(t *testing.T) { testLockClose(t, open) })
	t.Run("max-locks", func(t *testing.T) { testMaxLocks(t, open) })
	t.Run("args/invalid", func(t *testing.T) { testLockInvalid(t, open(t)) })
	t.Run("concurrency/one-winner", func(t *testing.T) { testLockRace(t, open) })
}

// mustLock takes name on db and fails the test unless it got it.
func mustLock(t *testing.T, db *store.DB, name string) (unlock func()) {
	t.Helper()
	unlock, ok, err := db.TryLock(context.Background(), name, lockTTL)
	if err != nil || !ok {
		t.Fatalf("TryLock(%q) = %v, %v; want the lock", name, ok, err)
	}
	if unlock == nil {
		t.Fatalf("TryLock(%q) took the lock but returned a nil unlock", name)
	}
	return unlock
}

// mustNotLock tries name on db and fails the test unless someone else
// held it.
func mustNotLock(t *testing.T, db *store.DB, name string) {
	t.Helper()
	unlock, ok, err := db.TryLock(context.Background(), name, lockTTL)
	if err != nil || ok || unlock != nil {
		if unlock != nil {
			unlock()
		}
		t.Fatalf("TryLock(%q) = %v, %v (unlock nil: %v); want false, nil, nil: the lock is held", name, ok, err, unlock == nil)
	}
}

func testLockExcludes(t *testing.T, open func(t *testing.T) *store.DB) {
	a, b := open(t), open(t)
	const name = "acme/example.com"
	unlock := mustLock(t, a, name)
	mustNotLock(t, b, name) // another process
	mustNotLock(t, a, name) // another goroutine of the holder's process
	unlock()
	unlockB := mustLock(t, b, name)
	mustNotLock(t, a, name)
	unlockB()
	mustLock(t, a, name)()
}

func testLockNames(t *testing.T, open func(t *testing.T) *store.DB) {
	a, b := open(t), open(t)
	unlock := mustLock(t, a, "acme/example.com")
	defer unlock()
	// Names compare by their bytes: a prefix, a longer name or another
	// case is another lock.
	for _, name := range []string{"acme/example.co", "acme/example.com.", "acme/EXAMPLE.com", "acme/exämple.com"} {
		mustLock(t, b, name)()
	}
	mustNotLock(t, b, "acme/example.com")
}

func testUnlockTwice(t *testing.T, open func(t *testing.T) *store.DB) {
	a, b := open(t), open(t)
	const name = "twice"
	unlock := mustLock(t, a, name)
	unlock()
	unlock()
	unlockB := mustLock(t, b, name)
	// The first holder's unlock, called again, must not release the lock
	// that b took since.
	unlock()
	mustNotLock(t, a, name)
	unlockB()
	unlockB()
	mustLock(t, a, name)()
}

func testUnlockAfterCancel(t *testing.T, open func(t *testing.T) *store.DB) {
	a, b := open(t), open(t)
	ctx, cancel := context.WithCancel(context.Background())
	unlock, ok, err := a.TryLock(ctx, "cancel", lockTTL)
	if err != nil || !ok {
		t.Fatalf("TryLock = %v, %v; want the lock", ok, err)
	}
	cancel()
	mustNotLock(t, b, "cancel") // a cancelled context does not release the lock
	unlock()
	mustLock(t, b, "cancel")()
}

func testLockCanceled(t *testing.T, open func(t *testing.T) *store.DB) {
	a, b := open(t), open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	unlock, ok, err := a.TryLock(ctx, "canceled", lockTTL)
	if !errors.Is(err, context.Canceled) || ok || unlock != nil {
		t.Fatalf("TryLock with a cancelled context = %v, %v (unlock nil: %v); want false, context.Canceled, nil", ok, err, unlock == nil)
	}
	mustLock(t, b, "canceled")() // the failed call holds nothing
	mustLock(t, a, "canceled")() // and a still works
}

// testLockClose closes the holder's handle, as a stopping process does: the
// lock comes free, and the handle takes no more.
func testLockClose(t *testing.T, open func(t *testing.T) *store.DB) {
	a, b := open(t), open(t)
	unlock := mustLock(t, a, "close")
	if err := a.Close(); err != nil {
		t.Fatalf("Close(): %v", err)
	}
	unlockB := mustLock(t, b, "close")
	unlock() // after Close: harmless, and releases nothing of b's
	mustNotLock(t, open(t), "close")
	unlockB()
	if unlock, ok, err := a.TryLock(context.Background(), "other", lockTTL); err == nil || ok || unlock != nil {
		t.Fatalf("TryLock after Close = %v, %v; want an error", ok, err)
	}
}

func testMaxLocks(t *testing.T, open func(t *testing.T) *store.DB) {
	a, b := open(t), open(t)
	unlocks := make([]func(), store.MaxLocks)
	for i := range unlocks {
		unlocks[i] = mustLock(t, a, fmt.Sprint("max/", i))
	}
	unlock, ok, err := a.TryLock(context.Background(), "max/one-more", lockTTL)
	if !errors.Is(err, store.ErrTooManyLocks) || ok || unlock != nil {
		t.Fatalf("TryLock beyond MaxLocks = %v, %v; want ErrTooManyLocks", ok, err)
	}
	unlockB := mustLock(t, b, "max/one-more") // the refused call holds nothing
	unlockB()
	mustNotLock(t, b, "max/0")
	unlocks[0]()
	mustLock(t, a, "max/one-more")()
	for _, unlock := range unlocks {
		unlock()
	}
}

func testLockInvalid(t *testing.T, db *store.DB) {
	tests := []struct {
		name    string
		lock    string
		ttl     time.Duration
		wantErr string
	}{
		{name: "fail/empty-name", lock: "", ttl: time.Minute, wantErr: "name is empty"},
		{name: "fail/nul-in-name", lock: "a\x00b", ttl: time.Minute, wantErr: "name holds a NUL byte"},
		{name: "fail/invalid-utf8-name", lock: "acme/\xff", ttl: time.Minute, wantErr: "name is not valid UTF-8"},
		{name: "fail/name-too-long", lock: strings.Repeat("n", 1025), ttl: time.Minute, wantErr: "name is 1025 bytes long"},
		{name: "fail/zero-ttl", lock: "x", ttl: 0, wantErr: "ttl 0s is not positive"},
		{name: "fail/negative-ttl", lock: "x", ttl: -time.Second, wantErr: "ttl -1s is not positive"},
		{name: "fail/sub-microsecond-ttl", lock: "x", ttl: time.Nanosecond, wantErr: "ttl 1ns is shorter than a microsecond"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unlock, ok, err := db.TryLock(context.Background(), tt.lock, tt.ttl)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ok || unlock != nil {
				t.Fatalf("TryLock(%q, %v) = %v, %v; want an error containing %q", tt.lock, tt.ttl, ok, err, tt.wantErr)
			}
		})
	}
	mustLock(t, db, strings.Repeat("n", 1024))() // the longest name
	mustLock(t, db, "x")()                       // nothing was held by the refused calls
}

// testLockRace has goroutines on two handles try one lock at once: exactly
// one may win.
func testLockRace(t *testing.T, open func(t *testing.T) *store.DB) {
	const perHandle = 8
	dbs := []*store.DB{open(t), open(t)}
	start := make(chan struct{})
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		unlocks []func()
	)
	errs := make(chan error, perHandle*len(dbs))
	for _, db := range dbs {
		for range perHandle {
			wg.Go(func() {
				<-start
				unlock, ok, err := db.TryLock(context.Background(), "race", lockTTL)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					mu.Lock()
					unlocks = append(unlocks, unlock)
					mu.Unlock()
				}
			})
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, unlock := range unlocks {
		unlock()
	}
	if len(unlocks) != 1 {
		t.Fatalf("%d of %d concurrent TryLock calls took the lock, want exactly 1", len(unlocks), perHandle*len(dbs))
	}
}
