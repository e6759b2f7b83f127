package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite connection settings. busy_timeout bounds how long a write waits for
// another process holding the file's write lock.
const (
	sqliteBusyTimeoutMS = 10000
	sqliteReaders       = 4
)

func openSQLite(ctx context.Context, dataDir string, log *slog.Logger) (*DB, error) {
	if dataDir == "" {
		return nil, errors.New("open sqlite: data directory is empty")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite: create data directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dataDir, FileName))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// Create the file ourselves so that it is private from the start: it will
	// hold key material. SQLite gives the -wal and -shm files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}

	write, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// One writer connection: writes queue in Go instead of spinning in
	// SQLite's busy handler, and BEGIN IMMEDIATE (from the DSN) takes the
	// write lock at the start of every transaction.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := setWAL(ctx, write); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	read.SetMaxOpenConns(sqliteReaders)
	read.SetMaxIdleConns(sqliteReaders)
	log.Info("store opened", "dialect", DialectSQLite, "path", path)
	return newDB(DialectSQLite, write, read, log), nil
}

// sqliteDSN builds the modernc.org/sqlite DSN. The driver applies these
// settings on every new connection, busy_timeout first.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(sqliteBusyTimeoutMS))
	q.Set("_foreign_keys", "1")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_synchronous", "NORMAL")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Opaque: escapePath(path), RawQuery: q.Encode()}
	return u.String()
}

// escapePath escapes the characters that would end or confuse the path part
// of a file: URI.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
}

// setWAL switches the file to WAL mode (a persistent setting, a no-op once
// done) and verifies it: a filesystem without shared memory support would
// leave it in another mode. The switch needs the file to itself and SQLite
// does not wait in its busy handler for that, so a process opening the file
// while another migrates it retries here, within the busy timeout.
func setWAL(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(sqliteBusyTimeoutMS * time.Millisecond)
	backoff := 5 * time.Millisecond
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil {
			if !strings.EqualFold(mode, "wal") {
				return fmt.Errorf("journal mode is %q, want wal", mode)
			}
			return nil
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return fmt.Errorf("set journal mode: %w", err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("set journal mode: %w", ctx.Err())
		case <-t.C:
		}
		backoff = min(2*backoff, 100*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY, or one of its
// extended codes.
func isBusy(err error) bool {
	const sqliteBusy = 5
	var serr *sqlite.Error
	return errors.As(err, &serr) && serr.Code()&0xff == sqliteBusy
}
