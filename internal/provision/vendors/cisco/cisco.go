package cisco

import (
	"fmt"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

func init() { vendors.Register(cisco{}) }

// cisco is the Cisco SIP (79x0) and SEP (79x1, 88xx) renderer.
type cisco struct{}

// modelInfo is what the renderer needs to know of a model beyond
// vendors.Model.
type modelInfo struct {
	vendors.Model
	// sep is true for the enterprise firmware (SEP<MAC>.cnf.xml), false
	// for the 79x0 SIP firmware (SIP<MAC>.cnf).
	sep bool
	// buttons is the number of line buttons.
	buttons int
	// label is true for the 7900 series, which show <phoneLabel>.
	label bool
}

// models is sorted by ID.
var models = []modelInfo{
	{Model: vendors.Model{ID: "7940", Name: "IP Phone 7940G (SIP)", Lines: 2}, buttons: 2},
	{Model: vendors.Model{ID: "7941", Name: "IP Phone 7941G", Lines: 2}, sep: true, buttons: 2, label: true},
	{Model: vendors.Model{ID: "7942", Name: "IP Phone 7942G", Lines: 2}, sep: true, buttons: 2, label: true},
	{Model: vendors.Model{ID: "7960", Name: "IP Phone 7960G (SIP)", Lines: 6}, buttons: 6},
	{Model: vendors.Model{ID: "7961", Name: "IP Phone 7961G", Lines: 6}, sep: true, buttons: 6, label: true},
	{Model: vendors.Model{ID: "7962", Name: "IP Phone 7962G", Lines: 6}, sep: true, buttons: 6, label: true},
	{Model: vendors.Model{ID: "8841", Name: "IP Phone 8841", Lines: 5}, sep: true, buttons: 5},
	{Model: vendors.Model{ID: "8845", Name: "IP Phone 8845", Lines: 5}, sep: true, buttons: 5},
	{Model: vendors.Model{ID: "8851", Name: "IP Phone 8851", Lines: 5}, sep: true, buttons: 5},
	{Model: vendors.Model{ID: "8861", Name: "IP Phone 8861", Lines: 5}, sep: true, buttons: 5},
}

func lookup(id string) (modelInfo, bool) {
	for _, m := range models {
		if m.ID == id {
			return m, true
		}
	}
	return modelInfo{}, false
}

func (cisco) ID() string   { return "cisco" }
func (cisco) Name() string { return "Cisco SIP / SEP" }

func (cisco) Models() []vendors.Model {
	out := make([]vendors.Model, len(models))
	for i, m := range models {
		out[i] = m.Model
	}
	return out
}

// The common files, one per firmware family.
const (
	sipDefault = "SIPDefault.cnf"
	xmlDefault = "XMLDefault.cnf.xml"
)

// deviceName is the file a phone of m with address mac requests.
func deviceName(mi modelInfo, mac model.MAC) string {
	if mi.sep {
		return "SEP" + mac.Upper() + ".cnf.xml"
	}
	return "SIP" + mac.Upper() + ".cnf"
}

func (cisco) Files(m string, mac model.MAC) []vendors.File {
	mi, ok := lookup(m)
	if !ok {
		return nil
	}
	if mi.sep {
		return []vendors.File{
			{Name: xmlDefault, ContentType: vendors.TypeXML},
			{Name: deviceName(mi, mac), Device: true, ContentType: vendors.TypeXML},
		}
	}
	return []vendors.File{
		{Name: sipDefault, ContentType: vendors.TypeText},
		{Name: deviceName(mi, mac), Device: true, ContentType: vendors.TypeText},
	}
}

// RenderCommon renders SIPDefault.cnf or XMLDefault.cnf.xml. Both are
// shared by several models, so they depend on the server only.
func (cisco) RenderCommon(f vendors.File, c *model.Common) ([]byte, error) {
	mi, ok := lookup(c.Model)
	if !ok {
		return nil, fmt.Errorf("cisco: unknown model %q", c.Model)
	}
	switch {
	case mi.sep && f.Name == xmlDefault:
		return renderXMLDefault(c), nil
	case !mi.sep && f.Name == sipDefault:
		return renderSIPDefault(c), nil
	}
	return nil, fmt.Errorf("cisco: %s is not a common file of %s", f.Name, mi.ID)
}

// RenderDevice renders SIP<MAC>.cnf or SEP<MAC>.cnf.xml.
func (cisco) RenderDevice(f vendors.File, p *model.Phone) ([]byte, error) {
	mi, ok := lookup(p.Model)
	if !ok {
		return nil, fmt.Errorf("cisco: unknown model %q", p.Model)
	}
	if f.Name != deviceName(mi, p.MAC) {
		return nil, fmt.Errorf("cisco: %s is not the device file of %s", f.Name, p.MAC)
	}
	if mi.sep {
		return renderSEP(p, mi)
	}
	return renderSIP(p, mi)
}
