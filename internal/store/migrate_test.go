package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pbxgate/pbxgate/internal/store"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr string
	}{
		{name: "ok/sorted", files: fstest.MapFS{
			"migrations/sqlite/0002_b.sql": file("B"),
			"migrations/sqlite/0001_a.sql": file("A"),
		}, want: []int{1, 2}},
		{name: "fail/gap", files: fstest.MapFS{
			"migrations/sqlite/0001_a.sql": file("A"),
			"migrations/sqlite/0003_c.sql": file("C"),
		}, wantErr: "want version 2"},
		{name: "fail/duplicate", files: fstest.MapFS{
			"migrations/sqlite/0001_a.sql": file("A"),
			"migrations/sqlite/0001_b.sql": file("B"),
		}, wantErr: "want version 2"},
		{name: "fail/not-starting-at-1", files: fstest.MapFS{
			"migrations/sqlite/0002_b.sql": file("B"),
		}, wantErr: "want version 1"},
		{name: "fail/bad-name", files: fstest.MapFS{
			"migrations/sqlite/0001_a.sql": file("A"),
			"migrations/sqlite/2_b.sql":    file("B"),
		}, wantErr: "NNNN_name.sql"},
		{name: "fail/empty", files: fstest.MapFS{
			"migrations/sqlite": &fstest.MapFile{Mode: fs.ModeDir | 0o755},
		}, wantErr: "is empty"},
		{name: "fail/missing-dialect", files: fstest.MapFS{
			"migrations/postgres/0001_a.sql": file("A"),
		}, wantErr: "read migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := store.LoadMigrations(tt.files, store.DialectSQLite)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadMigrations error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != len(tt.want) {
				t.Fatalf("got %d migrations, want %d", len(ms), len(tt.want))
			}
		})
	}
}

// TestEmbeddedMigrations checks the migrations shipped in the binary: valid
// for both dialects, with the same numbers, so both backends reach the same
// schema version.
func TestEmbeddedMigrations(t *testing.T) {
	sqlite, err := store.LoadMigrations(store.MigrationFiles, store.DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	postgres, err := store.LoadMigrations(store.MigrationFiles, store.DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(sqlite) != len(postgres) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones: each schema change needs both", len(sqlite), len(postgres))
	}
}

// migrationTables lists the tables each migration creates, in the order to
// drop them (a table before those it references). A migration that creates
// a table adds its line here, or rollbackTo refuses to roll it back.
var migrationTables = map[int][]string{
	2: {"domains_revision", "domains"},
	3: {"locks"}, // SQLite only: PostgreSQL's 0003 creates nothing
	4: {"fetches"},
	5: {"bans_revision", "bans"},
}

// rollbackTo takes db back to schema version, as a binary that stops at
// version left it: it drops the tables of every later migration and their
// rows of schema_migrations. The data of the tables it keeps stays.
func rollbackTo(t *testing.T, db *store.DB, version int) {
	t.Helper()
	ctx := context.Background()
	var stmts []string
	for v := latestVersion(t, db.Dialect()); v > version; v-- {
		tables, ok := migrationTables[v]
		if !ok {
			t.Fatalf("rollbackTo: migration %d is missing from migrationTables", v)
		}
		if v == 3 && db.Dialect() == store.DialectPostgres {
			tables = nil
		}
		for _, table := range tables {
			stmts = append(stmts, "DROP TABLE "+table)
		}
	}
	stmts = append(stmts, fmt.Sprintf("DELETE FROM schema_migrations WHERE version > %d", version))
	for _, stmt := range stmts {
		if err := db.ExecRaw(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != version {
		t.Fatalf("SchemaVersion() = %d, %v; want %d after the rollback", v, err, version)
	}
}
