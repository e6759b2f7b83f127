// The golden files under testdata/golden were reviewed against:
//
//   - Polycom, "UC Software Administrator's Guide" 4.1/5.x and the "VVX
//     Expansion Module Administrator's Guide Addendum" UC Software 4.1.6
//     parameter tables: reg.x.server.y.transport (UDPOnly, TCPOnly, TLS),
//     reg.x.outboundProxy.*, voIpProt.SIP.requestValidation.x.method
//     "source", the master file's APP_FILE_PATH and CONFIG_FILES;
//   - wazo-platform/wazo-provd-plugins:plugins/wazo_polycom/common/templates/base.tpl
//     and common/common.py: sec.srtp.enable/offer/require, tone.dtmf.*,
//     tcpIpApp.sntp.gmtOffset in seconds, the daylightSavings rule (dayOfWeek
//     1 = Sunday, lastInMonth, date of the first day of the week),
//     attendant.resourceList.x.address/label, lcl.ml.lang names,
//     <mac>-user.cfg;
//   - fusionpbx/fusionpbx:resources/templates/provision/polycom/5.x/{$mac}.cfg:
//     device.set, device.prov.serverName/serverType/user/password with their
//     .set flags, device.net.lldpEnabled/cdpEnabled, prov.polling.*,
//     attendant.resourceList.x.type normal/automata, lineKey.x.category.
package polycom

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestGolden(t *testing.T) {
	vendortest.Golden(t, polycom{})
}

func TestModelsSorted(t *testing.T) {
	ms := polycom{}.Models()
	if !slices.IsSortedFunc(ms, func(a, b vendors.Model) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("models are not sorted by ID")
	}
	for _, m := range ms {
		if m.ID != strings.ToLower(m.ID) || strings.ContainsRune(m.ID, ' ') || m.Lines < 1 {
			t.Errorf("bad model %+v", m)
		}
	}
}

