package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Dialect names returned by [DB.Dialect].
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// FileName is the name of the SQLite database file in the data directory.
const FileName = "pbxgate.db"

var (
	// ErrNotFound is returned, wrapped, when the item or row asked for does
	// not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned, wrapped, by CompareAndSwap when the stored
	// version is not the one the caller named; nothing was written.
	ErrConflict = errors.New("version conflict")
	// ErrSchemaTooNew is returned, wrapped, by Open when the database was
	// migrated by a newer pbxgate than this one.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
)

// DB is an open store. It is safe for concurrent use by many goroutines.
type DB struct {
	dialect string
	// write runs every write transaction. For SQLite it holds a single
	// connection that begins transactions with BEGIN IMMEDIATE; for
	// PostgreSQL it is the same pool as read.
	write *sql.DB
	// read runs reads that need no transaction.
	read *sql.DB
	q    queries
	log  *slog.Logger
	now  func() time.Time
	// locks are the named locks held through TryLock.
	locks lockSet

	closeOnce sync.Once
	closeErr  error
}

// Open opens the store selected by database ("" for SQLite in dataDir, or a
// postgres:// or postgresql:// URL), configures the connection and applies
// the schema migrations this binary embeds. log may be nil.
func Open(ctx context.Context, database, dataDir string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "store")
	var (
		db  *DB
		err error
	)
	switch {
	case database == "":
		db, err = openSQLite(ctx, dataDir, log)
	case hasPrefixFold(database, "postgres://"), hasPrefixFold(database, "postgresql://"):
		db, err = openPostgres(ctx, database, log)
	default:
		// Never echo the string: it may hold a password.
		return nil, errors.New("open store: database must be empty (SQLite in the data directory) or a postgres:// or postgresql:// URL")
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func newDB(dialect string, write, read *sql.DB, log *slog.Logger) *DB {
	return &DB{
		dialect: dialect,
		write:   write,
		read:    read,
		q:       newQueries(dialect),
		log:     log,
		now:     time.Now,
	}
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Close releases the locks still held and the connections. It is safe to
// call more than once; calls after the first return the first one's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.releaseLocks()
		var errs []error
		if db.read != db.write {
			errs = append(errs, db.read.Close())
		}
		errs = append(errs, db.write.Close())
		if err := errors.Join(errs...); err != nil {
			db.closeErr = fmt.Errorf("close store: %w", err)
		}
	})
	return db.closeErr
}

// inTx runs fn in one write transaction and commits it; any error from fn
// rolls the transaction back.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// timestamp returns the store clock's now, as stored: UTC, microseconds.
func (db *DB) timestamp() time.Time {
	return db.now().UTC().Truncate(time.Microsecond)
}
