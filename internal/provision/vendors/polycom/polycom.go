// Package polycom renders the provisioning files of Polycom (Poly) SIP phones
// running UC Software: VVX and SoundPoint IP.
//
// # Files
//
// A Polycom phone first asks for its master configuration file <mac>.cfg
// (twelve lowercase hexadecimal digits) and, when there is none, for the
// common master 000000000000.cfg. A master file is XML: one APPLICATION
// element whose APP_FILE_PATH names the firmware image and whose
// CONFIG_FILES lists the configuration files to load, the first listed
// winning over the later ones. Both masters list one file, <mac>-user.cfg,
// which holds every setting of the phone, its SIP credentials and its own
// provisioning user and password (device.prov.user/password, sent on every
// later fetch). The common master uses the phone's [PHONE_MAC_ADDRESS]
// macro and so holds no secret.
//
// A configuration file is XML whose attributes are the dotted parameter
// names (reg.1.address="201"); the element names do not matter. Parameters
// of the device.* family are applied only with device.set="1" and their own
// "<name>.set"="1".
//
// A parameter is written only when the neutral setting it comes from is set;
// the phone keeps its own default for the rest. Raw keys are applied last and
// replace a generated parameter in place.
//
// # Sources
//
// The parameter names and values were checked against:
//
//   - Polycom, "UC Software Administrator's Guide" 4.1 and 5.x, and the
//     "VVX Expansion Module Administrator's Guide Addendum" UC Software 4.1.6
//     parameter tables: reg.x.server.y.* (transport DNSnaptr, TCPpreferred,
//     UDPOnly, TLS, TCPOnly), reg.x.outboundProxy.*,
//     voIpProt.SIP.requestValidation.x.method ("source"), master file
//     APP_FILE_PATH and CONFIG_FILES;
//   - wazo-platform/wazo-provd-plugins: plugins/wazo_polycom/common/templates/base.tpl
//     and plugins/wazo_polycom/common/common.py (SRTP, DTMF, time zone and DST
//     rules, attendant.resourceList, lcl.ml.lang names, file names);
//   - fusionpbx/fusionpbx: resources/templates/provision/polycom/5.x/{$mac}.cfg
//     and phoneMAC.cfg (device.prov.*, device.net.lldpEnabled/cdpEnabled,
//     prov.polling.*, lineKey.x.category, attendant resource types);
//   - published Polycom examples of enhanced feature keys (efk.efklist.x.*,
//     feature.EFKLineKey.enabled) and of page-mode multicast (ptt.address,
//     ptt.pageMode.group.x.*).
package polycom

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

func init() { vendors.Register(polycom{}) }

// polycom implements [vendors.Vendor].
type polycom struct{}

// models are the supported models, sorted by ID; Lines is the number of
// registrations the model takes.
var models = []vendors.Model{
	{ID: "soundpoint-ip650", Name: "SoundPoint IP 650", Lines: 34},
	{ID: "vvx300", Name: "VVX 300", Lines: 6},
	{ID: "vvx310", Name: "VVX 310", Lines: 6},
	{ID: "vvx400", Name: "VVX 400", Lines: 12},
	{ID: "vvx410", Name: "VVX 410", Lines: 12},
	{ID: "vvx411", Name: "VVX 411", Lines: 12},
	{ID: "vvx500", Name: "VVX 500", Lines: 12},
	{ID: "vvx501", Name: "VVX 501", Lines: 12},
	{ID: "vvx600", Name: "VVX 600", Lines: 16},
	{ID: "vvx601", Name: "VVX 601", Lines: 16},
}

func lookup(id string) (vendors.Model, bool) {
	for _, m := range models {
		if m.ID == id {
			return m, true
		}
	}
	return vendors.Model{}, false
}

// File names.
const (
	commonMaster = "000000000000.cfg"
	// defaultApp is the firmware image a master names when no firmware URL
	// is set: the combined image, fetched from the provisioning server.
	defaultApp = "sip.ld"
)

