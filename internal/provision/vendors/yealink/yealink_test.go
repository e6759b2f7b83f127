// The golden files under testdata/golden were reviewed against:
//
//   - Yealink, "Administrator's Guide for SIP-T2 Series/T4 Series/T5
//     Series/CP920 IP Phones" (V84/V86): account.X.* parameters
//     (cid_source 0 FROM, 2 PAI-FROM, 5 RPID-FROM; srtp_encryption; dtmf.type),
//     DST by week ("3/5/7/2" is the last Sunday of March at 2:00),
//     static.auto_provision.*, static.network.*, static.security.user_password;
//   - Yealink DSS key appendix (linekey.X.type 15 line, 16 BLF, 13 speed dial,
//     10 call park, 24 multicast paging);
//   - wazo-platform/wazo-provd-plugins:plugins/wazo_yealink/v86/templates/base.tpl
//     and v86/common.py;
//   - fusionpbx/fusionpbx:resources/templates/provision/yealink/t46s/y000000000066.cfg,
//     t46s/{$mac}.cfg, and the y0000000000NN.cfg names of t48s, t54w, t57w,
//     t43u, t46u, t48u, t53w.
package yealink

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestGolden(t *testing.T) {
	vendortest.Golden(t, yealink{})
}

func TestFilesParse(t *testing.T) {
	v := yealink{}
	for _, m := range v.Models() {
		ph := vendortest.SamplePhone("yealink", m.ID)
		for _, f := range v.Files(m.ID, ph.MAC) {
			var data []byte
			var err error
			if f.Device {
				data, err = v.RenderDevice(f, ph)
			} else {
				data, err = v.RenderCommon(f, vendortest.SampleCommon("yealink", m.ID))
			}
			if err != nil {
				t.Fatalf("%s/%s: %v", m.ID, f.Name, err)
			}
			if !bytes.HasPrefix(data, []byte("#!version:1.0.0.1\n")) {
				t.Errorf("%s/%s: first line is not the version header", m.ID, f.Name)
			}
			vendortest.CheckNoDuplicateKeys(t, m.ID+"/"+f.Name, data, "=", "#")
		}
	}
}

func TestModelsSorted(t *testing.T) {
	ms := yealink{}.Models()
	if !slices.IsSortedFunc(ms, func(a, b vendors.Model) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("models are not sorted by ID")
	}
	for _, m := range ms {
		if m.ID != strings.ToLower(m.ID) || m.Lines < 1 {
			t.Errorf("bad model %+v", m)
		}
	}
}

func TestFileNames(t *testing.T) {
	mac, err := model.ParseMAC("00:15:65:AA:BB:CC")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, model string
		want        []string
	}{
		{"ok/t46s-family-66", "t46s", []string{"y000000000066.cfg", "001565aabbcc.cfg"}},
		{"ok/t54w-family-96", "t54w", []string{"y000000000096.cfg", "001565aabbcc.cfg"}},
		{"ok/t31g-family-124", "t31g", []string{"y000000000124.cfg", "001565aabbcc.cfg"}},
		{"ok/t57w-family-97", "t57w", []string{"y000000000097.cfg", "001565aabbcc.cfg"}},
		{"fail/unknown-model", "t99", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for i, f := range (yealink{}).Files(tt.model, mac) {
				got = append(got, f.Name)
				if f.Device != (i == 1) || f.ContentType != vendors.TypeText {
					t.Errorf("%s: device=%v type=%q", f.Name, f.Device, f.ContentType)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("files = %v, want %v", got, tt.want)
			}
		})
	}
}

// minimal is a phone with one line and no setting at all.
func minimal() *model.Phone {
	return &model.Phone{
		MAC: "001565a1b2c3", Vendor: "yealink", Model: "t46s",
		Lines:        []model.Line{{Index: 1, Extension: "201", Password: "pw"}},
		HTTPUsername: "dev", HTTPPassword: "devpw",
		Server: model.Server{ProvisioningURL: "https://pbx.example.com/provision/", SIPServer: "pbx.example.com"},
	}
}

