package provision

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// rendered is one rendered file, ready to serve.
type rendered struct {
	body        []byte
	etag        string
	contentType string
	gen         int64
}

// cache holds rendered files by name; an entry rendered at an older
// generation of the index is rendered again, and kept as is when its
// content did not change (same ETag).
type cache struct {
	mu      sync.Mutex
	entries map[string]*rendered
	// max bounds the entries: past it a random entry makes room (Go's map
	// iteration starts at a random place), so memory stays bounded and a
	// boot storm of more devices than that renders some files again.
	max int
}

func newCache(maxEntries int) *cache {
	return &cache{entries: map[string]*rendered{}, max: maxEntries}
}

func (c *cache) get(key string, gen int64) (*rendered, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.entries[key]
	if !ok || r.gen != gen {
		return nil, false
	}
	return r, true
}

func (c *cache) put(key string, r *rendered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = r
}

func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// commonFile finds the common file name (any case) among the models of
// every vendor.
type commonFile struct {
	v     vendors.Vendor
	model string
	file  vendors.File
}

// commonFiles indexes the common files of every registered model. A name
// claimed by several models (a family sharing one file) is served for the
// first model in vendor and model order.
func commonFiles() map[string]commonFile {
	out := map[string]commonFile{}
	for _, v := range vendors.All() {
		for _, m := range v.Models() {
			for _, f := range v.Files(m.ID, "000000000000") {
				if f.Device {
					continue
				}
				k := strings.ToLower(f.Name)
				if _, dup := out[k]; !dup {
					out[k] = commonFile{v: v, model: m.ID, file: f}
				}
			}
		}
	}
	return out
}

// server returns the phone's view of the platform. The caller holds the
// index's read lock.
func (x *index) server() model.Server {
	host := x.settings.ServerHostname
	if host == "" {
		host = x.master
	}
	sip := x.settings.SIPServerAddress
	if sip == "" {
		sip = host
	}
	return model.Server{ProvisioningURL: "https://" + host + "/provision/", SIPServer: sip, Hostname: host}
}

// phone resolves a device for rendering: templates layered, lines bound to
// their extensions. The caller holds the index's read lock.
func (x *index) phone(d *Device) (*model.Phone, vendors.Vendor, error) {
	v, m, ok := vendors.FindModel(d.Model)
	if !ok {
		return nil, nil, fmt.Errorf("model %q is not supported", d.Model)
	}
	name := d.Template
	if name == "" {
		name = DefaultTemplate
	}
	var layers []*model.Settings
	if t, ok := x.templates[tplKey(x.master, d.Model, name)]; ok {
		layers = append(layers, &t.Settings)
	}
	if t, ok := x.templates[tplKey(d.Domain, d.Model, name)]; ok && d.Domain != x.master {
		layers = append(layers, &t.Settings)
	}
	layers = append(layers, &d.Settings)
	p := &model.Phone{
		MAC: d.MAC, Vendor: v.ID(), Model: m.ID, Label: d.Label, Tenant: d.Domain,
		Settings:     model.Merge(layers...),
		HTTPUsername: d.HTTPUsername, HTTPPassword: d.HTTPPassword,
		Server: x.server(),
	}
	for _, l := range d.Lines {
		e, ok := x.exts[extKey(d.Domain, l.Extension)]
		if !ok {
			continue
		}
		p.Lines = append(p.Lines, model.Line{
			Index: l.Line, Extension: e.Number, DisplayName: e.DisplayName,
			AuthUsername: e.AuthUsername, Password: e.Password, Label: l.Label,
			CallerIDSource: l.CallerIDSource, LocalSIPPort: l.LocalSIPPort, SRTP: l.SRTP,
		})
	}
	return p, v, nil
}

// renderDevice renders one device file, IP/DNS mappings applied. The caller
// holds the index's read lock.
func (x *index) renderDevice(d *Device, f vendors.File) (*rendered, error) {
	p, v, err := x.phone(d)
	if err != nil {
		return nil, err
	}
	body, err := v.RenderDevice(f, p)
	if err != nil {
		return nil, fmt.Errorf("render %s for %s: %w", f.Name, d.MAC, err)
	}
	body = x.mappingsFor(d.Domain).apply(body)
	return &rendered{body: body, etag: etagOf(body), contentType: f.ContentType, gen: x.gen}, nil
}

// renderCommon renders a common file with the master domain's mappings.
// The caller holds the index's read lock.
func (x *index) renderCommon(c commonFile) (*rendered, error) {
	body, err := c.v.RenderCommon(c.file, &model.Common{Vendor: c.v.ID(), Model: c.model, Server: x.server()})
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", c.file.Name, err)
	}
	body = x.mappingsFor("").apply(body)
	return &rendered{body: body, etag: etagOf(body), contentType: c.file.ContentType, gen: x.gen}, nil
}
