// Package storetest is the conformance suite of package store: every backend
// runs the same named subtests, so that SQLite and PostgreSQL behave the same
// for every method of [store.DB].
//
// A backend's test calls [Run] with a function that opens a store:
//
//	func TestSQLite(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) *store.DB { … })
//	}
package storetest

import (
	"context"
	"testing"

	"github.com/pbxgate/pbxgate/internal/store"
)

// Run runs the conformance suite. open must return an open store on a
// database private to t: the first call for a given t gets an empty database
// (freshly migrated), and each later call with the same t returns a new
// handle on that same database, as a restarted process would get. open
// reports its own failures with t.Fatal and closes the handle in
// t.Cleanup; the suite may close it earlier, so Close must tolerate a second
// call.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("kv", func(t *testing.T) { runKV(t, open) })
	t.Run("nodes", func(t *testing.T) { runNodes(t, open) })
	t.Run("domains", func(t *testing.T) { runDomains(t, open) })
	t.Run("lock", func(t *testing.T) { runLock(t, open) })
	t.Run("fetches", func(t *testing.T) { runFetches(t, open) })
	t.Run("bans", func(t *testing.T) { runBans(t, open) })
	t.Run("schema", func(t *testing.T) { runSchema(t, open) })
}

func runKV(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("get/not-found", func(t *testing.T) { testGetNotFound(t, open(t)) })
	t.Run("put/create-then-update", func(t *testing.T) { testPutUpdate(t, open(t)) })
	t.Run("put/namespaces-are-separate", func(t *testing.T) { testNamespaces(t, open(t)) })
	t.Run("cas", func(t *testing.T) { testCompareAndSwap(t, open) })
	t.Run("delete", func(t *testing.T) { testDelete(t, open) })
	t.Run("list/prefix", func(t *testing.T) { testListPrefix(t, open(t)) })
	t.Run("value/binary", func(t *testing.T) { testBinaryValues(t, open(t)) })
	t.Run("value/large", func(t *testing.T) { testLargeValues(t, open(t)) })
	t.Run("args/invalid", func(t *testing.T) { testInvalidKV(t, open(t)) })
	t.Run("context/canceled", func(t *testing.T) { testCanceled(t, open(t)) })
	t.Run("concurrency/cas-counter", func(t *testing.T) { testCASCounter(t, open(t)) })
}

func runNodes(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("empty", func(t *testing.T) { testNodesEmpty(t, open(t)) })
	t.Run("heartbeat/insert-sorted", func(t *testing.T) { testHeartbeatInsert(t, open(t)) })
	t.Run("heartbeat/upsert", func(t *testing.T) { testHeartbeatUpsert(t, open(t)) })
	t.Run("heartbeat/invalid", func(t *testing.T) { testHeartbeatInvalid(t, open(t)) })
	t.Run("forget", func(t *testing.T) { testForget(t, open(t)) })
	t.Run("time/round-trip", func(t *testing.T) { testTimeRoundTrip(t, open(t)) })
}

func runSchema(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("dialect", func(t *testing.T) { testDialect(t, open(t)) })
	t.Run("migrations/idempotent-on-reopen", func(t *testing.T) { testReopen(t, open) })
	t.Run("close/twice", func(t *testing.T) { testCloseTwice(t, open(t)) })
}

func testDialect(t *testing.T, db *store.DB) {
	if d := db.Dialect(); d != store.DialectSQLite && d != store.DialectPostgres {
		t.Errorf("Dialect() = %q, want %q or %q", d, store.DialectSQLite, store.DialectPostgres)
	}
}

// testReopen opens the same database again, as restarted and concurrent
// processes do: migrations must apply nothing twice and keep the data.
func testReopen(t *testing.T, open func(t *testing.T) *store.DB) {
	ctx := context.Background()
	first := open(t)
	want, err := first.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want < 1 {
		t.Fatalf("SchemaVersion() = %d after open, want >= 1", want)
	}
	mustPut(t, first, "reopen", "k", "one")

	second := open(t) // while the first handle is still open
	if got, err := second.SchemaVersion(ctx); err != nil || got != want {
		t.Fatalf("second open: SchemaVersion() = %d, %v; want %d", got, err, want)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close(): %v", err)
	}
	third := open(t)
	if got, err := third.SchemaVersion(ctx); err != nil || got != want {
		t.Fatalf("third open: SchemaVersion() = %d, %v; want %d", got, err, want)
	}
	if v, err := third.Put(ctx, "reopen", "k", []byte("two")); err != nil || v != 2 {
		t.Fatalf("Put after reopen = %d, %v; want version 2", v, err)
	}
	it, err := second.Get(ctx, "reopen", "k")
	if err != nil || string(it.Value) != "two" || it.Version != 2 {
		t.Fatalf("Get through second handle = %q v%d, %v; want \"two\" v2", it.Value, it.Version, err)
	}
}

func testCloseTwice(t *testing.T, db *store.DB) {
	if err := db.Close(); err != nil {
		t.Fatalf("first Close(): %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close(): %v", err)
	}
	if _, err := db.Get(context.Background(), "ns", "k"); err == nil {
		t.Fatal("Get after Close succeeded, want an error")
	}
}

func mustPut(t *testing.T, db *store.DB, ns, key, val string) int64 {
	t.Helper()
	v, err := db.Put(context.Background(), ns, key, []byte(val))
	if err != nil {
		t.Fatalf("Put(%q, %q): %v", ns, key, err)
	}
	return v
}
