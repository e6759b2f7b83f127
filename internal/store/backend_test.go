package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

// runBackendTests are tests of Open and migrations that need more than the
// conformance suite's open function: raw SQL and Open's errors.
func runBackendTests(t *testing.T, b backend) {
	t.Run("open/migrations-recorded", func(t *testing.T) { testMigrationsRecorded(t, b) })
	t.Run("open/schema-too-new-refused", func(t *testing.T) { testSchemaTooNew(t, b) })
	t.Run("open/concurrent", func(t *testing.T) { testConcurrentOpen(t, b) })
}

func latestVersion(t *testing.T, dialect string) int {
	t.Helper()
	ms, err := store.LoadMigrations(store.MigrationFiles, dialect)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

func testMigrationsRecorded(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	opener(b)(t) // a second open must add nothing
	latest := latestVersion(t, db.Dialect())
	var rows, maxVersion int
	err := db.QueryRowRaw(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&rows, &maxVersion)
	if err != nil {
		t.Fatal(err)
	}
	if rows != latest || maxVersion != latest {
		t.Errorf("schema_migrations has %d rows up to version %d, want %d up to %d", rows, maxVersion, latest, latest)
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != latest {
		t.Errorf("SchemaVersion() = %d, %v; want %d", v, err, latest)
	}
}

func testSchemaTooNew(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	mustPut(t, db, "ns", "k", "v")
	var appliedAt any = time.Now().UTC()
	if db.Dialect() == store.DialectSQLite {
		appliedAt = time.Now().UnixMicro()
	}
	if err := db.ExecRaw(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, 9999, appliedAt); err != nil {
		t.Fatal(err)
	}
	database, dir := b(t)
	newer, err := store.Open(ctx, database, dir, testLogger(t))
	if err == nil {
		_ = newer.Close()
		t.Fatal("Open of a database with schema version 9999 succeeded, want ErrSchemaTooNew")
	}
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open error = %v, want ErrSchemaTooNew", err)
	}
	// The refused open changed nothing.
	if it, err := db.Get(ctx, "ns", "k"); err != nil || it.Version != 1 {
		t.Fatalf("Get after refused open = %+v, %v", it, err)
	}
}

// testConcurrentOpen starts several opens of one empty database at once, as
// nodes starting together do: all must succeed and migrate exactly once.
func testConcurrentOpen(t *testing.T, b backend) {
	const n = 6
	ctx := context.Background()
	database, dir := b(t)
	start := make(chan struct{})
	dbs := make([]*store.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			dbs[i], errs[i] = store.Open(ctx, database, dir, nil)
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("open #%d: %v", i, errs[i])
			continue
		}
		t.Cleanup(func() { _ = dbs[i].Close() })
	}
	if t.Failed() {
		return
	}
	latest := latestVersion(t, dbs[0].Dialect())
	var rows int
	if err := dbs[0].QueryRowRaw(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != latest {
		t.Errorf("schema_migrations has %d rows, want %d", rows, latest)
	}
	for i, db := range dbs {
		if _, err := db.Put(ctx, "ns", "k", []byte{byte(i)}); err != nil {
			t.Errorf("Put through handle %d: %v", i, err)
		}
	}
	if it, err := dbs[0].Get(ctx, "ns", "k"); err != nil || it.Version != n {
		t.Errorf("Get = version %d, %v; want %d", it.Version, err, n)
	}
}

func mustPut(t *testing.T, db *store.DB, ns, key, val string) {
	t.Helper()
	if _, err := db.Put(context.Background(), ns, key, []byte(val)); err != nil {
		t.Fatalf("Put(%q, %q): %v", ns, key, err)
	}
}
