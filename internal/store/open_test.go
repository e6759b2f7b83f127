package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/store"
)

func TestOpenSelectsBackend(t *testing.T) {
	tests := []struct {
		name     string
		database string
		noDir    bool
		wantErr  string // substring; "" = success
	}{
		{name: "ok/empty-is-sqlite", database: ""},
		{name: "fail/sqlite-without-data-dir", database: "", noDir: true, wantErr: "data directory is empty"},
		{name: "fail/mysql-url", database: "mysql://user:s3cret@db.example/pbx", wantErr: "postgres:// or postgresql:// URL"},
		{name: "fail/sqlite-path", database: "/var/lib/pbxgate/s3cret.db", wantErr: "must be empty"},
		{name: "fail/sqlite-uri", database: "file:s3cret.db?mode=rwc", wantErr: "must be empty"},
		{name: "fail/postgres-without-slashes", database: "postgres:s3cret", wantErr: "must be empty"},
		// Port 1 on loopback refuses at once: the URL was taken as PostgreSQL.
		{name: "fail/postgres-unreachable", database: "postgres://user:s3cret@127.0.0.1:1/pbx?connect_timeout=10", wantErr: "open postgres"},
		{name: "fail/postgresql-unreachable", database: "postgresql://user:s3cret@127.0.0.1:1/pbx?connect_timeout=10", wantErr: "open postgres"},
		{name: "fail/postgres-upper-case-scheme", database: "POSTGRES://user:s3cret@127.0.0.1:1/pbx?connect_timeout=10", wantErr: "open postgres"},
		{name: "fail/postgres-bad-url", database: "postgres://user:s3cret@127.0.0.1:notaport/pbx", wantErr: "invalid database URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.noDir {
				dir = ""
			}
			db, err := store.Open(context.Background(), tt.database, dir, testLogger(t))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer db.Close()
				if db.Dialect() != store.DialectSQLite {
					t.Errorf("Dialect() = %q, want sqlite", db.Dialect())
				}
				if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
					t.Errorf("database file: %v", err)
				}
				return
			}
			if err == nil {
				_ = db.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.database)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Open error = %q, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Open error %q repeats a secret of the database string", err)
			}
		})
	}
}

func TestSQLiteFile(t *testing.T) {
	ctx := context.Background()
	// A data directory that does not exist yet, with characters that mean
	// something in a file: URI.
	dir := filepath.Join(t.TempDir(), "data ?#%&=dir", "nested")
	db, err := store.Open(ctx, "", dir, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustPut(t, db, "ns", "k", "v")

	fi, err := os.Stat(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatalf("database file not at the data directory's path: %v", err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("database file mode = %v, want 0600", mode)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v, %v; want mode 0700", fi.Mode().Perm(), err)
	}

	pragmas := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "1"}, // NORMAL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	}
	for _, p := range pragmas {
		var got string
		if err := db.QueryRowRaw(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %q on the writer, want %q", p.pragma, got, p.want)
		}
	}
}
