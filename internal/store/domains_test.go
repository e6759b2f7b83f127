package store_test

import (
	"context"
	"testing"

	"github.com/pbxgate/pbxgate/internal/store"
)

// runDomainSchemaTests checks the domains schema itself, below the methods:
// the migration is additive, and the database keeps the tree whole even
// against raw SQL that skips the methods' checks.
func runDomainSchemaTests(t *testing.T, b backend) {
	t.Run("migration/0002-on-a-version-1-database", func(t *testing.T) { testDomainMigration(t, b) })
	t.Run("schema/guards", func(t *testing.T) { testDomainSchemaGuards(t, b) })
}

func TestDomainSchemaSQLite(t *testing.T)   { runDomainSchemaTests(t, sqliteBackend()) }
func TestDomainSchemaPostgres(t *testing.T) { runDomainSchemaTests(t, postgresBackend(t)) }

// testDomainMigration takes a database back to schema version 1, holding
// data, and reopens it: 0002 (and every later migration) must apply and keep
// what 0001's tables hold.
func testDomainMigration(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	mustPut(t, db, "ns", "k", "kept")
	rollbackTo(t, db, 1)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = opener(b)(t)
	if v, err := db.SchemaVersion(ctx); err != nil || v != latestVersion(t, db.Dialect()) {
		t.Fatalf("SchemaVersion() after reopen = %d, %v; want %d", v, err, latestVersion(t, db.Dialect()))
	}
	if it, err := db.Get(ctx, "ns", "k"); err != nil || string(it.Value) != "kept" || it.Version != 1 {
		t.Errorf("kv item after migration = %+v, %v; want \"kept\" at version 1", it, err)
	}
	if rev, err := db.DomainsRevision(ctx); err != nil || rev != 0 {
		t.Errorf("DomainsRevision() after migration = %d, %v; want 0", rev, err)
	}
	if _, err := db.CreateDomain(ctx, store.Domain{Name: "example.com"}); err != nil {
		t.Errorf("CreateDomain after migration: %v", err)
	}
}

// testDomainSchemaGuards writes rows behind the methods' back: the foreign
// key and the checks must refuse what would break the tree.
func testDomainSchemaGuards(t *testing.T, b backend) {
	ctx := context.Background()
	db := opener(b)(t)
	if _, err := db.CreateDomain(ctx, store.Domain{Name: "example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateDomain(ctx, store.Domain{Name: "a.example.com", Parent: "example.com"}); err != nil {
		t.Fatal(err)
	}
	var acme any = false
	if db.Dialect() == store.DialectSQLite {
		acme = 0
	}
	insert := func(name, parent string) error {
		var p any
		if parent != "" {
			p = parent
		}
		return db.ExecRaw(ctx, `INSERT INTO domains
			(name, parent, certificate_pem, acme_enabled, acme_account_email, created, updated, revision)
			VALUES (?, ?, '', ?, '', `+nowSQL(db)+`, `+nowSQL(db)+`, 1)`, name, p, acme)
	}
	tests := []struct {
		name string
		raw  func() error
	}{
		{name: "fail/unknown-parent", raw: func() error { return insert("b.example.com", "nowhere.example.com") }},
		{name: "fail/own-parent", raw: func() error { return insert("b.example.com", "b.example.com") }},
		{name: "fail/delete-parent-of-a-child", raw: func() error {
			return db.ExecRaw(ctx, `DELETE FROM domains WHERE name = ?`, "example.com")
		}},
		{name: "fail/update-to-unknown-parent", raw: func() error {
			return db.ExecRaw(ctx, `UPDATE domains SET parent = ? WHERE name = ?`, "nowhere", "a.example.com")
		}},
		{name: "fail/second-counter-row", raw: func() error {
			return db.ExecRaw(ctx, `INSERT INTO domains_revision (id, revision) VALUES (2, 0)`)
		}},
		{name: "fail/zero-revision", raw: func() error {
			return db.ExecRaw(ctx, `UPDATE domains SET revision = 0 WHERE name = ?`, "a.example.com")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.raw(); err == nil {
				t.Fatal("raw write succeeded, want the schema to refuse it")
			}
		})
	}
	// The control: a valid raw row goes in, so the refusals above are the
	// schema's and not a broken statement.
	if err := insert("b.example.com", "example.com"); err != nil {
		t.Fatalf("valid raw insert: %v", err)
	}
	if _, err := db.Domain(ctx, "b.example.com"); err != nil {
		t.Fatalf("Domain(b.example.com) after raw insert: %v", err)
	}
	if _, err := db.DeleteDomain(ctx, "a.example.com", false); err != nil {
		t.Fatalf("DeleteDomain(a.example.com): %v", err)
	}
}

// nowSQL is an SQL expression for a timestamp in the dialect's encoding.
func nowSQL(db *store.DB) string {
	if db.Dialect() == store.DialectSQLite {
		return "0"
	}
	return "now()"
}
