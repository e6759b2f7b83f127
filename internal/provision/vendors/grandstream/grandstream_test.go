// The golden files under testdata/golden were reviewed against the
// Grandstream P-value templates shipped in fusionpbx/fusionpbx
// resources/templates/provision/grandstream/ (gxp2170/{$mac}.xml for the
// GXP21xx, gxp16xx/{$mac}.xml, grp2614/{$mac}.xml, ht801/{$mac}.xml) and
// wazo-platform/wazo-provd-plugins plugins/wazo_grandstream/common/
// (common.py, templates/base.tpl) and common_ata/templates/HT801V2.tpl.

package grandstream

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestGolden(t *testing.T) {
	v, ok := vendors.Lookup("grandstream")
	if !ok {
		t.Fatal("grandstream is not registered")
	}
	vendortest.Golden(t, v)
}

// pv is one P-value of a rendered file.
type pv struct{ key, value string }

// parse returns the P-values of a gs_provision document in order, and its
// <mac>.
func parse(t *testing.T, data []byte) (vals []pv, mac string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return vals, mac
		}
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			if len(stack) == 3 && stack[1] == "config" {
				vals = append(vals, pv{key: tok.Name.Local})
			}
		case xml.CharData:
			switch {
			case len(stack) == 3 && stack[1] == "config":
				vals[len(vals)-1].value += string(tok)
			case len(stack) == 2 && stack[1] == "mac":
				mac += string(tok)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func lookupP(vals []pv, key string) (string, bool) {
	for _, v := range vals {
		if v.key == key {
			return v.value, true
		}
	}
	return "", false
}

func minimalPhone(modelID string) *model.Phone {
	return &model.Phone{
		MAC: vendortest.SampleMAC, Vendor: "grandstream", Model: modelID,
		Lines:  []model.Line{{Index: 1, Extension: "201", Password: "pw"}},
		Server: model.Server{ProvisioningURL: "https://pbx.example.com/provision/", SIPServer: "pbx.example.com"},
	}
}

func device(t *testing.T, p *model.Phone) []pv {
	t.Helper()
	data, err := grandstream{}.RenderDevice(vendors.File{Name: deviceFile(p.MAC), Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	vendortest.CheckXML(t, "device", data)
	vals, mac := parse(t, data)
	if mac != p.MAC.String() {
		t.Errorf("<mac> = %q, want %q", mac, p.MAC)
	}
	return vals
}

func TestFileNames(t *testing.T) {
	mac, err := model.ParseMAC("C0:74:AD:2B:D8:59")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range (grandstream{}).Models() {
		t.Run(m.ID, func(t *testing.T) {
			files := grandstream{}.Files(m.ID, mac)
			if len(files) != 2 || files[0].Name != "cfg.xml" || files[0].Device ||
				files[1].Name != "cfgc074ad2bd859.xml" || !files[1].Device {
				t.Errorf("files = %+v", files)
			}
		})
	}
	if files := (grandstream{}).Files("gxp9999", mac); files != nil {
		t.Errorf("unknown model: %v", files)
	}
}

func TestCommonFile(t *testing.T) {
	c := &model.Common{Vendor: "grandstream", Model: "gxp2170", Server: model.Server{ProvisioningURL: "http://10.0.0.1:8080/prov/"}}
	data, err := grandstream{}.RenderCommon(vendors.File{Name: "cfg.xml"}, c)
	if err != nil {
		t.Fatal(err)
	}
	vals, mac := parse(t, data)
	if mac != "" {
		t.Errorf("cfg.xml names a MAC: %q", mac)
	}
	want := []pv{{"P212", "1"}, {"P237", "10.0.0.1:8080/prov"}}
	if len(vals) != len(want) || vals[0] != want[0] || vals[1] != want[1] {
		t.Errorf("cfg.xml = %v, want %v", vals, want)
	}
}

func TestProvisioningCredentials(t *testing.T) {
	p := minimalPhone("gxp2170")
	p.HTTPUsername, p.HTTPPassword = "dev-1", "s3<cret"
	vals := device(t, p)
	for k, want := range map[string]string{"P1360": "dev-1", "P1361": "s3<cret", "P212": "2", "P237": "pbx.example.com/provision"} {
		if got, _ := lookupP(vals, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestAccountPValues(t *testing.T) {
	tests := []struct {
		model                                            string
		n                                                int
		ok                                               bool
		active, server, user, srtp, transport, proxyOnly int
	}{
		{"gxp2170", 1, true, 271, 47, 35, 183, 130, 2347},
		{"gxp2170", 2, true, 401, 402, 404, 443, 448, 2447},
		{"gxp2170", 3, true, 501, 502, 504, 543, 548, 2547},
		{"gxp2170", 4, true, 601, 602, 604, 643, 648, 2647},
		{"gxp2170", 5, true, 1701, 1702, 1704, 1743, 1748, 2747},
		{"gxp2170", 6, true, 1801, 1802, 1804, 1843, 1848, 2847},
		{"gxp2170", 7, false, 0, 0, 0, 0, 0, 0},
		{"ht801", 1, true, 271, 47, 35, 183, 130, 243},
		{"ht801", 2, false, 0, 0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		m, _ := lookup(tt.model)
		a, ok := keysOf(m, tt.n)
		if ok != tt.ok {
			t.Errorf("%s account %d: ok = %v", tt.model, tt.n, ok)
			continue
		}
		if ok && (a.active != tt.active || a.server != tt.server || a.userID != tt.user ||
			a.srtp != tt.srtp || a.transport != tt.transport || a.proxyOnly != tt.proxyOnly) {
			t.Errorf("%s account %d: %+v", tt.model, tt.n, a)
		}
	}
}

func TestTransport(t *testing.T) {
	tests := []struct {
		transport string
		port      *int
		code      string
		server    string
	}{
		{"udp", nil, "0", "pbx.example.com"},
		{"tcp", nil, "1", "pbx.example.com"},
		{"tls", nil, "2", "pbx.example.com"},
		{"tls", model.Ptr(5061), "2", "pbx.example.com"},
		{"udp", model.Ptr(5080), "0", "pbx.example.com:5080"},
	}
	for _, tt := range tests {
		t.Run(tt.transport+"/"+tt.server, func(t *testing.T) {
			p := minimalPhone("gxp2170")
			p.Lines = append(p.Lines, model.Line{Index: 2, Extension: "202", Password: "pw2"})
			p.Settings.SIP = &model.SIPSettings{Transport: model.Ptr(tt.transport), RegistrarPort: tt.port}
			vals := device(t, p)
			for _, k := range []string{"P130", "P448"} {
				if got, _ := lookupP(vals, k); got != tt.code {
					t.Errorf("%s = %q, want %q", k, got, tt.code)
				}
			}
			for _, k := range []string{"P47", "P402"} {
				if got, _ := lookupP(vals, k); got != tt.server {
					t.Errorf("%s = %q, want %q", k, got, tt.server)
				}
			}
		})
	}
}

func TestSRTP(t *testing.T) {
	tests := []struct{ model, line, settings, want string }{
		{"gxp2170", "", "", ""},
		{"gxp2170", "off", "", "0"},
		{"gxp2170", "optional", "", "3"},
		{"gxp2170", "", "mandatory", "2"},
		{"ht801", "optional", "", "1"},
		{"ht801", "mandatory", "off", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.line+"/"+tt.settings, func(t *testing.T) {
			p := minimalPhone(tt.model)
			p.Lines[0].SRTP = tt.line
			if tt.settings != "" {
				p.Settings.SRTP = model.Ptr(tt.settings)
			}
			got, ok := lookupP(device(t, p), "P183")
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("P183 = %q (set %v), want %q", got, ok, tt.want)
			}
		})
	}
}

func TestDTMF(t *testing.T) {
	tests := []struct {
		model, mode string
		want        map[string]string // nil: nothing written
	}{
		{"gxp2170", "rfc2833", map[string]string{"P2301": "0", "P2302": "1", "P2303": "0"}},
		{"gxp2170", "info", map[string]string{"P2301": "0", "P2302": "0", "P2303": "1"}},
		{"gxp2170", "inband", map[string]string{"P2301": "1", "P2302": "0", "P2303": "0"}},
		{"gxp2170", "auto", nil},
		{"ht801", "info", map[string]string{"P850": "102", "P851": "101", "P852": "100"}},
		{"ht801", "rfc2833", map[string]string{"P850": "101", "P851": "102", "P852": "100"}},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.mode, func(t *testing.T) {
			p := minimalPhone(tt.model)
			p.Settings.DTMF = model.Ptr(tt.mode)
			vals := device(t, p)
			for _, k := range []string{"P2301", "P2302", "P2303", "P850", "P851", "P852"} {
				got, ok := lookupP(vals, k)
				want, wantOK := tt.want[k]
				if ok != wantOK || got != want {
					t.Errorf("%s = %q (set %v), want %q (set %v)", k, got, ok, want, wantOK)
				}
			}
		})
	}
}

func TestKeyTypes(t *testing.T) {
	tests := []struct {
		name  string
		model string
		key   model.Key
		want  []pv // nil: skipped
	}{
		{"vpk-fixed/line", "gxp2170", model.Key{Index: 2, Type: model.KeyLine, Line: 2, Label: "Bob"},
			[]pv{{"P1365", "0"}, {"P1366", "1"}, {"P1467", "Bob"}, {"P1468", ""}}},
		{"vpk-fixed/blf", "gxp2170", model.Key{Index: 3, Type: model.KeyBLF, Value: "203", Label: "Carol"},
			[]pv{{"P1367", "11"}, {"P1368", "0"}, {"P1469", "Carol"}, {"P1470", "203"}}},
		{"vpk-fixed/speeddial-7", "gxp2170", model.Key{Index: 7, Type: model.KeySpeedDial, Value: "123"},
			[]pv{{"P23800", "10"}, {"P23801", "0"}, {"P23802", ""}, {"P23803", "123"}}},
		{"vpk-dynamic/blf", "gxp2140", model.Key{Index: 5, Type: model.KeyBLF, Value: "203"},
			[]pv{{"P1371", "1"}, {"P1372", "0"}, {"P1473", ""}, {"P1474", "203"}}},
		{"vpk-dynamic/line", "gxp2140", model.Key{Index: 5, Type: model.KeyLine}, nil},
		{"vpk/none", "gxp2170", model.Key{Index: 13, Type: model.KeyNone},
			[]pv{{"P23824", "-1"}, {"P23825", "0"}, {"P23826", ""}, {"P23827", ""}}},
		{"mpk/blf", "gxp1628", model.Key{Index: 3, Type: model.KeyBLF, Value: "203", Label: "Carol"},
			[]pv{{"P325", "1"}, {"P307", "0"}, {"P308", "Carol"}, {"P309", "203"}}},
		{"mpk/park-8", "gxp1628", model.Key{Index: 8, Type: model.KeyPark, Value: "700", Line: 2},
			[]pv{{"P353", "9"}, {"P354", "1"}, {"P355", ""}, {"P356", "700"}}},
		{"mpk/dtmf-19", "grp2614", model.Key{Index: 19, Type: model.KeyDTMF, Value: "*9"},
			[]pv{{"P1440", "5"}, {"P1441", "0"}, {"P1442", ""}, {"P1443", "*9"}}},
		{"mpk/voicemail", "grp2614", model.Key{Index: 1, Type: model.KeyVoicemail, Value: "*97"},
			[]pv{{"P323", "6"}, {"P301", "0"}, {"P302", ""}, {"P303", "*97"}}},
		{"mpk/transfer", "grp2614", model.Key{Index: 2, Type: model.KeyTransfer, Value: "204"},
			[]pv{{"P324", "8"}, {"P304", "0"}, {"P305", ""}, {"P306", "204"}}},
		{"mpk/intercom", "grp2614", model.Key{Index: 1, Type: model.KeyIntercom, Value: "205"},
			[]pv{{"P323", "10"}, {"P301", "0"}, {"P302", ""}, {"P303", "205"}}},
		{"mpk/directory", "grp2614", model.Key{Index: 1, Type: model.KeyDirectory},
			[]pv{{"P323", "11"}, {"P301", "0"}, {"P302", ""}, {"P303", ""}}},
		{"mpk/paging", "grp2614", model.Key{Index: 1, Type: model.KeyPaging, Value: "224.0.1.75:10000"},
			[]pv{{"P323", "13"}, {"P301", "0"}, {"P302", ""}, {"P303", "224.0.1.75:10000"}}},
		{"mpk/record", "grp2614", model.Key{Index: 1, Type: model.KeyRecord},
			[]pv{{"P323", "14"}, {"P301", "0"}, {"P302", ""}, {"P303", ""}}},
		{"mpk/line", "gxp1628", model.Key{Index: 1, Type: model.KeyLine}, nil},
		{"mpk/url", "gxp1628", model.Key{Index: 1, Type: model.KeyURL, Value: "http://x"}, nil},
		{"mpk/out-of-range", "gxp1628", model.Key{Index: 9, Type: model.KeyBLF, Value: "203"}, nil},
		{"ata/blf", "ht801", model.Key{Index: 1, Type: model.KeyBLF, Value: "203"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimalPhone(tt.model)
			base := device(t, p)
			p.Settings.Keys = []model.Key{tt.key}
			vals := device(t, p)
			got := vals[len(base):]
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}
