package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// queries holds every statement the store runs, written once with ?
// placeholders and rebound for the dialect when the DB is opened.
type queries struct {
	kvGet       string
	kvPut       string
	kvCreate    string
	kvSwap      string
	kvDelete    string
	kvList      string // ns, lower bound
	kvListRange string // ns, lower bound, upper bound (exclusive)

	nodeUpsert string
	nodeList   string
	nodeDelete string

	leaseTake    string // name, holder, expires, now → holder; no row while another lease runs (SQLite)
	leaseRelease string // name, holder (SQLite)
	advisoryTake string // name → key, taken (PostgreSQL)
	advisoryFree string // key → released (PostgreSQL)
}

func newQueries(dialect string) queries {
	q := queries{
		kvGet: `SELECT value, version, updated FROM kv WHERE ns = ? AND key = ?`,
		kvPut: `INSERT INTO kv (ns, key, value, version, updated) VALUES (?, ?, ?, 1, ?)
			ON CONFLICT (ns, key) DO UPDATE
			SET value = excluded.value, version = kv.version + 1, updated = excluded.updated
			RETURNING version`,
		kvCreate: `INSERT INTO kv (ns, key, value, version, updated) VALUES (?, ?, ?, 1, ?)
			ON CONFLICT (ns, key) DO NOTHING
			RETURNING version`,
		kvSwap: `UPDATE kv SET value = ?, version = version + 1, updated = ?
			WHERE ns = ? AND key = ? AND version = ?
			RETURNING version`,
		kvDelete: `DELETE FROM kv WHERE ns = ? AND key = ?`,
		kvList: `SELECT key, value, version, updated FROM kv
			WHERE ns = ? AND key >= ? ORDER BY key`,
		kvListRange: `SELECT key, value, version, updated FROM kv
			WHERE ns = ? AND key >= ? AND key < ? ORDER BY key`,

		nodeUpsert: `INSERT INTO nodes (id, hostname, version, started_at, last_seen) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE
			SET hostname = excluded.hostname, version = excluded.version,
				started_at = excluded.started_at, last_seen = excluded.last_seen`,
		nodeList:   `SELECT id, hostname, version, started_at, last_seen FROM nodes ORDER BY id`,
		nodeDelete: `DELETE FROM nodes WHERE id = ?`,

		// The DO UPDATE runs only over an expired lease: over a live one the
		// statement writes nothing and returns no row.
		leaseTake: `INSERT INTO locks (name, holder, expires) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE
			SET holder = excluded.holder, expires = excluded.expires
			WHERE locks.expires <= ?
			RETURNING holder`,
		leaseRelease: `DELETE FROM locks WHERE name = ? AND holder = ?`,
		// The key hashes the connection's schema with the name, so that
		// stores in different schemas of one database (advisory locks are
		// per database) do not share locks. quote_ident keeps the pair
		// unambiguous: its result either holds no '.' or ends at its
		// closing quote.
		advisoryTake: `SELECT k.key, pg_try_advisory_lock(k.key)
			FROM (SELECT hashtextextended(quote_ident(current_schema()) || '.' || CAST(? AS text), 0)) AS k (key)`,
		advisoryFree: `SELECT pg_advisory_unlock(?)`,
	}
	if dialect == DialectPostgres {
		for _, s := range []*string{
			&q.kvGet, &q.kvPut, &q.kvCreate, &q.kvSwap, &q.kvDelete, &q.kvList, &q.kvListRange,
			&q.nodeUpsert, &q.nodeList, &q.nodeDelete,
			&q.leaseTake, &q.leaseRelease, &q.advisoryTake, &q.advisoryFree,
		} {
			*s = rebind(*s)
		}
	}
	return q
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, …, leaving question
// marks inside single-quoted literals alone.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	quoted := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// bind returns query with its ? placeholders as the dialect wants them.
func (db *DB) bind(query string) string {
	if db.dialect == DialectPostgres {
		return rebind(query)
	}
	return query
}

// timeArg encodes t for the dialect: Unix microseconds for SQLite, a UTC
// time.Time for PostgreSQL; both at microsecond precision.
func (db *DB) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.dialect == DialectSQLite {
		return t.UnixMicro()
	}
	return t
}

// timeScan decodes a time column of either dialect into *t, in UTC.
type timeScan struct{ t *time.Time }

func (s timeScan) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*s.t = time.UnixMicro(v).UTC()
	case time.Time:
		*s.t = v.UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", src)
	}
	return nil
}

// Limits on stored strings, in bytes. They keep keys well inside index limits
// (PostgreSQL's B-tree rows must stay under about 2.7 kB).
const (
	maxNamespaceLen = 128
	maxKeyLen       = 1024
	maxFieldLen     = 1024
)

// checkText rejects strings that one backend could not store or index as the
// other does.
func checkText(field, s string, maxLen int, required bool) error {
	switch {
	case s == "" && required:
		return fmt.Errorf("%s is empty", field)
	case len(s) > maxLen:
		return fmt.Errorf("%s is %d bytes long, more than %d", field, len(s), maxLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s is not valid UTF-8", field)
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%s holds a NUL byte", field)
	}
	return nil
}

// value returns v ready to store: never nil, since the column is NOT NULL
// and a nil []byte is sent as NULL.
func value(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