func deviceMaster(mac model.MAC) string { return mac.String() + ".cfg" }
func userFile(mac model.MAC) string     { return mac.String() + "-user.cfg" }

func (polycom) ID() string              { return "polycom" }
func (polycom) Name() string            { return "Polycom" }
func (polycom) Models() []vendors.Model { return slices.Clone(models) }

func (polycom) Files(m string, mac model.MAC) []vendors.File {
	if _, ok := lookup(m); !ok {
		return nil
	}
	return []vendors.File{
		{Name: commonMaster, Device: false, ContentType: vendors.TypeXML},
		{Name: deviceMaster(mac), Device: true, ContentType: vendors.TypeXML},
		{Name: userFile(mac), Device: true, ContentType: vendors.TypeXML},
	}
}

func (polycom) RenderCommon(f vendors.File, c *model.Common) ([]byte, error) {
	if _, ok := lookup(c.Model); !ok {
		return nil, fmt.Errorf("polycom: unknown model %q", c.Model)
	}
	if f.Device || f.Name != commonMaster {
		return nil, fmt.Errorf("polycom: %s is not a common file", f.Name)
	}
	// The phone replaces [PHONE_MAC_ADDRESS] by its own address, lowercase.
	return master("common master for phones without their own; settings are in <mac>-user.cfg",
		defaultApp, "[PHONE_MAC_ADDRESS]-user.cfg"), nil
}

func (polycom) RenderDevice(f vendors.File, p *model.Phone) ([]byte, error) {
	m, ok := lookup(p.Model)
	if !ok {
		return nil, fmt.Errorf("polycom: unknown model %q", p.Model)
	}
	switch {
	case f.Device && f.Name == deviceMaster(p.MAC):
		return master(fmt.Sprintf("master of %s %s", m.Name, p.MAC.Colons()), firmwarePath(p), userFile(p.MAC)), nil
	case f.Device && f.Name == userFile(p.MAC):
		if err := checkRaw(p.Settings.Raw); err != nil {
			return nil, err
		}
		kv := settingsKV(p, m)
		kv.SetRaw(p.Settings.Raw)
		return config(fmt.Sprintf("%s: %s %s", f.Name, m.Name, p.MAC.Colons()), kv), nil
	}
	return nil, fmt.Errorf("polycom: %s is not a device file of %s", f.Name, p.MAC)
}

// firmwarePath is the APP_FILE_PATH of p's master: the firmware URL, with
// the image name appended when the URL names a directory.
func firmwarePath(p *model.Phone) string {
	pr := p.Settings.Provisioning
	if pr == nil || pr.FirmwareURL == nil || *pr.FirmwareURL == "" {
		return defaultApp
	}
	u := *pr.FirmwareURL
	if strings.HasSuffix(u, "/") {
		u += defaultApp
	}
	return u
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// master renders a master configuration file.
func master(comment, app, configFiles string) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString("<!-- " + commentText(comment) + " -->\n")
	b.WriteString(`<APPLICATION APP_FILE_PATH="` + vendors.EscapeXML(app) +
		`" CONFIG_FILES="` + vendors.EscapeXML(configFiles) + `"/>` + "\n")
	return b.Bytes()
}

// config renders a configuration file: one element whose attributes are the
// parameters, one per line.
func config(comment string, kv *vendors.KV) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString("<!-- " + commentText(comment) + " -->\n")
	b.WriteString("<polycomConfig\n")
	kv.Write(&b, func(k, v string) string { return "  " + k + `="` + vendors.EscapeXML(v) + `"` }, "\n")
	b.WriteString("/>\n")
	return b.Bytes()
}

// commentText keeps s inside an XML comment.
func commentText(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return strings.TrimSuffix(s, "-")
}

// checkRaw refuses raw keys that are not XML attribute names.
func checkRaw(raw map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if !vendors.ValidXMLName(k) {
			return fmt.Errorf("polycom: raw key %q is not a parameter name", k)
		}
	}
	return nil
}
