package main

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision"
)

// memStore is an in-memory provision.Store: the entities as the JSON the
// service writes and a revision counter. The audit trail is dropped (a
// database would write it; here it would only grow the heap measured).
type memStore struct {
	mu    sync.Mutex
	items map[string]provision.Item
	rev   int64
	// lists counts the calls of List: full loads of the model; writes,
	// those of CompareAndSwap.
	lists, writes atomic.Int64
}

func newMemStore() *memStore { return &memStore{items: map[string]provision.Item{}} }

func (m *memStore) Get(_ context.Context, key string) ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	if !ok {
		return nil, 0, nil
	}
	// The service only decodes the value: no copy needed.
	return it.Value, it.Version, nil
}

func (m *memStore) CompareAndSwap(_ context.Context, key string, version int64, val []byte) (int64, bool, error) {
	m.writes.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items[key].Version != version {
		return 0, false, nil
	}
	// val is the service's fresh json.Marshal output, not reused by it.
	m.items[key] = provision.Item{Key: key, Value: val, Version: version + 1}
	return version + 1, true, nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, key)
	return nil
}

func (m *memStore) List(_ context.Context, prefix string) ([]provision.Item, error) {
	m.lists.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]provision.Item, 0, len(m.items))
	for k, it := range m.items {
		if strings.HasPrefix(k, prefix) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b provision.Item) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func (m *memStore) Bump(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rev++
	return m.rev, nil
}

func (m *memStore) Revision(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rev, nil
}

func (m *memStore) RecordFetches(context.Context, []provision.StoredFetch) error { return nil }

func (m *memStore) Fetches(context.Context, string, int) ([]provision.Fetch, error) {
	return nil, nil
}

func (m *memStore) PruneFetches(context.Context, time.Time) error { return nil }

// size returns how many items the store holds and their key and value
// bytes: the part of the heap that a database would hold instead.
func (m *memStore) size() (items int, bytes uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, it := range m.items {
		bytes += uint64(len(k) + len(it.Value))
	}
	return len(m.items), bytes
}

// memDomains is the domain tree: the master domain and the tenants.
type memDomains map[string]bool

func (d memDomains) Exists(_ context.Context, name string) (bool, error) { return d[name], nil }
