package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The audit trail of provisioning fetches (table fetches, migration 0004):
// written in batches by the provisioning server, read per device by the
// API, pruned by age.

// Fetch is one request for a device file.
type Fetch struct {
	MAC       string
	Time      time.Time
	IP        string
	UserAgent string
	File      string
	Result    string
	Hash      string
}

// Limits of the audit columns: longer values are cut, as they come from
// the network.
const (
	maxFetchUALen   = 256
	maxFetchFileLen = 256
)

// RecordFetches writes the fetches in one transaction.
func (db *DB) RecordFetches(ctx context.Context, fs []Fetch) error {
	if len(fs) == 0 {
		return nil
	}
	q := db.bind(`INSERT INTO fetches (mac, time, ip, user_agent, file, result, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer func() { _ = stmt.Close() }()
		for _, f := range fs {
			if _, err := stmt.ExecContext(ctx, cut(f.MAC, 64), db.timeArg(f.Time), cut(f.IP, 64),
				cut(f.UserAgent, maxFetchUALen), cut(f.File, maxFetchFileLen), cut(f.Result, 64), cut(f.Hash, 64)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record %d fetches: %w", len(fs), err)
	}
	return nil
}

// Fetches returns the last limit fetches of mac, newest first.
func (db *DB) Fetches(ctx context.Context, mac string, limit int) ([]Fetch, error) {
	q := db.bind(`SELECT mac, time, ip, user_agent, file, result, hash FROM fetches
		WHERE mac = ? ORDER BY time DESC, id DESC LIMIT ?`)
	rows, err := db.read.QueryContext(ctx, q, mac, limit)
	if err != nil {
		return nil, fmt.Errorf("fetches of %s: %w", mac, err)
	}
	defer rows.Close()
	var out []Fetch
	for rows.Next() {
		var f Fetch
		if err := rows.Scan(&f.MAC, timeScan{&f.Time}, &f.IP, &f.UserAgent, &f.File, &f.Result, &f.Hash); err != nil {
			return nil, fmt.Errorf("fetches of %s: %w", mac, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fetches of %s: %w", mac, err)
	}
	return out, nil
}

// PruneFetches deletes the fetches older than before and returns how many.
func (db *DB) PruneFetches(ctx context.Context, before time.Time) (int64, error) {
	q := db.bind(`DELETE FROM fetches WHERE time < ?`)
	res, err := db.write.ExecContext(ctx, q, db.timeArg(before))
	if err != nil {
		return 0, fmt.Errorf("prune fetches: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// cut makes s storable text of at most n bytes: valid UTF-8 without NUL
// (PostgreSQL refuses both), cut on a character boundary.
func cut(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
