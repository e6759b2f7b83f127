// Package vendors is the registry of phone vendors: each renders the
// vendor-neutral [model.Phone] into the files its phones request, with the
// exact names and formats of that vendor. Every vendor lives in its own
// package below this one and registers itself from its init function; the
// composition root imports them all.
//
// A [Vendor] answers three questions: which models it knows, which files a
// phone of a model requests ([File], common or per device), and what bytes
// each file holds. Common files are rendered from [model.Common] alone and
// so cannot carry a secret; device files from the whole phone.
//
// Rendering must be deterministic: the same input gives the same bytes (no
// map iteration order, no clock), so that files can be cached by content
// hash and compared against golden files.
package vendors

import (
	"fmt"
	"slices"
	"sync"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// Model is one phone model a vendor supports.
type Model struct {
	// ID is the model as it appears after the slash in "vendor/model":
	// lowercase, no spaces ("t46s", "vvx400", "d785").
	ID string `json:"id"`
	// Name is the marketing name ("SIP-T46S").
	Name string `json:"name"`
	// Lines is how many SIP accounts the phone has.
	Lines int `json:"lines"`
}

// File is one file a phone requests.
type File struct {
	// Name is the file name as the phone requests it, MAC case as the
	// vendor writes it ("y000000000066.cfg", "001565aabbcc.cfg",
	// "snom710-001565AABBCC.htm").
	Name string `json:"name"`
	// Device is true for a file that names the device (and may carry its
	// secrets), false for a common file shared by every phone of the model.
	Device bool `json:"device"`
	// ContentType is the MIME type served with it.
	ContentType string `json:"content_type"`
}

// Vendor renders the files of one vendor's phones.
type Vendor interface {
	// ID is the lowercase vendor name used in "vendor/model".
	ID() string
	// Name is the vendor's display name.
	Name() string
	// Models lists the supported models, sorted by ID.
	Models() []Model
	// Files lists the files a phone of model m with address mac requests:
	// the common ones first, then the device ones. m is one of Models.
	Files(m string, mac model.MAC) []File
	// RenderCommon renders a common file of model m.
	RenderCommon(f File, c *model.Common) ([]byte, error)
	// RenderDevice renders a device file of p (p.Model is the model).
	RenderDevice(f File, p *model.Phone) ([]byte, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]Vendor{}
)

// Register adds v to the registry; it panics if the ID is taken, as a
// duplicate registration is a programming error.
func Register(v Vendor) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[v.ID()]; dup {
		panic(fmt.Sprintf("vendor: %s registered twice", v.ID()))
	}
	registry[v.ID()] = v
}

// Lookup returns the vendor with the given ID.
func Lookup(id string) (Vendor, bool) {
	mu.RLock()
	defer mu.RUnlock()
	v, ok := registry[id]
	return v, ok
}

// All returns the registered vendors sorted by ID.
func All() []Vendor {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Vendor, 0, len(registry))
	for _, v := range registry {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Vendor) int {
		switch {
		case a.ID() < b.ID():
			return -1
		case a.ID() > b.ID():
			return 1
		}
		return 0
	})
	return out
}

// FindModel returns the vendor and model named by "vendor/model".
func FindModel(vendorModel string) (Vendor, Model, bool) {
	for i := 0; i < len(vendorModel); i++ {
		if vendorModel[i] != '/' {
			continue
		}
		v, ok := Lookup(vendorModel[:i])
		if !ok {
			return nil, Model{}, false
		}
		for _, m := range v.Models() {
			if m.ID == vendorModel[i+1:] {
				return v, m, true
			}
		}
		return nil, Model{}, false
	}
	return nil, Model{}, false
}
