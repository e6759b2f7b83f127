package ciscospa

import (
	"bytes"
	"fmt"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

func init() { vendors.Register(spa{}) }

// spa is the Cisco SPA / Sipura / Linksys renderer.
type spa struct{}

// modelInfo is what the renderer needs to know of a model beyond
// vendors.Model.
type modelInfo struct {
	vendors.Model
	// psn is the product series number as the phone expands $PSN in its
	// default profile rule /spa$PSN.cfg.
	psn string
	// keys is the number of programmable line keys on the phone itself.
	keys int
	// units is the number of SPA500S expansion units (32 keys each) the
	// phone takes.
	units int
	// ata is true for the analogue adapters: no keys, no display, and the
	// clock and web passwords in <router-configuration>.
	ata bool
	// locale is true for the models that have a Locale element besides
	// Language_Selection (SPA525G, SPA525G2).
	locale bool
}

// models is sorted by ID.
var models = []modelInfo{
	{Model: vendors.Model{ID: "spa112", Name: "SPA112", Lines: 2}, psn: "112", ata: true},
	{Model: vendors.Model{ID: "spa122", Name: "SPA122", Lines: 2}, psn: "122", ata: true},
	{Model: vendors.Model{ID: "spa301", Name: "SPA301", Lines: 1}, psn: "301"},
	{Model: vendors.Model{ID: "spa303", Name: "SPA303", Lines: 3}, psn: "303", keys: 3, units: 2},
	{Model: vendors.Model{ID: "spa501g", Name: "SPA501G", Lines: 8}, psn: "501G", keys: 8, units: 2},
	{Model: vendors.Model{ID: "spa502g", Name: "SPA502G", Lines: 1}, psn: "502G", units: 2},
	{Model: vendors.Model{ID: "spa504g", Name: "SPA504G", Lines: 4}, psn: "504G", keys: 4, units: 2},
	{Model: vendors.Model{ID: "spa508g", Name: "SPA508G", Lines: 8}, psn: "508G", keys: 8, units: 2},
	{Model: vendors.Model{ID: "spa509g", Name: "SPA509G", Lines: 12}, psn: "509G", keys: 12, units: 2},
	{Model: vendors.Model{ID: "spa512g", Name: "SPA512G", Lines: 1}, psn: "512G", units: 2},
	{Model: vendors.Model{ID: "spa514g", Name: "SPA514G", Lines: 4}, psn: "514G", keys: 4, units: 2},
	{Model: vendors.Model{ID: "spa525g", Name: "SPA525G", Lines: 5}, psn: "525G", keys: 5, units: 2, locale: true},
	{Model: vendors.Model{ID: "spa525g2", Name: "SPA525G2", Lines: 5}, psn: "525G2", keys: 5, units: 2, locale: true},
	{Model: vendors.Model{ID: "spa941", Name: "SPA941 (Linksys)", Lines: 4}, psn: "941", keys: 4},
	{Model: vendors.Model{ID: "spa942", Name: "SPA942 (Linksys)", Lines: 4}, psn: "942", keys: 4},
	{Model: vendors.Model{ID: "spa962", Name: "SPA962 (Linksys)", Lines: 6}, psn: "962", keys: 6, units: 2},
}

func lookup(id string) (modelInfo, bool) {
	for _, m := range models {
		if m.ID == id {
			return m, true
		}
	}
	return modelInfo{}, false
}

func (spa) ID() string   { return "ciscospa" }
func (spa) Name() string { return "Cisco SPA / Sipura / Linksys" }

func (spa) Models() []vendors.Model {
	out := make([]vendors.Model, len(models))
	for i, m := range models {
		out[i] = m.Model
	}
	return out
}

// commonName is the file a phone of m requests first: /spa$PSN.cfg.
func commonName(m modelInfo) string { return "spa" + m.psn + ".cfg" }

// deviceName is the file the profile rules point at: $MA.xml.
func deviceName(mac model.MAC) string { return mac.String() + ".xml" }

func (spa) Files(m string, mac model.MAC) []vendors.File {
	mi, ok := lookup(m)
	if !ok {
		return nil
	}
	return []vendors.File{
		{Name: commonName(mi), ContentType: vendors.TypeXML},
		{Name: deviceName(mac), Device: true, ContentType: vendors.TypeXML},
	}
}

// RenderCommon renders spa$PSN.cfg: provisioning on, and the device file
// as the second profile rule, without credentials.
func (spa) RenderCommon(f vendors.File, c *model.Common) ([]byte, error) {
	mi, ok := lookup(c.Model)
	if !ok {
		return nil, fmt.Errorf("ciscospa: unknown model %q", c.Model)
	}
	if f.Name != commonName(mi) {
		return nil, fmt.Errorf("ciscospa: %s is not a common file of %s", f.Name, mi.ID)
	}
	if c.Server.ProvisioningURL == "" {
		return nil, fmt.Errorf("ciscospa: %s: no provisioning URL", f.Name)
	}
	var kv vendors.KV
	kv.Set("Provision_Enable", "Yes")
	kv.Set("Resync_On_Reset", "Yes")
	kv.Set("Profile_Rule_B", deviceURL(c.Server.ProvisioningURL))
	var buf bytes.Buffer
	writeProfile(&buf, &kv, nil)
	return buf.Bytes(), nil
}

// RenderDevice renders <mac>.xml.
func (spa) RenderDevice(f vendors.File, p *model.Phone) ([]byte, error) {
	mi, ok := lookup(p.Model)
	if !ok {
		return nil, fmt.Errorf("ciscospa: unknown model %q", p.Model)
	}
	if f.Name != deviceName(p.MAC) {
		return nil, fmt.Errorf("ciscospa: %s is not the device file of %s", f.Name, p.MAC)
	}
	var (
		kv     vendors.KV
		router []section
	)
	if err := provisioning(&kv, p); err != nil {
		return nil, err
	}
	system(&kv, p, mi)
	if mi.ata {
		router = routerConfig(p)
	} else {
		regional(&kv, p, mi)
	}
	network(&kv, p)
	lines(&kv, p, mi)
	keys(&kv, p, mi)
	if !mi.ata {
		services(&kv, p)
	}
	if err := checkRaw(p.Settings.Raw); err != nil {
		return nil, err
	}
	kv.SetRaw(p.Settings.Raw)
	var buf bytes.Buffer
	writeProfile(&buf, &kv, router)
	return buf.Bytes(), nil
}