func TestFileNames(t *testing.T) {
	mac, err := model.ParseMAC("00-04-F2-AA-BB-CC")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, model string
		want        []string
	}{
		{"ok/vvx400", "vvx400", []string{"000000000000.cfg", "0004f2aabbcc.cfg", "0004f2aabbcc-user.cfg"}},
		{"ok/soundpoint", "soundpoint-ip650", []string{"000000000000.cfg", "0004f2aabbcc.cfg", "0004f2aabbcc-user.cfg"}},
		{"fail/unknown-model", "vvx9000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for i, f := range (polycom{}).Files(tt.model, mac) {
				got = append(got, f.Name)
				if f.Device != (i > 0) || f.ContentType != vendors.TypeXML {
					t.Errorf("%s: device=%v type=%q", f.Name, f.Device, f.ContentType)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("files = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMasters(t *testing.T) {
	p := vendortest.SamplePhone("polycom", "vvx400")
	common, err := polycom{}.RenderCommon(vendors.File{Name: "000000000000.cfg"}, vendortest.SampleCommon("polycom", "vvx400"))
	if err != nil {
		t.Fatal(err)
	}
	app := attrs(t, common)
	if app["CONFIG_FILES"] != "[PHONE_MAC_ADDRESS]-user.cfg" || app["APP_FILE_PATH"] != "sip.ld" {
		t.Errorf("common master = %v", app)
	}
	dev, err := polycom{}.RenderDevice(vendors.File{Name: "001565a1b2c3.cfg", Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	app = attrs(t, dev)
	if app["CONFIG_FILES"] != "001565a1b2c3-user.cfg" || app["APP_FILE_PATH"] != "https://1.1.1.1/firmware/sip.ld" {
		t.Errorf("device master = %v", app)
	}
}

// minimal is a phone with one line and no setting at all.
func minimal() *model.Phone {
	return &model.Phone{
		MAC: "0004f2a1b2c3", Vendor: "polycom", Model: "vvx400",
		Lines:        []model.Line{{Index: 1, Extension: "201", Password: "pw"}},
		HTTPUsername: "dev", HTTPPassword: "devpw",
		Server: model.Server{ProvisioningURL: "https://pbx.example.com/provision/", SIPServer: "pbx.example.com"},
	}
}

// attrs parses data and returns the attributes of its root element.
func attrs(t *testing.T, data []byte) map[string]string {
	t.Helper()
	vendortest.CheckXML(t, "file", data)
	var root struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range root.Attrs {
		out[a.Name.Local] = a.Value
	}
	return out
}

// render renders p's -user.cfg and returns its parameters in order and by
// name.
func render(t *testing.T, p *model.Phone) ([]string, map[string]string) {
	t.Helper()
	data, err := polycom{}.RenderDevice(vendors.File{Name: p.MAC.String() + "-user.cfg", Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, line := range strings.Split(string(data), "\n") {
		if k, _, ok := strings.Cut(strings.TrimSpace(line), `="`); ok && !strings.HasPrefix(k, "<") {
			order = append(order, k)
		}
	}
	return order, attrs(t, data)
}

func TestUnsetSettingsAreNotWritten(t *testing.T) {
	keys, v := render(t, minimal())
	want := []string{
		"device.set",
		"device.prov.serverType.set", "device.prov.serverType",
		"device.prov.serverName.set", "device.prov.serverName",
		"device.prov.user.set", "device.prov.user",
		"device.prov.password.set", "device.prov.password",
		"reg.1.address", "reg.1.auth.userId", "reg.1.auth.password",
		"reg.1.server.1.address", "reg.1.server.1.port", "reg.1.server.1.transport",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("keys = %v\nwant %v", keys, want)
	}
	if v["device.prov.serverType"] != "3" || v["device.prov.serverName"] != "pbx.example.com/provision/" {
		t.Errorf("provisioning server = %q %q", v["device.prov.serverType"], v["device.prov.serverName"])
	}
}

func TestProvisioningServer(t *testing.T) {
	tests := []struct{ name, url, server, typ string }{
		{"ok/https", "https://pbx.example.com/provision/", "pbx.example.com/provision/", "3"},
		{"ok/http-port", "http://10.0.0.1:8080/p/", "10.0.0.1:8080/p/", "2"},
		{"ok/tftp", "tftp://10.0.0.1/", "10.0.0.1/", "1"},
		{"ok/no-scheme", "pbx.example.com/provision", "pbx.example.com/provision", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, typ := provServer(tt.url)
			if server != tt.server || typ != tt.typ {
				t.Errorf("provServer(%q) = %q, %q; want %q, %q", tt.url, server, typ, tt.server, tt.typ)
			}
		})
	}
}

func TestTransports(t *testing.T) {
	tests := []struct{ name, transport, want, port string }{
		{"ok/udp", "udp", "UDPOnly", "5060"},
		{"ok/tcp", "tcp", "TCPOnly", "5060"},
		{"ok/tls", "tls", "TLS", "5061"},
		{"skip/unknown", "sctp", "", "5060"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			p.Settings.SIP = &model.SIPSettings{Transport: model.Ptr(tt.transport), OutboundProxy: model.Ptr("sbc.example.com")}
			_, v := render(t, p)
			if v["reg.1.server.1.transport"] != tt.want || v["reg.1.outboundProxy.transport"] != tt.want {
				t.Errorf("transport = %q/%q, want %q", v["reg.1.server.1.transport"], v["reg.1.outboundProxy.transport"], tt.want)
			}
			if v["reg.1.server.1.port"] != tt.port {
				t.Errorf("port = %q, want %q", v["reg.1.server.1.port"], tt.port)
			}
		})
	}
}

func TestSRTP(t *testing.T) {
	tests := []struct {
		name, line string
		global     *string
		want       string // enable/offer/require, "" for not written
	}{
		{"ok/line-optional", "optional", nil, "1/1/0"},
		{"ok/line-mandatory", "mandatory", nil, "1/1/1"},
		{"ok/line-off-over-global", "off", model.Ptr("mandatory"), "0/0/0"},
		{"ok/global", "", model.Ptr("optional"), "1/1/0"},
		{"skip/unset", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			p.Lines[0].SRTP = tt.line
			p.Settings.SRTP = tt.global
			_, v := render(t, p)
			got := v["reg.1.srtp.enable"] + "/" + v["reg.1.srtp.offer"] + "/" + v["reg.1.srtp.require"]
			if tt.want == "" && got != "//" || tt.want != "" && got != tt.want {
				t.Errorf("srtp = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeyTypes(t *testing.T) {
	tests := []struct {
		typ      model.KeyType
		category string
		check    map[string]string
	}{
		{model.KeyLine, "Line", map[string]string{"lineKey.4.index": "1"}},
		{model.KeyBLF, "BLF", map[string]string{"attendant.resourceList.1.address": "7", "attendant.resourceList.1.type": "normal", "lineKey.4.index": "1"}},
		{model.KeyPark, "BLF", map[string]string{"attendant.resourceList.1.type": "automata"}},
		{model.KeySpeedDial, "EFK", map[string]string{"efk.efklist.1.action.string": "7$Tinvite$", "lineKey.4.index": "1"}},
		{model.KeyVoicemail, "EFK", map[string]string{"efk.efklist.1.action.string": "7$Tinvite$"}},
		{model.KeyDTMF, "EFK", map[string]string{"efk.efklist.1.action.string": "7$Tdtmf$"}},
		{model.KeyTransfer, "EFK", map[string]string{"efk.efklist.1.action.string": "7$Trefer$"}},
		{model.KeyNone, "Unassigned", nil},
		{model.KeyDirectory, "", nil},
		{model.KeyIntercom, "", nil},
		{model.KeyPaging, "", nil},
		{model.KeyRecord, "", nil},
		{model.KeyURL, "", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			p := minimal()
			p.Settings.Keys = []model.Key{{Index: 4, Type: tt.typ, Value: "7", Label: "K"}}
			_, v := render(t, p)
			if got := v["lineKey.4.category"]; got != tt.category {
				t.Errorf("category = %q, want %q", got, tt.category)
			}
			for k, want := range tt.check {
				if v[k] != want {
					t.Errorf("%s = %q, want %q", k, v[k], want)
				}
			}
		})
	}
}

func TestTimeZones(t *testing.T) {
	tests := []struct {
		name, zone string
		dst        *bool
		want       map[string]string
	}{
		{"ok/paris", "Europe/Paris", nil, map[string]string{
			"tcpIpApp.sntp.gmtOffset": "3600", "tcpIpApp.sntp.daylightSavings.enable": "1",
			"tcpIpApp.sntp.daylightSavings.start.month": "3", "tcpIpApp.sntp.daylightSavings.start.time": "2",
			"tcpIpApp.sntp.daylightSavings.start.dayOfWeek": "1", "tcpIpApp.sntp.daylightSavings.start.dayOfWeek.lastInMonth": "1",
			"tcpIpApp.sntp.daylightSavings.stop.month": "10", "tcpIpApp.sntp.daylightSavings.stop.time": "3",
		}},
		{"ok/new-york-second-sunday", "America/New_York", model.Ptr(true), map[string]string{
			"tcpIpApp.sntp.gmtOffset": "-18000", "tcpIpApp.sntp.daylightSavings.start.month": "3",
			"tcpIpApp.sntp.daylightSavings.start.date": "8", "tcpIpApp.sntp.daylightSavings.start.dayOfWeek.lastInMonth": "0",
			"tcpIpApp.sntp.daylightSavings.stop.month": "11", "tcpIpApp.sntp.daylightSavings.stop.date": "1",
		}},
		{"ok/kolkata-no-dst", "Asia/Kolkata", nil, map[string]string{
			"tcpIpApp.sntp.gmtOffset": "19800", "tcpIpApp.sntp.daylightSavings.enable": "0",
			"tcpIpApp.sntp.daylightSavings.start.month": "",
		}},
		{"ok/dst-off", "Europe/Paris", model.Ptr(false), map[string]string{
			"tcpIpApp.sntp.gmtOffset": "3600", "tcpIpApp.sntp.daylightSavings.enable": "0",
		}},
		{"skip/unknown-zone", "Mars/Olympus", nil, map[string]string{"tcpIpApp.sntp.gmtOffset": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			p.Settings.Time = &model.TimeSettings{TimeZone: model.Ptr(tt.zone), DST: tt.dst}
			_, v := render(t, p)
			for k, want := range tt.want {
				if v[k] != want {
					t.Errorf("%s = %q, want %q", k, v[k], want)
				}
			}
		})
	}
}

func TestRawOverridesInPlace(t *testing.T) {
	p := minimal()
	p.Settings.Raw = map[string]string{"reg.1.address": "override", "up.backlight.idleIntensity": "1"}
	keys, v := render(t, p)
	base, _ := render(t, minimal())
	if i, j := slices.Index(keys, "reg.1.address"), slices.Index(base, "reg.1.address"); i != j {
		t.Errorf("raw key moved from %d to %d", j, i)
	}
	if v["reg.1.address"] != "override" {
		t.Errorf("reg.1.address = %q, want the raw value", v["reg.1.address"])
	}
	if keys[len(keys)-1] != "up.backlight.idleIntensity" {
		t.Errorf("new raw key not last: %v", keys)
	}
}

func TestBadRawKeyIsRefused(t *testing.T) {
	for _, k := range []string{"", "a b", `x"y`, "1abc", "a/>b"} {
		p := minimal()
		p.Settings.Raw = map[string]string{k: "1"}
		if _, err := (polycom{}).RenderDevice(vendors.File{Name: "0004f2a1b2c3-user.cfg", Device: true}, p); err == nil {
			t.Errorf("raw key %q accepted", k)
		}
	}
}

func TestValuesAreEscaped(t *testing.T) {
	p := minimal()
	p.Lines[0].DisplayName = `Eve" device.prov.serverName="evil`
	_, v := render(t, p)
	if v["reg.1.displayName"] != p.Lines[0].DisplayName || v["device.prov.serverName"] != "pbx.example.com/provision/" {
		t.Errorf("displayName = %q, serverName = %q", v["reg.1.displayName"], v["device.prov.serverName"])
	}
}

func TestWrongFileIsRefused(t *testing.T) {
	pc := polycom{}
	if _, err := pc.RenderDevice(vendors.File{Name: "000000000000.cfg"}, minimal()); err == nil {
		t.Error("device render of the common master accepted")
	}
	if _, err := pc.RenderDevice(vendors.File{Name: "001565aabbcc-user.cfg", Device: true}, minimal()); err == nil {
		t.Error("device render of another MAC's file accepted")
	}
}
