// The golden files under testdata/golden were reviewed against:
//   - Snom service wiki: "Desk Phone Configuration Files", "<phone-settings>
//     tag", "Function Key Types", admin_mode_password, mc_address;
//   - wazo-platform/wazo-provd-plugins: plugins/wazo_snom/common/common.py,
//     common/templates/base.tpl, common_v10/templates/other/base.htm.tpl;
//   - fusionpbx/fusionpbx: resources/templates/provision/snom/D785/{$mac}.xml;
//   - nethesis/tancredi: data/templates/snom.tmpl, snom.macros,
//     snom-MODEL-MAC_ADDRESS.tmpl.

package snom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestGolden(t *testing.T) {
	v, ok := vendors.Lookup("snom")
	if !ok {
		t.Fatal("snom is not registered")
	}
	vendortest.Golden(t, v)
}

// entry is one element of a rendered settings file.
type entry struct{ section, name, idx, context, label, value string }

// parse returns the elements of a <settings> document in order.
func parse(t *testing.T, data []byte) []entry {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var out []entry
	var stack []string
	var cur *entry
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) == 2 {
				e := entry{section: stack[1], name: tok.Name.Local}
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "idx":
						e.idx = a.Value
					case "context":
						e.context = a.Value
					case "label":
						e.label = a.Value
					}
				}
				out = append(out, e)
				cur = &out[len(out)-1]
			}
			stack = append(stack, tok.Name.Local)
		case xml.CharData:
			if cur != nil && len(stack) == 3 {
				cur.value += string(tok)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if len(stack) == 2 {
				cur = nil
			}
		}
	}
}

// get returns the value of a phone setting (idx "" for a global one).
func get(es []entry, name, idx string) (string, bool) {
	for _, e := range es {
		if e.section == "phone-settings" && e.name == name && e.idx == idx {
			return e.value, true
		}
	}
	return "", false
}

func device(t *testing.T, p *model.Phone) []entry {
	t.Helper()
	v := snom{}
	data, err := v.RenderDevice(vendors.File{Name: deviceXML(p.MAC), Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	vendortest.CheckXML(t, "device", data)
	return parse(t, data)
}

func minimalPhone(modelID string) *model.Phone {
	return &model.Phone{
		MAC: vendortest.SampleMAC, Vendor: "snom", Model: modelID,
		Lines:  []model.Line{{Index: 1, Extension: "201", Password: "pw"}},
		Server: model.Server{ProvisioningURL: "https://pbx.example.com/provision/", SIPServer: "pbx.example.com"},
	}
}

func TestFileNames(t *testing.T) {
	mac := model.MAC("000413aabbcc")
	tests := []struct {
		model string
		want  []string
	}{
		{"d785", []string{"snomD785.htm", "snomD785-000413AABBCC.htm", "000413AABBCC.xml"}},
		{"d735", []string{"snomD735.htm", "snomD735-000413AABBCC.htm", "000413AABBCC.xml"}},
		{"710", []string{"snom710.htm", "snom710-000413AABBCC.htm", "000413AABBCC.xml"}},
		{"320", []string{"snom320.htm", "snom320-000413AABBCC.htm", "000413AABBCC.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			files := snom{}.Files(tt.model, mac)
			if len(files) != len(tt.want) {
				t.Fatalf("got %d files, want %d", len(files), len(tt.want))
			}
			for i, f := range files {
				if f.Name != tt.want[i] {
					t.Errorf("file %d: got %s, want %s", i, f.Name, tt.want[i])
				}
				if f.Device != (i > 0) {
					t.Errorf("%s: Device = %v", f.Name, f.Device)
				}
			}
		})
	}
	if files := (snom{}).Files("d999", mac); files != nil {
		t.Errorf("unknown model: got %v", files)
	}
}

func TestModelsSorted(t *testing.T) {
	ms := snom{}.Models()
	for i := 1; i < len(ms); i++ {
		if ms[i-1].ID >= ms[i].ID {
			t.Errorf("models not sorted: %s before %s", ms[i-1].ID, ms[i].ID)
		}
	}
	for _, m := range ms {
		if m.ID != strings.ToLower(m.ID) || m.Lines < 1 {
			t.Errorf("bad model %+v", m)
		}
	}
}

func TestDeviceHTMPointsAtXML(t *testing.T) {
	p := minimalPhone("d785")
	data, err := snom{}.RenderDevice(vendors.File{Name: "snomD785-001565A1B2C3.htm", Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`<file url="https://pbx.example.com/provision/001565A1B2C3.xml"/>`)) {
		t.Errorf("device .htm does not name the .xml:\n%s", data)
	}
}

func TestProvisioningCredentials(t *testing.T) {
	p := minimalPhone("d785")
	p.HTTPUsername, p.HTTPPassword = "dev-1", "s3cret&"
	es := device(t, p)
	for name, want := range map[string]string{
		"http_client_user": "dev-1", "http_client_pass": "s3cret&",
		"setting_server": "https://pbx.example.com/provision/",
	} {
		if got, _ := get(es, name, ""); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestTransport(t *testing.T) {
	tests := []struct {
		name, transport string
		port            *int
		proxy           *string
		wantHost        string
		wantOutbound    string
	}{
		{"udp-default", "udp", nil, nil, "pbx.example.com", "pbx.example.com:5060;transport=udp"},
		{"tcp", "tcp", nil, nil, "pbx.example.com", "pbx.example.com:5060;transport=tcp"},
		{"tls-default-port", "tls", nil, nil, "pbx.example.com", "pbx.example.com:5061;transport=tls"},
		{"udp-custom-port", "udp", model.Ptr(5080), nil, "pbx.example.com:5080", "pbx.example.com:5080;transport=udp"},
		{"outbound-proxy", "udp", nil, model.Ptr("sbc.example.com"), "pbx.example.com", "sbc.example.com:5060;transport=udp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Settings.SIP = &model.SIPSettings{Transport: model.Ptr(tt.transport), RegistrarPort: tt.port, OutboundProxy: tt.proxy}
			es := device(t, p)
			if got, _ := get(es, "user_host", "1"); got != tt.wantHost {
				t.Errorf("user_host = %q, want %q", got, tt.wantHost)
			}
			if got, _ := get(es, "user_outbound", "1"); got != tt.wantOutbound {
				t.Errorf("user_outbound = %q, want %q", got, tt.wantOutbound)
			}
		})
	}
}

func TestSRTP(t *testing.T) {
	tests := []struct{ line, settings, srtp, savp string }{
		{"", "", "", ""},
		{"off", "mandatory", "off", "off"},
		{"optional", "", "on", "optional"},
		{"", "mandatory", "on", "mandatory"},
	}
	for _, tt := range tests {
		t.Run(tt.line+"/"+tt.settings, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Lines[0].SRTP = tt.line
			if tt.settings != "" {
				p.Settings.SRTP = model.Ptr(tt.settings)
			}
			es := device(t, p)
			if _, ok := get(es, "user_srtp", "1"); ok != (tt.srtp != "") {
				t.Errorf("user_srtp written: %v", ok)
			}
			if got, _ := get(es, "user_srtp", "1"); got != tt.srtp {
				t.Errorf("user_srtp = %q, want %q", got, tt.srtp)
			}
			if got, _ := get(es, "user_savp", "1"); got != tt.savp {
				t.Errorf("user_savp = %q, want %q", got, tt.savp)
			}
		})
	}
}

func TestDTMF(t *testing.T) {
	tests := []struct{ mode, want string }{
		{"rfc2833", "off"}, {"info", "sip_info_only"}, {"auto", "on"}, {"inband", ""},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Settings.DTMF = model.Ptr(tt.mode)
			got, ok := get(device(t, p), "user_dtmf_info", "1")
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("user_dtmf_info = %q (set %v), want %q", got, ok, tt.want)
			}
		})
	}
}

