package domains_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pbxgate/pbxgate/internal/domains"
)

// memStore is a domains.Store in memory that keeps the contract as the
// database does: revisions from one counter, parents that exist, no cycles,
// no orphans.
type memStore struct {
	mu     sync.Mutex
	rows   map[string]domains.Domain
	rev    int64
	now    time.Time
	writes int // successful writes, so tests can tell that none happened

	// beforeWrite, if set, runs at the start of every write, outside the
	// lock: a test uses it to play another node writing in between.
	beforeWrite func(m *memStore)
}

var fakeNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func newMemStore() *memStore {
	return &memStore{rows: map[string]domains.Domain{}, now: fakeNow}
}

// seed stores name→parent pairs directly (parents first), as a tree that
// existed before the test.
func (m *memStore) seed(pairs ...string) *memStore {
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, err := m.Create(context.Background(), domains.Domain{Name: pairs[i], Parent: pairs[i+1]}); err != nil {
			panic(err)
		}
	}
	m.writes = 0
	return m
}

// tree renders the stored tree as "name<parent" entries, sorted.
func (m *memStore) tree() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, d := range m.rows {
		out = append(out, d.Name+"<"+d.Parent)
	}
	slices.Sort(out)
	return out
}

func (m *memStore) hook() {
	if f := m.beforeWrite; f != nil {
		m.beforeWrite = nil // once
		f(m)
	}
}

func (m *memStore) Domains(context.Context) ([]domains.Domain, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]domains.Domain, 0, len(m.rows))
	for _, d := range m.rows {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b domains.Domain) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (m *memStore) Domain(_ context.Context, name string) (domains.Domain, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.rows[name]
	if !ok {
		return domains.Domain{}, fmt.Errorf("mem get %s: %w", name, domains.ErrNotFound)
	}
	return d, nil
}

func (m *memStore) Create(_ context.Context, d domains.Domain) (domains.Domain, error) {
	m.hook()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[d.Name]; ok {
		return domains.Domain{}, fmt.Errorf("mem create %s: %w", d.Name, domains.ErrExists)
	}
	if _, ok := m.rows[d.Parent]; d.Parent != "" && !ok {
		return domains.Domain{}, fmt.Errorf("mem create %s: parent %s not found: %w", d.Name, d.Parent, domains.ErrInvalid)
	}
	m.rev++
	m.writes++
	d.Created, d.Updated, d.Revision = m.now, m.now, m.rev
	m.rows[d.Name] = d
	return d, nil
}

func (m *memStore) Update(_ context.Context, d domains.Domain, revision int64) (domains.Domain, error) {
	m.hook()
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.rows[d.Name]
	switch {
	case !ok:
		return domains.Domain{}, fmt.Errorf("mem update %s: %w", d.Name, domains.ErrNotFound)
	case cur.Revision != revision:
		return domains.Domain{}, fmt.Errorf("mem update %s: %w", d.Name, domains.ErrConflict)
	}
	if d.Parent != cur.Parent && d.Parent != "" {
		if _, ok := m.rows[d.Parent]; !ok {
			return domains.Domain{}, fmt.Errorf("mem update %s: parent %s not found: %w", d.Name, d.Parent, domains.ErrInvalid)
		}
		for at := d.Parent; at != ""; at = m.rows[at].Parent {
			if at == d.Name {
				return domains.Domain{}, fmt.Errorf("mem update %s: cycle through %s: %w", d.Name, d.Parent, domains.ErrInvalid)
			}
		}
	}
	m.rev++
	m.writes++
	d.Created, d.Updated, d.Revision = cur.Created, m.now, m.rev
	m.rows[d.Name] = d
	return d, nil
}

func (m *memStore) Delete(_ context.Context, name string, recursive bool) ([]string, error) {
	m.hook()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[name]; !ok {
		return nil, fmt.Errorf("mem delete %s: %w", name, domains.ErrNotFound)
	}
	sub := []string{name}
	for i := 0; i < len(sub); i++ {
		for _, d := range m.rows {
			if d.Parent == sub[i] {
				if !recursive {
					return nil, fmt.Errorf("mem delete %s: %w", name, domains.ErrHasChildren)
				}
				sub = append(sub, d.Name)
			}
		}
	}
	for _, n := range sub {
		delete(m.rows, n)
	}
	m.rev++
	m.writes++
	slices.Sort(sub)
	return sub, nil
}
