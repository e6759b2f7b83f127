package store

import (
	"context"
	"errors"
)

// Namespace is the items of one namespace of the key/value table, with the
// absent and conflicting cases as results instead of errors: the shape a
// domain package's storage interface asks for (package acme's Store, for
// one) without importing this package's sentinels.
type Namespace struct {
	db *DB
	ns string
}

// Namespace returns the view of the items of ns.
func (db *DB) Namespace(ns string) Namespace { return Namespace{db: db, ns: ns} }

// Get returns the value and version of key, or version 0 and no error when
// key does not exist.
func (n Namespace) Get(ctx context.Context, key string) ([]byte, int64, error) {
	it, err := n.db.Get(ctx, n.ns, key)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return it.Value, it.Version, nil
}

// CompareAndSwap writes val if key is at version (0: if key does not
// exist) and returns the new version; ok is false, and nothing is written,
// when key is at another version.
func (n Namespace) CompareAndSwap(ctx context.Context, key string, version int64, val []byte) (int64, bool, error) {
	v, err := n.db.CompareAndSwap(ctx, n.ns, key, version, val)
	if errors.Is(err, ErrConflict) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return v, true, nil
}

// Put writes val under key whatever is there.
func (n Namespace) Put(ctx context.Context, key string, val []byte) error {
	_, err := n.db.Put(ctx, n.ns, key, val)
	return err
}

// Delete removes key; an absent key is not an error.
func (n Namespace) Delete(ctx context.Context, key string) error {
	return n.db.Delete(ctx, n.ns, key)
}