// render renders the device file of p and returns its keys in order.
func render(t *testing.T, p *model.Phone) ([]string, map[string]string) {
	t.Helper()
	data, err := yealink{}.RenderDevice(vendors.File{Name: p.MAC.String() + ".cfg", Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	vendortest.CheckNoDuplicateKeys(t, "device", data, "=", "#")
	var order []string
	values := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			t.Fatalf("line %q is not key = value", line)
		}
		order = append(order, k)
		values[k] = v
	}
	return order, values
}

func TestUnsetSettingsAreNotWritten(t *testing.T) {
	keys, _ := render(t, minimal())
	want := []string{
		"static.auto_provision.server.url",
		"static.auto_provision.server.username",
		"static.auto_provision.server.password",
		"account.1.enable", "account.1.auth_name", "account.1.user_name", "account.1.password",
		"account.1.sip_server.1.address", "account.1.sip_server.1.port", "account.1.sip_server.1.transport_type",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("keys = %v\nwant %v", keys, want)
	}
}

func TestTransportCodes(t *testing.T) {
	tests := []struct {
		name, transport, code, port string
	}{
		{"ok/udp", "udp", "0", "5060"},
		{"ok/tcp", "tcp", "1", "5060"},
		{"ok/tls-default-port", "tls", "2", "5061"},
		{"skip/unknown", "sctp", "", "5060"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			p.Settings.SIP = &model.SIPSettings{Transport: model.Ptr(tt.transport)}
			_, v := render(t, p)
			if got := v["account.1.sip_server.1.transport_type"]; got != tt.code {
				t.Errorf("transport_type = %q, want %q", got, tt.code)
			}
			if got := v["account.1.sip_server.1.port"]; got != tt.port {
				t.Errorf("port = %q, want %q", got, tt.port)
			}
		})
	}
}

func TestSRTPCodes(t *testing.T) {
	tests := []struct {
		name, line string
		global     *string
		want       string
		present    bool
	}{
		{"ok/line-optional", "optional", nil, "1", true},
		{"ok/line-mandatory", "mandatory", nil, "2", true},
		{"ok/line-off-over-global", "off", model.Ptr("mandatory"), "0", true},
		{"ok/global-mandatory", "", model.Ptr("mandatory"), "2", true},
		{"skip/unset", "", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			p.Lines[0].SRTP = tt.line
			p.Settings.SRTP = tt.global
			_, v := render(t, p)
			got, ok := v["account.1.srtp_encryption"]
			if ok != tt.present || got != tt.want {
				t.Errorf("srtp_encryption = %q (present %v), want %q (present %v)", got, ok, tt.want, tt.present)
			}
		})
	}
}

func TestCallerIDAndDTMFCodes(t *testing.T) {
	tests := []struct {
		name, cid, dtmf, wantCID, wantDTMF string
	}{
		{"ok/pai-rfc2833", "pai", "rfc2833", "2", "1"},
		{"ok/rpid-info", "rpid", "info", "5", "2"},
		{"ok/from-inband", "from", "inband", "0", "0"},
		{"ok/auto", "", "auto", "", "3"},
		{"skip/unknown", "contact", "sms", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			p.Lines[0].CallerIDSource = tt.cid
			p.Settings.DTMF = model.Ptr(tt.dtmf)
			_, v := render(t, p)
			if got := v["account.1.cid_source"]; got != tt.wantCID {
				t.Errorf("cid_source = %q, want %q", got, tt.wantCID)
			}
			if got := v["account.1.dtmf.type"]; got != tt.wantDTMF {
				t.Errorf("dtmf.type = %q, want %q", got, tt.wantDTMF)
			}
		})
	}
}

func TestKeyTypes(t *testing.T) {
	tests := []struct {
		typ  model.KeyType
		code string
	}{
		{model.KeyLine, "15"}, {model.KeyBLF, "16"}, {model.KeySpeedDial, "13"},
		{model.KeyPark, "10"}, {model.KeyTransfer, "3"}, {model.KeyDTMF, "11"},
		{model.KeyDirectory, "61"}, {model.KeyVoicemail, "12"}, {model.KeyIntercom, "14"},
		{model.KeyPaging, "24"}, {model.KeyRecord, "25"}, {model.KeyURL, "17"},
		{model.KeyNone, "0"}, {"teleport", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			p := minimal()
			p.Settings.Keys = []model.Key{{Index: 4, Type: tt.typ, Value: "7", Label: "K"}}
			_, v := render(t, p)
			if got := v["linekey.4.type"]; got != tt.code {
				t.Errorf("type = %q, want %q", got, tt.code)
			}
			if tt.code == "" || tt.code == "0" {
				if _, ok := v["linekey.4.value"]; ok {
					t.Error("value written for a key without a type")
				}
				return
			}
			if v["linekey.4.line"] != "1" || v["linekey.4.value"] != "7" || v["linekey.4.label"] != "K" {
				t.Errorf("line/value/label = %q/%q/%q", v["linekey.4.line"], v["linekey.4.value"], v["linekey.4.label"])
			}
		})
	}
}

