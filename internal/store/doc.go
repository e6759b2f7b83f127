// Package store is pbxgate's persistent state: one [DB] type with two backends
// that behave the same, SQLite (the default, one node) and PostgreSQL (one or
// many nodes sharing a database). Domain packages never import store; they
// declare the small interfaces they need (a KV with Get and CompareAndSwap, a
// membership list with Heartbeat and Nodes) and the daemon hands them a *DB.
// Package storetest holds the conformance suite that both backends pass.
//
// # Choosing a backend
//
// [Open] takes the configured database string and the data directory:
//
//   - "" opens (and creates) the SQLite file pbxgate.db in the data directory,
//     mode 0600, through the pure-Go driver modernc.org/sqlite;
//   - a URL starting postgres:// or postgresql:// opens PostgreSQL through
//     jackc/pgx/v5 and its database/sql driver (pgx/v5/stdlib);
//   - anything else is an error, which never repeats the string itself (it may
//     hold a password).
//
// PostgreSQL goes through database/sql rather than pgxpool so that both
// backends share one implementation of every method: the same *sql.Tx, the
// same scanning, the same error paths. Our traffic is small (settings, keys,
// heartbeats), so pgxpool's extra speed buys nothing that is worth a second
// copy of each query path; database/sql pools the connections.
//
// # Transactions and crash consistency
//
// Every write method is exactly one database transaction: it commits whole or
// not at all, and a process killed at any point leaves the database as it was
// after the last commit. A method returns nil only after its commit succeeded.
// Reads see only committed data.
//
// SQLite runs in WAL mode with synchronous=NORMAL, busy_timeout, foreign_keys
// on, one writer connection in the process (writes queue in Go, not in the
// busy handler) and BEGIN IMMEDIATE for every write transaction, so a second
// process on the same file waits for the write lock instead of failing
// halfway through a transaction. Reads go through a separate pool of
// read-only connections and run beside the writer. With synchronous=NORMAL a
// crash of the process never loses a committed transaction; a power loss or
// kernel crash may roll back the last transactions before it, but never
// corrupts the file.
//
// PostgreSQL runs at READ COMMITTED. Each write is a single statement whose
// WHERE clause or ON CONFLICT clause carries the condition (for instance
// "version = old"), which PostgreSQL evaluates against the latest committed
// row under a row lock, so optimistic concurrency holds across nodes.
//
// # Schema migrations
//
// The schema comes from numbered SQL files embedded in the binary, one set per
// dialect (migrations/sqlite/0001_init.sql, migrations/postgres/0001_init.sql,
// with the same numbers in both). Open applies the missing ones in order, each
// in its own transaction together with its row in
// schema_migrations(version, applied_at); a restart applies nothing. Two
// processes starting at once are safe: on PostgreSQL each migration
// transaction first takes pg_advisory_xact_lock, on SQLite BEGIN IMMEDIATE
// holds the file's write lock, and the applied versions are read again under
// the lock. A database that holds a version this binary does not know (it was
// migrated by a newer pbxgate) makes Open fail with [ErrSchemaTooNew]: an old
// binary must not write to a schema it does not understand.
//
// # How the backends differ
//
// Queries are written once, with ? placeholders, and rewritten to $1, $2, …
// for PostgreSQL when the DB is opened. The DDL differs per dialect: SQLite
// uses STRICT tables, BLOB values and times as INTEGER Unix microseconds;
// PostgreSQL uses BYTEA values, TIMESTAMPTZ times and the "C" collation on
// text keys, so that both order keys by their bytes. Times are stored in UTC
// at microsecond precision (PostgreSQL's), and both backends return them
// truncated to the microsecond, in UTC.
//
// Strings (namespaces, keys, node fields) must be valid UTF-8 without NUL
// bytes, since PostgreSQL's text cannot hold NUL; values are arbitrary bytes.
//
// # Key/value contract
//
// The kv table holds namespaced items (manager key, ACME accounts, settings
// shared across nodes). Each item has a version: 1 when created, plus one on
// every write. Callers read an item, decide, and write it back with
// [DB.CompareAndSwap] naming the version they read; a concurrent writer makes
// the swap fail with [ErrConflict] and the caller reads again. A deleted item
// forgets its version: created again, it starts over at 1, so a caller must
// not assume that an unchanged version means nobody deleted and recreated the
// item in between unless its namespace never deletes.
//
//   - [DB.Get] returns the item, or an error wrapping [ErrNotFound].
//   - [DB.Put] writes the value whatever is there, creating the item if needed,
//     and returns the new version.
//   - [DB.CompareAndSwap] writes only if the stored version is oldVersion
//     (oldVersion 0: only if the item does not exist) and returns the new
//     version; otherwise it writes nothing and returns [ErrConflict].
//   - [DB.Delete] removes the item; deleting an absent item is not an error, so
//     that a retried delete succeeds.
//   - [DB.List] returns every item of a namespace whose key starts with prefix
//     (literally: no character of prefix is a wildcard), sorted by the bytes of
//     the key. It loads the values too: namespaces are meant to stay small.
//
// # Node contract
//
// The nodes table is cluster membership. [DB.Heartbeat] inserts or replaces a
// node's row with the values given (the caller's clock decides LastSeen, so
// tests control time); [DB.Nodes] lists all rows sorted by ID, and the caller
// decides from LastSeen which are alive; [DB.ForgetNode] removes a row and is
// not an error for an unknown ID.
//
// # Lock contract
//
// [DB.TryLock] takes a named lock that excludes every other holder of the
// name, in this process and in every other process sharing the database
// (the ACME client runs one order per domain at a time with it). It never
// waits: ok is false when someone else holds the lock, and the caller tries
// again later. The returned unlock releases the lock; it may be called more
// than once, works after the caller's context is cancelled, and logs what it
// could not do. Close releases the locks still held. A DB holds at most
// [MaxLocks] locks at once.
//
// On PostgreSQL a lock is a session advisory lock (pg_try_advisory_lock),
// keyed by a 64-bit hash of the connection's schema and the name, and held
// on a connection of the pool that stays with the lock until unlock. The
// server frees the lock by itself when that connection ends, however it
// ends: unlock, Close, the process dying, the network failing. ttl is
// checked but plays no part. Each held lock keeps one pooled connection,
// hence MaxLocks; a connection pooler in transaction mode between pbxgate and
// PostgreSQL would break session locks.
//
// On SQLite a lock is a lease: a row of the locks table holding a random
// token of the TryLock call and an expiry, now+ttl by the store's clock,
// written in one write transaction if the name has no row or its lease has
// expired. Unlock deletes the row only if it still holds its own token, so a
// holder whose lease expired and was taken over cannot release its
// successor's lock. A process that crashes leaves its row behind: the name
// stays locked until the lease expires, ttl after it was taken.
//
// Neither backend tells a holder that it lost its lock (the connection died,
// the lease ran out): choose ttl longer than the work it guards, and let
// that work tolerate the rare overlap.
//
// # Ban contract
//
// The bans table holds the brute-force guard's bans, one row per address,
// shared by the nodes. [DB.PutBan] inserts or replaces the ban of an
// address, stored in one canonical form (unmapped, without zone, as
// netip.Addr.String() writes it); [DB.Bans] lists the bans still in force at
// the caller's now; [DB.DeleteBan] lifts one; [DB.PruneBans] deletes those
// that ended. [DB.BansRevision] is a counter that grows in the same
// transaction as every change to the bans and with nothing else, so that
// nodes poll one row rather than the table.
package store
