package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

// The conformance part of TryLock is in storetest; these are the tests that
// belong to one backend: how SQLite's leases expire, how PostgreSQL frees
// the lock of a session that ends, and real processes dying.

func TestLockSQLite(t *testing.T) {
	b := sqliteBackend()
	t.Run("lease/stored", func(t *testing.T) { testLeaseStored(t, b) })
	t.Run("lease/expired-taken-over", func(t *testing.T) { testLeaseExpiry(t, b) })
	t.Run("crash/lease-outlives-the-process", func(t *testing.T) { testLockCrash(t, b) })
	t.Run("migration/0003-on-a-version-2-database", func(t *testing.T) { testLockMigration(t, b) })
}

func TestLockPostgres(t *testing.T) {
	b := postgresBackend(t)
	t.Run("session/no-lock-left", func(t *testing.T) { testAdvisoryNoneLeft(t, b) })
	t.Run("session/terminated", func(t *testing.T) { testAdvisoryTerminated(t, b) })
	t.Run("schemas/independent", func(t *testing.T) { testAdvisorySchemas(t, b) })
	t.Run("crash/freed-with-the-process", func(t *testing.T) { testLockCrash(t, b) })
	t.Run("migration/0003-on-a-version-2-database", func(t *testing.T) { testLockMigration(t, b) })
}

// clock is a settable store clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(db ...*store.DB) *clock {
	c := &clock{now: time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)}
	for _, db := range db {
		db.SetNow(c.Now)
	}
	return c
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// tryLock calls TryLock with a test's context and fails the test on an error.
func tryLock(t *testing.T, db *store.DB, name string, ttl time.Duration) (unlock func(), ok bool) {
	t.Helper()
	unlock, ok, err := db.TryLock(context.Background(), name, ttl)
	if err != nil {
		t.Fatalf("TryLock(%q): %v", name, err)
	}
	if ok {
		t.Cleanup(unlock)
	}
	return unlock, ok
}

// testLeaseStored checks the row a lease writes: the name, a token, and the
// expiry now+ttl in Unix microseconds, as every time of SQLite's tables.
func testLeaseStored(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	clk := newClock(db)
	unlock, ok := tryLock(t, db, "stored", 90*time.Second)
	if !ok {
		t.Fatal("TryLock did not take a free lock")
	}
	var (
		holder  string
		expires int64
	)
	if err := db.QueryRowRaw(ctx, `SELECT holder, expires FROM locks WHERE name = ?`, "stored").Scan(&holder, &expires); err != nil {
		t.Fatal(err)
	}
	if want := clk.Now().Add(90 * time.Second).UnixMicro(); expires != want {
		t.Errorf("expires = %d, want %d (now+ttl in Unix microseconds)", expires, want)
	}
	if len(holder) < 16 {
		t.Errorf("holder = %q, want a random token", holder)
	}
	unlock()
	var n int
	if err := db.QueryRowRaw(ctx, `SELECT COUNT(*) FROM locks`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("locks has %d rows after unlock, %v; want none", n, err)
	}
}

// testLeaseExpiry lets a lease run out: another handle takes it over, and
// the first holder's late unlock leaves the new lease alone.
func testLeaseExpiry(t *testing.T, b backend) {
	first, second, third := opener(b)(t), opener(b)(t), opener(b)(t)
	clk := newClock(first, second, third)
	start := clk.Now()
	const ttl = time.Minute
	unlockFirst, ok := tryLock(t, first, "lease", ttl)
	if !ok {
		t.Fatal("first TryLock did not take a free lock")
	}

	clk.Set(start.Add(ttl - time.Microsecond))
	if _, ok := tryLock(t, second, "lease", ttl); ok {
		t.Fatal("TryLock took a lease a microsecond before it expires")
	}

	clk.Set(start.Add(ttl)) // the lease has run out
	unlockSecond, ok := tryLock(t, second, "lease", ttl)
	if !ok {
		t.Fatal("TryLock did not take over an expired lease")
	}
	unlockFirst() // too late: its lease is gone
	if _, ok := tryLock(t, third, "lease", ttl); ok {
		t.Fatal("the old holder's unlock released the new holder's lease")
	}
	unlockSecond()
	if _, ok := tryLock(t, third, "lease", ttl); !ok {
		t.Fatal("TryLock failed after the new holder's unlock")
	}
}

// testLockCrash has a child process take a lock and kills it with SIGKILL.
// On PostgreSQL the server ends the dead process's session and frees the
// lock; on SQLite the lease stays until it expires.
func testLockCrash(t *testing.T, b backend) {
	database, dir := b(t)
	db := opener(b)(t)
	c := startChild(t, childLock, dir, childDatabaseEnv+"="+database)
	c.waitReady(t)
	if _, ok := tryLock(t, db, "crash", time.Minute); ok {
		t.Fatal("TryLock took the lock the child holds")
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL; stderr: %s", err, c.stderr)
	}

	if db.Dialect() == store.DialectPostgres {
		// The server notices the closed connection at once, but ends the
		// session in its own time.
		waitForLock(t, db, "crash")
		return
	}
	if _, ok := tryLock(t, db, "crash", time.Minute); ok {
		t.Fatal("TryLock took a lease whose holder died before it expired")
	}
	clk := newClock(db)
	clk.Set(time.Now().Add(childLockTTL)) // the child's lease has run out
	if _, ok := tryLock(t, db, "crash", time.Minute); !ok {
		t.Fatal("TryLock did not take the dead holder's lease once it expired")
	}
}