func TestTimeZones(t *testing.T) {
	tests := []struct {
		name, zone          string
		dst                 *bool
		tz, summer          string
		start, end, offsetM string
	}{
		{"ok/paris", "Europe/Paris", nil, "+1", "1", "3/5/7/2", "10/5/7/3", "60"},
		{"ok/new-york", "America/New_York", model.Ptr(true), "-5", "1", "3/2/7/2", "11/1/7/2", "60"},
		{"ok/sydney-southern", "Australia/Sydney", nil, "+10", "1", "10/1/7/2", "4/1/7/3", "60"},
		{"ok/kolkata-half-hour", "Asia/Kolkata", nil, "+5:30", "0", "", "", ""},
		{"ok/st-johns-negative-half", "America/St_Johns", model.Ptr(false), "-3:30", "0", "", "", ""},
		{"ok/utc", "UTC", nil, "0", "0", "", "", ""},
		{"skip/unknown-zone", "Mars/Olympus", nil, "", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			p.Settings.Time = &model.TimeSettings{TimeZone: model.Ptr(tt.zone), DST: tt.dst}
			_, v := render(t, p)
			for k, want := range map[string]string{
				"local_time.time_zone": tt.tz, "local_time.summer_time": tt.summer,
				"local_time.start_time": tt.start, "local_time.end_time": tt.end,
				"local_time.offset_time": tt.offsetM,
			} {
				if got := v[k]; got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestRawOverridesInPlace(t *testing.T) {
	p := minimal()
	p.Settings.Raw = map[string]string{"account.1.user_name": "override", "features.dnd.enable": "1"}
	keys, v := render(t, p)
	base, _ := render(t, minimal())
	if i, j := slices.Index(keys, "account.1.user_name"), slices.Index(base, "account.1.user_name"); i != j {
		t.Errorf("raw key moved from %d to %d", j, i)
	}
	if v["account.1.user_name"] != "override" {
		t.Errorf("user_name = %q, want the raw value", v["account.1.user_name"])
	}
	if keys[len(keys)-1] != "features.dnd.enable" {
		t.Errorf("new raw key not last: %v", keys)
	}
}

func TestBadRawKeyIsRefused(t *testing.T) {
	for _, k := range []string{"", "a b", "x=y", "#c", "a\nb"} {
		p := minimal()
		p.Settings.Raw = map[string]string{k: "1"}
		if _, err := (yealink{}).RenderDevice(vendors.File{Name: "001565a1b2c3.cfg", Device: true}, p); err == nil {
			t.Errorf("raw key %q accepted", k)
		}
	}
}

func TestValuesStayOnOneLine(t *testing.T) {
	p := minimal()
	p.Lines[0].DisplayName = "Eve\nstatic.auto_provision.server.url = http://evil/"
	_, v := render(t, p)
	if got := v["static.auto_provision.server.url"]; got != "https://pbx.example.com/provision/" {
		t.Errorf("server.url = %q: a value injected a key", got)
	}
}

func TestWrongFileIsRefused(t *testing.T) {
	y := yealink{}
	if _, err := y.RenderDevice(vendors.File{Name: "y000000000066.cfg"}, minimal()); err == nil {
		t.Error("device render of the common file accepted")
	}
	if _, err := y.RenderDevice(vendors.File{Name: "001565AABBCC.cfg", Device: true}, minimal()); err == nil {
		t.Error("device render of another MAC's file accepted")
	}
	if _, err := y.RenderCommon(vendors.File{Name: "y000000000096.cfg"}, &model.Common{Model: "t46s"}); err == nil {
		t.Error("common file of another model accepted")
	}
}
