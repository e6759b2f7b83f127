package provision

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// index is the whole provisioning model in memory, with the lookups the
// file server needs on every request. It is updated in place under its
// lock: by a local write (apply) or by a full reload (replace).
type index struct {
	mu     sync.RWMutex
	master string
	rev    int64
	// gen counts changes of any kind; rendered files cached at an older
	// generation are rendered again.
	gen int64

	devices   map[model.MAC]*Device
	files     map[string]deviceFile // lowercased file name → device file
	httpUsers map[string]model.MAC  // device HTTP user name → device
	exts      map[string]*Extension // domain/number
	templates map[string]*Template  // domain/vendor/model/name
	ipdns     map[string]*IPDNS     // domain/ip
	settings  Settings
	tenants   map[string]*TenantSettings
	bootstrap map[string]string // bootstrap user name → tenant
}

// deviceFile is one file of a known device.
type deviceFile struct {
	mac  model.MAC
	file vendors.File
}

func newIndex(master string) *index {
	return &index{
		master:    master,
		devices:   map[model.MAC]*Device{},
		files:     map[string]deviceFile{},
		httpUsers: map[string]model.MAC{},
		exts:      map[string]*Extension{},
		templates: map[string]*Template{},
		ipdns:     map[string]*IPDNS{},
		tenants:   map[string]*TenantSettings{},
		bootstrap: map[string]string{},
	}
}

func (x *index) revision() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.rev
}

// replace takes the content of n, loaded at revision rev, unless the index
// already holds a later revision (a local write applied while n loaded).
func (x *index) replace(n *index, rev int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if rev < x.rev {
		return
	}
	x.rev = rev
	x.gen++
	x.devices, x.files, x.httpUsers = n.devices, n.files, n.httpUsers
	x.exts, x.templates, x.ipdns = n.exts, n.templates, n.ipdns
	x.settings, x.tenants, x.bootstrap = n.settings, n.tenants, n.bootstrap
}

// applyIfNext applies a local write made at revision rev when the index is
// (files false: a write that changes no rendered file keeps the cache)
// at rev-1. It reports false when the index must be reloaded instead (a
// write of another node or process came in between); a write the index
// already holds (rev at or below its revision) needs nothing.
func (x *index) applyIfNext(rev int64, apply func(*index), files bool) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case rev <= x.rev:
		return true
	case rev != x.rev+1:
		return false
	}
	apply(x)
	x.rev = rev
	if files {
		x.gen++
	}
	return true
}

// load decodes one stored item into the index (the index is not shared
// yet).
func (x *index) load(it Item) error {
	kind, _, _ := strings.Cut(it.Key, "/")
	switch kind {
	case "dev":
		var d Device
		if err := json.Unmarshal(it.Value, &d); err != nil {
			return err
		}
		x.putDevice(&d)
	case "ext":
		var e Extension
		if err := json.Unmarshal(it.Value, &e); err != nil {
			return err
		}
		x.exts[extKey(e.Domain, e.Number)] = &e
	case "tpl":
		var t Template
		if err := json.Unmarshal(it.Value, &t); err != nil {
			return err
		}
		x.templates[tplKey(t.Domain, t.Model, t.Name)] = &t
	case "ipdns":
		var m IPDNS
		if err := json.Unmarshal(it.Value, &m); err != nil {
			return err
		}
		x.ipdns[ipdnsKey(m.Domain, m.IP)] = &m
	case "settings":
		if err := json.Unmarshal(it.Value, &x.settings); err != nil {
			return err
		}
	case "tenant":
		var t TenantSettings
		if err := json.Unmarshal(it.Value, &t); err != nil {
			return err
		}
		x.putTenant(&t)
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	return nil
}

// putDevice adds or replaces d with its file names and user name.
func (x *index) putDevice(d *Device) {
	x.deleteDevice(d.MAC)
	x.devices[d.MAC] = d
	x.httpUsers[d.HTTPUsername] = d.MAC
	v, m, ok := vendors.FindModel(d.Model)
	if !ok {
		return
	}
	for _, f := range v.Files(m.ID, d.MAC) {
		if f.Device {
			x.files[strings.ToLower(f.Name)] = deviceFile{mac: d.MAC, file: f}
		}
	}
}

func (x *index) deleteDevice(mac model.MAC) {
	old, ok := x.devices[mac]
	if !ok {
		return
	}
	delete(x.devices, mac)
	if x.httpUsers[old.HTTPUsername] == mac {
		delete(x.httpUsers, old.HTTPUsername)
	}
	if v, m, ok := vendors.FindModel(old.Model); ok {
		for _, f := range v.Files(m.ID, mac) {
			if df, ok := x.files[strings.ToLower(f.Name)]; ok && df.mac == mac {
				delete(x.files, strings.ToLower(f.Name))
			}
		}
	}
}

func (x *index) putTenant(t *TenantSettings) {
	if old, ok := x.tenants[t.Domain]; ok && x.bootstrap[old.Bootstrap.Username] == t.Domain {
		delete(x.bootstrap, old.Bootstrap.Username)
	}
	x.tenants[t.Domain] = t
	if t.Bootstrap.Username != "" {
		x.bootstrap[t.Bootstrap.Username] = t.Domain
	}
}

func extKey(domain, number string) string { return domain + "/" + number }

func tplKey(domain, vendorModel, name string) string {
	return domain + "/" + vendorModel + "/" + name
}

func ipdnsKey(domain, ip string) string { return domain + "/" + ip }
