package provision

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// memStore is an in-memory Store for the unit tests of the rules; the
// daemon's tests run the same code over SQLite and PostgreSQL.
type memStore struct {
	// listDelay makes List return its snapshot late, as a slow database
	// would, so that writes land while a reload is in flight.
	listDelay time.Duration
	mu        sync.Mutex
	items     map[string]Item
	rev       int64
	fetches   []StoredFetch
}

func newMemStore() *memStore { return &memStore{items: map[string]Item{}} }

func (m *memStore) Get(_ context.Context, key string) ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	if !ok {
		return nil, 0, nil
	}
	return bytes.Clone(it.Value), it.Version, nil
}

func (m *memStore) CompareAndSwap(_ context.Context, key string, version int64, val []byte) (int64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items[key].Version != version {
		return 0, false, nil
	}
	m.items[key] = Item{Key: key, Value: bytes.Clone(val), Version: version + 1}
	return version + 1, true, nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, key)
	return nil
}

func (m *memStore) List(_ context.Context, prefix string) ([]Item, error) {
	m.mu.Lock()
	var out []Item
	for k, it := range m.items {
		if strings.HasPrefix(k, prefix) {
			out = append(out, it)
		}
	}
	delay := m.listDelay
	m.mu.Unlock()
	time.Sleep(delay)
	slices.SortFunc(out, func(a, b Item) int { return strings.Compare(a.Key, b.Key) })
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

func (m *memStore) RecordFetches(_ context.Context, fs []StoredFetch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fetches = append(m.fetches, fs...)
	return nil
}

func (m *memStore) Fetches(_ context.Context, mac string, limit int) ([]Fetch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Fetch
	for i := len(m.fetches) - 1; i >= 0 && len(out) < limit; i-- {
		if m.fetches[i].MAC == mac {
			out = append(out, m.fetches[i].Fetch)
		}
	}
	return out, nil
}

func (m *memStore) PruneFetches(context.Context, time.Time) error { return nil }

type memDomains map[string]bool

func (d memDomains) Exists(_ context.Context, name string) (bool, error) { return d[name], nil }

// testPhone is a vendor for the tests: a common file "tp-common.cfg" and a
// device file "tp<mac>.cfg" listing what the renderer was given.
type testPhone struct{}

func (testPhone) ID() string   { return "testphone" }
func (testPhone) Name() string { return "Test Phone" }
func (testPhone) Models() []vendors.Model {
	return []vendors.Model{{ID: "tp1", Name: "TP-1", Lines: 2}}
}

func (testPhone) Files(_ string, mac model.MAC) []vendors.File {
	return []vendors.File{
		{Name: "tp-common.cfg", ContentType: vendors.TypeText},
		{Name: "tp" + mac.String() + ".cfg", Device: true, ContentType: vendors.TypeText},
	}
}

func (testPhone) RenderCommon(_ vendors.File, c *model.Common) ([]byte, error) {
	return fmt.Appendf(nil, "url=%sdevice.cfg\n", c.Server.ProvisioningURL), nil
}

func (testPhone) RenderDevice(_ vendors.File, p *model.Phone) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "prov_user=%s\nprov_pass=%s\nregistrar=%s\n", p.HTTPUsername, p.HTTPPassword, p.Registrar())
	for _, l := range p.Lines {
		fmt.Fprintf(&b, "line%d=%s:%s:%s\n", l.Index, l.Extension, l.AuthUsername, l.Password)
	}
	if p.Settings.Language != nil {
		fmt.Fprintf(&b, "language=%s\n", *p.Settings.Language)
	}
	return b.Bytes(), nil
}

func init() { vendors.Register(testPhone{}) }
