package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

// runBanSchemaTests checks the bans schema below the methods: the migration
// is additive, and the checks refuse rows the methods never write.
func runBanSchemaTests(t *testing.T, b backend) {
	t.Run("migration/0005-on-a-version-4-database", func(t *testing.T) { testBanMigration(t, b) })
	t.Run("schema/guards", func(t *testing.T) { testBanSchemaGuards(t, b) })
}

func TestBanSchemaSQLite(t *testing.T)   { runBanSchemaTests(t, sqliteBackend()) }
func TestBanSchemaPostgres(t *testing.T) { runBanSchemaTests(t, postgresBackend(t)) }

// testBanMigration takes a database back to schema version 4, holding data,
// and reopens it: 0005 must apply, keep the data, and start the revision
// at 0.
func testBanMigration(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	mustPut(t, db, "ns", "k", "kept")
	if err := db.RecordFetches(ctx, []store.Fetch{{MAC: "001565a1b2c3", Time: time.Now(), Result: "ok"}}); err != nil {
		t.Fatal(err)
	}
	rollbackTo(t, db, 4)
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
	if fs, err := db.Fetches(ctx, "001565a1b2c3", 10); err != nil || len(fs) != 1 {
		t.Errorf("fetches after migration = %+v, %v; want the one recorded", fs, err)
	}
	if rev, err := db.BansRevision(ctx); err != nil || rev != 0 {
		t.Errorf("BansRevision() after migration = %d, %v; want 0", rev, err)
	}
	now := time.Now()
	if err := db.PutBan(ctx, store.Ban{IP: "192.0.2.1", Since: now, Until: now.Add(time.Hour), Count: 1}); err != nil {
		t.Errorf("PutBan after migration: %v", err)
	}
}

// testBanSchemaGuards writes rows behind the methods' back: the checks
// must refuse what the methods never write.
func testBanSchemaGuards(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	var no, yes, other any = false, true, 2
	since, until := any(time.Unix(1000, 0).UTC()), any(time.Unix(2000, 0).UTC())
	if db.Dialect() == store.DialectSQLite {
		no, yes = 0, 1
		since, until = int64(1000e6), int64(2000e6)
	}
	insert := func(ip string, since, until any, count int, manual any) error {
		return db.ExecRaw(ctx, `INSERT INTO bans (ip, since_time, until_time, reason, count, manual, node)
			VALUES (?, ?, ?, '', ?, ?, '')`, ip, since, until, count, manual)
	}
	tests := []struct {
		name string
		raw  func() error
	}{
		{name: "fail/empty-ip", raw: func() error { return insert("", since, until, 1, no) }},
		{name: "fail/until-before-since", raw: func() error { return insert("192.0.2.1", until, since, 1, no) }},
		{name: "fail/negative-count", raw: func() error { return insert("192.0.2.1", since, until, -1, no) }},
		{name: "fail/manual-not-boolean", raw: func() error { return insert("192.0.2.1", since, until, 1, other) }},
		{name: "fail/second-counter-row", raw: func() error {
			return db.ExecRaw(ctx, `INSERT INTO bans_revision (id, revision) VALUES (2, 0)`)
		}},
		{name: "fail/negative-revision", raw: func() error {
			return db.ExecRaw(ctx, `UPDATE bans_revision SET revision = -1`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.raw(); err == nil {
				t.Fatal("raw write succeeded, want the schema to refuse it")
			}
		})
	}
	// The control: valid raw rows go in, so the refusals above are the
	// schema's and not a broken statement, and the methods read them.
	if err := insert("192.0.2.1", since, until, 1, yes); err != nil {
		t.Fatalf("valid raw insert: %v", err)
	}
	if err := insert("192.0.2.2", since, until, 0, no); err != nil {
		t.Fatalf("valid raw insert: %v", err)
	}
	bans, err := db.Bans(ctx, time.Unix(1500, 0))
	if err != nil || len(bans) != 2 || !bans[0].Manual || bans[1].Manual || !bans[0].Until.Equal(time.Unix(2000, 0)) {
		t.Fatalf("Bans() after raw inserts = %+v, %v", bans, err)
	}
}
