package store

import (
	"context"
	"database/sql"
	"time"
)

// Hooks for this package's external tests (package store_test); they are
// compiled only into the test binary.
var (
	PrefixEnd      = prefixEnd
	Rebind         = rebind
	LoadMigrations = loadMigrations
	MigrationFiles = migrationFiles
)

// ExecRaw runs a statement written with ? placeholders in its own write
// transaction.
func (db *DB) ExecRaw(ctx context.Context, query string, args ...any) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.bind(query), args...)
		return err
	})
}

// QueryRowRaw runs a query written with ? placeholders on the writer.
func (db *DB) QueryRowRaw(ctx context.Context, query string, args ...any) *sql.Row {
	return db.write.QueryRowContext(ctx, db.bind(query), args...)
}

// BeginRaw begins a write transaction as the store's methods do.
func (db *DB) BeginRaw(ctx context.Context) (*sql.Tx, error) {
	return db.write.BeginTx(ctx, nil)
}

// SetNow replaces the store's clock. Call it before the DB is shared with
// other goroutines.
func (db *DB) SetNow(now func() time.Time) { db.now = now }
