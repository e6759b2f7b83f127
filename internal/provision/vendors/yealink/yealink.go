// Package yealink renders the provisioning files of Yealink SIP phones (T3x,
// T4xS, T4xU and T5xW series).
//
// # Files
//
// A Yealink phone fetches two files from its provisioning URL, in order:
//
//   - y0000000000NN.cfg, the common file of its model, where NN is the first
//     number of its firmware version, zero-padded to twelve digits (a T46S
//     running 66.86.0.15 asks for y000000000066.cfg);
//   - <mac>.cfg, its own file, the MAC address as twelve lowercase
//     hexadecimal digits (001565a1b2c3.cfg).
//
// Both are "key = value" text whose first line must be "#!version:1.0.0.1".
// The device file is applied last, so it wins over the common one. The common
// file carries no secret: only the provisioning URL of the server. Everything
// else, the SIP credentials and the phone's own provisioning user and
// password (static.auto_provision.server.username/password, which the phone
// sends on every later fetch), is in the device file.
//
// A key is written only when the neutral setting it comes from is set;
// the phone keeps its own default for the rest. Raw keys are applied last and
// replace a generated key in place.
//
// # Sources
//
// The key names and codes were checked against:
//
//   - Yealink, "Administrator's Guide for SIP-T2 Series/T4 Series/T5
//     Series/CP920 IP Phones" (V84/V86): account.X.* (cid_source 0–6,
//     srtp_encryption, dtmf.type, nat.rport), DST by week
//     ("Month/Week of Month/Day of Week/Hour", week 5 = last, day 7 =
//     Sunday), static.auto_provision.*, static.network.*, sip.trust_ctrl;
//   - Yealink, "Administrator's Guide for SIP-T2xP and SIP-T19P" and the DSS
//     key appendix: linekey.X.type codes (15 line, 16 BLF, 13 speed dial,
//     10 call park, 3 transfer, 11 DTMF, 12 voice mail, 14 intercom,
//     24 multicast paging, 25 record, 17 URL, 61 directory);
//   - wazo-platform/wazo-provd-plugins: plugins/wazo_yealink/v86/templates/base.tpl
//     and plugins/wazo_yealink/v86/common.py (transport and DTMF codes,
//     time zone format, account counts per model);
//   - fusionpbx/fusionpbx: resources/templates/provision/yealink/t46s/y000000000066.cfg
//     and {$mac}.cfg (auto-provisioning, STUN, VLAN, LLDP, CDP, LDAP and
//     multicast keys), and the common file names of each model directory
//     under resources/templates/provision/yealink/.
package yealink

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

func init() { vendors.Register(yealink{}) }

// yealink implements [vendors.Vendor].
type yealink struct{}

// modelInfo is a supported model and the firmware family that names its
// common file.
type modelInfo struct {
	vendors.Model
	// family is the first number of the model's firmware version.
	family int
}

// models are the supported models, sorted by ID. Lines is the number of SIP
// accounts of the model.
var models = []modelInfo{
	{vendors.Model{ID: "t31g", Name: "SIP-T31G", Lines: 2}, 124},
	{vendors.Model{ID: "t33g", Name: "SIP-T33G", Lines: 4}, 124},
	{vendors.Model{ID: "t41s", Name: "SIP-T41S", Lines: 6}, 68},
	{vendors.Model{ID: "t42s", Name: "SIP-T42S", Lines: 12}, 67},
	{vendors.Model{ID: "t43u", Name: "SIP-T43U", Lines: 12}, 107},
	{vendors.Model{ID: "t46s", Name: "SIP-T46S", Lines: 16}, 66},
	{vendors.Model{ID: "t46u", Name: "SIP-T46U", Lines: 16}, 108},
	{vendors.Model{ID: "t48s", Name: "SIP-T48S", Lines: 16}, 65},
	{vendors.Model{ID: "t48u", Name: "SIP-T48U", Lines: 16}, 109},
	{vendors.Model{ID: "t53w", Name: "SIP-T53W", Lines: 12}, 95},
	{vendors.Model{ID: "t54w", Name: "SIP-T54W", Lines: 16}, 96},
	{vendors.Model{ID: "t57w", Name: "SIP-T57W", Lines: 16}, 97},
}

func lookup(id string) (modelInfo, bool) {
	for _, m := range models {
		if m.ID == id {
			return m, true
		}
	}
	return modelInfo{}, false
}

// commonName is the common file of a firmware family: "y" and the family on
// twelve digits.
func commonName(family int) string { return fmt.Sprintf("y%012d.cfg", family) }

// deviceName is the device file of mac.
func deviceName(mac model.MAC) string { return mac.String() + ".cfg" }

func (yealink) ID() string   { return "yealink" }
func (yealink) Name() string { return "Yealink" }

func (yealink) Models() []vendors.Model {
	out := make([]vendors.Model, len(models))
	for i, m := range models {
		out[i] = m.Model
	}
	return out
}

func (yealink) Files(m string, mac model.MAC) []vendors.File {
	mi, ok := lookup(m)
	if !ok {
		return nil
	}
	return []vendors.File{
		{Name: commonName(mi.family), Device: false, ContentType: vendors.TypeText},
		{Name: deviceName(mac), Device: true, ContentType: vendors.TypeText},
	}
}

func (yealink) RenderCommon(f vendors.File, c *model.Common) ([]byte, error) {
	mi, ok := lookup(c.Model)
	if !ok {
		return nil, fmt.Errorf("yealink: unknown model %q", c.Model)
	}
	if f.Device || f.Name != commonName(mi.family) {
		return nil, fmt.Errorf("yealink: %s is not the common file of %s", f.Name, c.Model)
	}
	var kv vendors.KV
	// The phone appends its own <mac>.cfg to this URL.
	if u := c.Server.ProvisioningURL; u != "" {
		kv.Set("static.auto_provision.server.url", u)
	}
	header := fmt.Sprintf("%s: common file of the %s (firmware %d); device settings are in <mac>.cfg", f.Name, mi.Name, mi.family)
	return write(header, &kv), nil
}

func (yealink) RenderDevice(f vendors.File, p *model.Phone) ([]byte, error) {
	mi, ok := lookup(p.Model)
	if !ok {
		return nil, fmt.Errorf("yealink: unknown model %q", p.Model)
	}
	if !f.Device || f.Name != deviceName(p.MAC) {
		return nil, fmt.Errorf("yealink: %s is not the device file of %s", f.Name, p.MAC)
	}
	if err := checkRaw(p.Settings.Raw); err != nil {
		return nil, err
	}
	kv := deviceKV(p, mi)
	kv.SetRaw(p.Settings.Raw)
	header := fmt.Sprintf("%s: %s %s", f.Name, mi.Name, p.MAC.Colons())
	return write(header, kv), nil
}

// write formats kv as a Yealink configuration file.
func write(header string, kv *vendors.KV) []byte {
	var b bytes.Buffer
	b.WriteString("#!version:1.0.0.1\n")
	b.WriteString("## " + oneLine(header) + "\n")
	kv.Write(&b, func(k, v string) string { return k + " = " + oneLine(v) }, "\n")
	return b.Bytes()
}

// oneLine keeps a value on its line: the format has no escapes, so a line
// break in a value would start a key of its own.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// checkRaw refuses raw keys that would not parse as one key.
func checkRaw(raw map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if k == "" || strings.HasPrefix(k, "#") || strings.ContainsAny(k, "= \t\r\n") {
			return fmt.Errorf("yealink: raw key %q is not a configuration key", k)
		}
	}
	return nil
}