// childLockTTL is the ttl of the lock childLock takes.
const childLockTTL = time.Hour

// lockChild is the main of a childLock process: it takes the lock "crash",
// says ready, and waits to be killed.
func lockChild(ctx context.Context, database, dir string) int {
	db, err := store.Open(ctx, database, dir, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 2
	}
	if _, ok, err := db.TryLock(ctx, "crash", childLockTTL); err != nil || !ok {
		fmt.Fprintln(os.Stderr, "child lock:", ok, err)
		return 2
	}
	fmt.Println("ready")
	// If the parent dies instead, stdin closes and the child leaves.
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 3
}

// waitForLock tries name on db until it gets it, for at most 10 seconds.
func waitForLock(t *testing.T, db *store.DB, name string) (unlock func()) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		unlock, ok := tryLock(t, db, name, time.Minute)
		if ok {
			return unlock
		}
		if time.Now().After(deadline) {
			t.Fatalf("TryLock(%q) still fails 10 s after the holder's session ended", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testLockMigration takes a database back to schema version 2, holding data,
// and reopens it: 0003 must apply, keep the data, and the locks work.
func testLockMigration(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	mustPut(t, db, "ns", "k", "kept")
	rollbackTo(t, db, 2)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = opener(b)(t)
	if v, err := db.SchemaVersion(ctx); err != nil || v != latestVersion(t, db.Dialect()) {
		t.Fatalf("SchemaVersion() after reopen = %d, %v; want %d", v, err, latestVersion(t, db.Dialect()))
	}
	if it, err := db.Get(ctx, "ns", "k"); err != nil || string(it.Value) != "kept" {
		t.Errorf("kv item after migration = %+v, %v; want \"kept\"", it, err)
	}
	if _, ok := tryLock(t, db, "after-migration", time.Minute); !ok {
		t.Error("TryLock after migration did not take a free lock")
	}
}

// advisoryLocks counts the advisory locks granted in the current database,
// to whichever session.
func advisoryLocks(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.QueryRowRaw(context.Background(), `SELECT COUNT(*) FROM pg_locks
		WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testAdvisoryNoneLeft checks that no path of TryLock leaves an advisory
// lock behind on a pooled connection: advisory locks stack within a
// session, so a leaked one would let that connection take the lock again.
func testAdvisoryNoneLeft(t *testing.T, b backend) {
	a, other := opener(b)(t), opener(b)(t)
	unlock, ok := tryLock(t, a, "none-left", time.Minute)
	if !ok {
		t.Fatal("TryLock did not take a free lock")
	}
	if n := advisoryLocks(t, other); n != 1 {
		t.Fatalf("%d advisory locks while one is held, want 1", n)
	}
	for range 3 { // refused: each call returns its connection, holding nothing
		if _, ok := tryLock(t, other, "none-left", time.Minute); ok {
			t.Fatal("TryLock took a held lock")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := other.TryLock(ctx, "none-left-2", time.Minute); err == nil {
		t.Fatal("TryLock with a cancelled context succeeded")
	}
	unlock()
	if n := advisoryLocks(t, other); n != 0 {
		t.Fatalf("%d advisory locks after unlock, want 0", n)
	}
	if _, ok := tryLock(t, other, "none-left", time.Minute); !ok {
		t.Fatal("TryLock failed on a lock just released")
	}
}

// testAdvisoryTerminated ends the holder's session from the server side, as
// a network failure or an administrator would: the lock comes free, the
// holder's unlock reports it, and the holder's store keeps working.
func testAdvisoryTerminated(t *testing.T, b backend) {
	ctx := context.Background()
	database, dir := b(t)
	var logs syncBuffer
	holder, err := store.Open(ctx, database, dir, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Close() })
	other := opener(b)(t)

	unlock, ok := tryLock(t, holder, "terminated", time.Minute)
	if !ok {
		t.Fatal("TryLock did not take a free lock")
	}
	var terminated int
	err = other.QueryRowRaw(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&terminated)
	if err != nil || terminated != 1 {
		t.Fatalf("terminated %d sessions holding advisory locks, %v; want 1", terminated, err)
	}
	unlockOther := waitForLock(t, other, "terminated")

	unlock() // its session is gone: logs, and frees nothing of other's
	if !strings.Contains(logs.String(), "release lock") {
		t.Errorf("unlock of a terminated session logged %q, want a warning", logs.String())
	}
	if _, ok := tryLock(t, holder, "terminated", time.Minute); ok {
		t.Fatal("the old holder took the lock that other holds")
	}
	unlockOther()
	if _, ok := tryLock(t, holder, "terminated", time.Minute); !ok {
		t.Fatal("the old holder's store cannot take the lock after other released it")
	}
	mustPut(t, holder, "ns", "k", "still works")
}

// testAdvisorySchemas opens stores in two schemas of one database: advisory
// locks belong to the database, but the store's locks belong to its schema.
func testAdvisorySchemas(t *testing.T, b backend) {
	a := opener(b)(t)
	if _, ok := tryLock(t, a, "schema", time.Minute); !ok {
		t.Fatal("TryLock did not take a free lock")
	}
	t.Run("other-schema", func(t *testing.T) {
		other := opener(b)(t) // a new test: a schema of its own
		if _, ok := tryLock(t, other, "schema", time.Minute); !ok {
			t.Fatal("a lock held in one schema excludes the same name in another")
		}
	})
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