func TestKeyTypes(t *testing.T) {
	tests := []struct {
		key  model.Key
		want string // "" when the key is skipped
	}{
		{model.Key{Index: 1, Type: model.KeyLine}, "line"},
		{model.Key{Index: 1, Type: model.KeyBLF, Value: "203"}, "blf <sip:203@pbx.example.com>"},
		{model.Key{Index: 1, Type: model.KeyBLF}, ""},
		{model.Key{Index: 1, Type: model.KeySpeedDial, Value: "0033123"}, "speed 0033123"},
		{model.Key{Index: 1, Type: model.KeyPark, Value: "700"}, "orbit 700"},
		{model.Key{Index: 1, Type: model.KeyTransfer, Value: "204"}, "transfer 204"},
		{model.Key{Index: 1, Type: model.KeyDTMF, Value: "*9"}, "dtmf *9"},
		{model.Key{Index: 1, Type: model.KeyDirectory}, "keyevent F_DIRECTORY_SEARCH"},
		{model.Key{Index: 1, Type: model.KeyVoicemail, Value: "*97"}, "speed *97"},
		{model.Key{Index: 1, Type: model.KeyVoicemail}, "keyevent F_RETRIEVE"},
		{model.Key{Index: 1, Type: model.KeyIntercom, Value: "205"}, "icom 205"},
		{model.Key{Index: 1, Type: model.KeyPaging, Value: "224.0.1.75:10000"}, "multicast 224.0.1.75:10000"},
		{model.Key{Index: 1, Type: model.KeyRecord}, "keyevent F_REC"},
		{model.Key{Index: 1, Type: model.KeyURL, Value: "https://x.example/a"}, "url https://x.example/a"},
		{model.Key{Index: 1, Type: model.KeyNone}, "none"},
		{model.Key{Index: 1, Type: "unknown"}, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.key.Type)+"/"+tt.key.Value, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Settings.Keys = []model.Key{tt.key}
			var got []entry
			for _, e := range device(t, p) {
				if e.section == "functionKeys" {
					got = append(got, e)
				}
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("key written: %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].value != tt.want || got[0].idx != "0" || got[0].context != "1" {
				t.Errorf("got %+v, want idx 0 context 1 %q", got, tt.want)
			}
		})
	}
}
