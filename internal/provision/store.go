package provision

import (
	"context"
	"time"
)

// Store is what the provisioning server keeps in the database: its
// entities as JSON values under keys, a revision counter that every write
// bumps (so that every node learns of a change by polling one number), and
// the audit trail of fetches.
//
// Keys: "dev/<mac>", "ext/<domain>/<number>", "tpl/<domain>/<vendor>/<model>/<name>",
// "ipdns/<domain>/<ip>", "settings", "tenant/<domain>".
type Store interface {
	// Get returns the value and version of key; version 0 when absent.
	Get(ctx context.Context, key string) ([]byte, int64, error)
	// CompareAndSwap writes val if key is at version (0: absent) and
	// returns the new version; ok is false when it is not.
	CompareAndSwap(ctx context.Context, key string, version int64, val []byte) (int64, bool, error)
	// Delete removes key; an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the items whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Item, error)
	// Bump increments the revision and returns its new value.
	Bump(ctx context.Context) (int64, error)
	// Revision returns the current revision (0 before the first write).
	Revision(ctx context.Context) (int64, error)
	// RecordFetches appends to the audit trail.
	RecordFetches(ctx context.Context, fs []StoredFetch) error
	// Fetches returns the last limit fetches of mac, newest first.
	Fetches(ctx context.Context, mac string, limit int) ([]Fetch, error)
	// PruneFetches forgets the fetches older than before.
	PruneFetches(ctx context.Context, before time.Time) error
}

// Item is one stored entity.
type Item struct {
	Key     string
	Value   []byte
	Version int64
}

// StoredFetch is a Fetch with the device it was for.
type StoredFetch struct {
	MAC string
	Fetch
}
