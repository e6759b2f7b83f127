package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Item is one key/value entry.
type Item struct {
	Namespace string
	Key       string
	Value     []byte
	// Version is 1 when the item is created and grows by one on every write.
	Version int64
	// Updated is when the item was last written, by the writer's clock, UTC.
	Updated time.Time
}

// Get returns the item ns/key, or an error wrapping ErrNotFound.
func (db *DB) Get(ctx context.Context, ns, key string) (Item, error) {
	if err := checkKey(ns, key); err != nil {
		return Item{}, fmt.Errorf("kv get: %w", err)
	}
	it := Item{Namespace: ns, Key: key}
	err := db.read.QueryRowContext(ctx, db.q.kvGet, ns, key).
		Scan(&it.Value, &it.Version, timeScan{&it.Updated})
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, fmt.Errorf("kv get %s/%s: %w", ns, key, ErrNotFound)
	}
	if err != nil {
		return Item{}, fmt.Errorf("kv get %s/%s: %w", ns, key, err)
	}
	it.Value = value(it.Value)
	return it, nil
}

// Put stores value under ns/key whatever is there, creating the item if it
// does not exist, and returns its new version.
func (db *DB) Put(ctx context.Context, ns, key string, val []byte) (int64, error) {
	if err := checkKey(ns, key); err != nil {
		return 0, fmt.Errorf("kv put: %w", err)
	}
	var version int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, db.q.kvPut, ns, key, value(val), db.timeArg(db.timestamp())).Scan(&version)
	})
	if err != nil {
		return 0, fmt.Errorf("kv put %s/%s: %w", ns, key, err)
	}
	return version, nil
}

// CompareAndSwap stores value under ns/key only if the item's version is
// oldVersion, or, when oldVersion is 0, only if the item does not exist. It
// returns the new version, or an error wrapping ErrConflict, having written
// nothing, when the condition does not hold.
func (db *DB) CompareAndSwap(ctx context.Context, ns, key string, oldVersion int64, val []byte) (int64, error) {
	if err := checkKey(ns, key); err != nil {
		return 0, fmt.Errorf("kv compare-and-swap: %w", err)
	}
	if oldVersion < 0 {
		return 0, fmt.Errorf("kv compare-and-swap %s/%s: negative version %d", ns, key, oldVersion)
	}
	var version int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.timeArg(db.timestamp())
		var row *sql.Row
		if oldVersion == 0 {
			row = tx.QueryRowContext(ctx, db.q.kvCreate, ns, key, value(val), now)
		} else {
			row = tx.QueryRowContext(ctx, db.q.kvSwap, value(val), now, ns, key, oldVersion)
		}
		err := row.Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrConflict
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("kv compare-and-swap %s/%s at version %d: %w", ns, key, oldVersion, err)
	}
	return version, nil
}

// Delete removes ns/key. Deleting an item that does not exist is not an
// error.
func (db *DB) Delete(ctx context.Context, ns, key string) error {
	if err := checkKey(ns, key); err != nil {
		return fmt.Errorf("kv delete: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q.kvDelete, ns, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("kv delete %s/%s: %w", ns, key, err)
	}
	return nil
}

// List returns the items of ns whose key starts with prefix, sorted by the
// bytes of the key. Every character of prefix is literal; an empty prefix
// lists the whole namespace.
func (db *DB) List(ctx context.Context, ns, prefix string) ([]Item, error) {
	if err := checkText("namespace", ns, maxNamespaceLen, true); err != nil {
		return nil, fmt.Errorf("kv list: %w", err)
	}
	if err := checkText("prefix", prefix, maxKeyLen, false); err != nil {
		return nil, fmt.Errorf("kv list: %w", err)
	}
	var (
		rows *sql.Rows
		err  error
	)
	if end, ok := prefixEnd(prefix); ok {
		rows, err = db.read.QueryContext(ctx, db.q.kvListRange, ns, prefix, end)
	} else {
		rows, err = db.read.QueryContext(ctx, db.q.kvList, ns, prefix)
	}
	if err != nil {
		return nil, fmt.Errorf("kv list %s/%s: %w", ns, prefix, err)
	}
	defer rows.Close()
	var items []Item
	for rows.Next() {
		it := Item{Namespace: ns}
		if err := rows.Scan(&it.Key, &it.Value, &it.Version, timeScan{&it.Updated}); err != nil {
			return nil, fmt.Errorf("kv list %s/%s: %w", ns, prefix, err)
		}
		it.Value = value(it.Value)
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kv list %s/%s: %w", ns, prefix, err)
	}
	return items, nil
}

func checkKey(ns, key string) error {
	if err := checkText("namespace", ns, maxNamespaceLen, true); err != nil {
		return err
	}
	return checkText("key", key, maxKeyLen, true)
}
