package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string // file name, for logs
	sql     string
}

// migrationName is NNNN_words.sql.
var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// pgMigrationLock is the pg_advisory_xact_lock key that serialises schema
// migrations across processes ("pbxgate" and a 1).
const pgMigrationLock int64 = 0x7062786761746501

// createMigrationsTable is run, in the migration transaction, before the
// applied versions are read.
var createMigrationsTable = map[string]string{
	DialectSQLite: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		applied_at INTEGER NOT NULL -- Unix microseconds, UTC
	) STRICT`,
	DialectPostgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT      NOT NULL PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL
	)`,
}

// loadMigrations returns the dialect's embedded migrations, sorted, after
// checking that they are numbered 1, 2, 3, … without gap or duplicate.
func loadMigrations(fsys fs.FS, dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("read migrations: %s: name is not NNNN_name.sql", path.Join(dir, e.Name()))
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("read migrations: %s: want version %d", path.Join(dir, m.name), i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("read migrations: %s is empty", dir)
	}
	return ms, nil
}

// migrate applies every embedded migration that the database lacks, one
// transaction each, until none is left.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrationFiles, db.dialect)
	if err != nil {
		return err
	}
	for {
		m, err := db.migrateStep(ctx, ms)
		if err != nil {
			return err
		}
		if m == nil {
			return nil
		}
		db.log.Info("schema migrated", "version", m.version, "migration", m.name)
	}
}

// migrateStep applies the first migration that is missing and returns it, or
// returns nil if the schema is up to date. It reads the applied versions
// under the migration lock, so concurrent processes never apply one twice.
func (db *DB) migrateStep(ctx context.Context, ms []migration) (*migration, error) {
	var done *migration
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if db.dialect == DialectPostgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, pgMigrationLock); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, createMigrationsTable[db.dialect]); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		latest := ms[len(ms)-1].version
		for _, v := range applied {
			if v > latest {
				return fmt.Errorf("%w: database has version %d, this binary knows up to %d", ErrSchemaTooNew, v, latest)
			}
		}
		for i := range ms {
			m := &ms[i]
			if slices.Contains(applied, m.version) {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply %s: %w", m.name, err)
			}
			ins := `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`
			if db.dialect == DialectPostgres {
				ins = rebind(ins)
			}
			if _, err := tx.ExecContext(ctx, ins, m.version, db.timeArg(db.timestamp())); err != nil {
				return fmt.Errorf("record %s: %w", m.name, err)
			}
			done = m
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migrate schema: %w", err)
	}
	return done, nil
}

func appliedVersions(ctx context.Context, tx *sql.Tx) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return vs, nil
}

// SchemaVersion returns the highest schema migration applied to the
// database; after a successful Open it is the highest this binary embeds.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !v.Valid {
		return 0, errors.New("read schema version: no migration applied")
	}
	return int(v.Int64), nil
}
