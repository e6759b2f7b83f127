// The golden files under testdata/golden were reviewed against: the Cisco
// SIP IP Phone Administrator Guide, releases 6.x to 8.x (SIPDefault.cnf and
// SIP<MAC>.cnf parameters, time and DST parameters); usecallmanager.nz
// (usecallmanagernz/usecallmanagernz.github.io: sepmac-cnf-xml.html,
// line-keys.html); fusionpbx/fusionpbx:resources/templates/provision/cisco/
// 7940/SIPDefault.cnf, 7940/SIP{$mac}.cnf and 79x1/SEP{$mac}.cnf.xml.
package cisco

import (
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestGolden(t *testing.T) {
	v, ok := vendors.Lookup("cisco")
	if !ok {
		t.Fatal("cisco is not registered")
	}
	vendortest.Golden(t, v)
}

func TestModels(t *testing.T) {
	ms := cisco{}.Models()
	have := map[string]bool{}
	for i, m := range ms {
		have[m.ID] = true
		if i > 0 && ms[i-1].ID >= m.ID {
			t.Errorf("models not sorted: %s before %s", ms[i-1].ID, m.ID)
		}
	}
	for _, id := range []string{"7940", "7941", "7960", "7961", "8841", "8845"} {
		if !have[id] {
			t.Errorf("model %s missing", id)
		}
	}
}

func TestFiles(t *testing.T) {
	mac := model.MAC("001565a1b2c3")
	tests := []struct {
		name, model, common, device string
		typ                         string
	}{
		{"sip/7940", "7940", "SIPDefault.cnf", "SIP001565A1B2C3.cnf", vendors.TypeText},
		{"sip/7960", "7960", "SIPDefault.cnf", "SIP001565A1B2C3.cnf", vendors.TypeText},
		{"sep/7941", "7941", "XMLDefault.cnf.xml", "SEP001565A1B2C3.cnf.xml", vendors.TypeXML},
		{"sep/7961", "7961", "XMLDefault.cnf.xml", "SEP001565A1B2C3.cnf.xml", vendors.TypeXML},
		{"sep/8841", "8841", "XMLDefault.cnf.xml", "SEP001565A1B2C3.cnf.xml", vendors.TypeXML},
		{"sep/8845", "8845", "XMLDefault.cnf.xml", "SEP001565A1B2C3.cnf.xml", vendors.TypeXML},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := cisco{}.Files(tc.model, mac)
			if len(fs) != 2 {
				t.Fatalf("files = %+v", fs)
			}
			if fs[0].Name != tc.common || fs[0].Device || fs[0].ContentType != tc.typ {
				t.Errorf("common = %+v, want %s", fs[0], tc.common)
			}
			if fs[1].Name != tc.device || !fs[1].Device || fs[1].ContentType != tc.typ {
				t.Errorf("device = %+v, want %s (MAC upper case)", fs[1], tc.device)
			}
		})
	}
}

// renderSIPFile renders SIP<MAC>.cnf of p and checks it has no duplicate
// key.
func renderSIPFile(t *testing.T, p *model.Phone) map[string]string {
	t.Helper()
	name := "SIP" + p.MAC.Upper() + ".cnf"
	data, err := cisco{}.RenderDevice(vendors.File{Name: name, Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	vendortest.CheckNoDuplicateKeys(t, name, data, ":", "#")
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		out[k] = strings.Trim(v, `"`)
	}
	return out
}

func TestNoDuplicateKeys(t *testing.T) {
	for _, id := range []string{"7940", "7960"} {
		t.Run(id, func(t *testing.T) {
			p := vendortest.SamplePhone("cisco", id)
			p.Settings.Raw = map[string]string{"proxy1_port": "5070", "dial_template": "dialplan"}
			renderSIPFile(t, p)
			data, err := cisco{}.RenderCommon(vendors.File{Name: sipDefault}, vendortest.SampleCommon("cisco", id))
			if err != nil {
				t.Fatal(err)
			}
			vendortest.CheckNoDuplicateKeys(t, sipDefault, data, ":", "#")
		})
	}
}

func TestSIPLinesAndKeys(t *testing.T) {
	p := vendortest.SamplePhone("cisco", "7960")
	p.Settings.Keys = []model.Key{
		{Index: 1, Type: model.KeySpeedDial, Value: "100", Label: "Taken"},
		{Index: 4, Type: model.KeySpeedDial, Value: "0033123", Label: "HQ"},
		{Index: 5, Type: model.KeyBLF, Value: "203", Label: "Carol"},
		{Index: 7, Type: model.KeySpeedDial, Value: "300", Label: "No button"},
		{Index: 9, Type: model.KeyVoicemail, Value: "*97", Label: "VM"},
	}
	v := renderSIPFile(t, p)
	checks := map[string]string{
		"line1_name": "201", "line1_authname": "201", "line1_password": "line1-Secret-pw",
		"line1_displayname": "Alice & Co", "line1_shortname": "Alice",
		"line2_authname": "acme-202", "proxy1_address": "1.1.1.1", "proxy1_port": "5060",
		"speed_line4": "0033123", "speed_label4": "HQ", "messages_uri": "*97",
		"voip_control_port": "15060", "phone_password": "admin-Secret-pw",
	}
	for k, want := range checks {
		if got := v[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"speed_line1", "speed_line5", "speed_line7"} {
		if _, ok := v[k]; ok {
			t.Errorf("%s written", k)
		}
	}
	if v := renderSIPFile(t, vendortest.SamplePhone("cisco", "7940")); v["line3_name"] != "" {
		t.Error("7940 has a third line")
	}
}

func TestSIPTimeZone(t *testing.T) {
	tests := []struct {
		name, zone string
		dst        *bool
		want       map[string]string
		absent     []string
	}{
		{"paris", "Europe/Paris", model.Ptr(true), map[string]string{
			"time_zone": "CET", "dst_offset": "1", "dst_auto_adjust": "1",
			"dst_start_month": "Mar", "dst_start_day": "0", "dst_start_day_of_week": "Sun", "dst_start_week_of_month": "8", "dst_start_time": "02",
			"dst_stop_month": "Oct", "dst_stop_day_of_week": "Sun", "dst_stop_week_of_month": "8", "dst_stop_time": "03",
		}, nil},
		{"new-york", "America/New_York", model.Ptr(true), map[string]string{
			"time_zone": "EST", "dst_start_month": "Mar", "dst_start_week_of_month": "2",
			"dst_stop_month": "Nov", "dst_stop_week_of_month": "1", "dst_stop_time": "02",
		}, nil},
		{"dst-off", "Europe/Paris", model.Ptr(false), map[string]string{"time_zone": "CET", "dst_auto_adjust": "0"}, nil},
		{"dst-unset", "Europe/Paris", nil, map[string]string{"time_zone": "CET"}, []string{"dst_auto_adjust"}},
		{"kolkata", "Asia/Kolkata", model.Ptr(true), map[string]string{"time_zone": "IST", "dst_auto_adjust": "0"}, []string{"dst_start_month"}},
		{"tokyo", "Asia/Tokyo", nil, map[string]string{"time_zone": "JST", "dst_auto_adjust": "0"}, nil},
		{"no-abbreviation", "Asia/Kathmandu", nil, nil, []string{"time_zone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vendortest.SamplePhone("cisco", "7960")
			p.Settings.Time.TimeZone = model.Ptr(tc.zone)
			p.Settings.Time.DST = tc.dst
			v := renderSIPFile(t, p)
			for k, want := range tc.want {
				if got := v[k]; got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			for _, k := range tc.absent {
				if _, ok := v[k]; ok {
					t.Errorf("%s written", k)
				}
			}
		})
	}
}

func TestSIPRawOverride(t *testing.T) {
	p := vendortest.SamplePhone("cisco", "7960")
	p.Settings.Raw = map[string]string{"sntp_server": "ntp.example.com", "dial_template": `"dialplan"`}
	data, err := cisco{}.RenderDevice(vendors.File{Name: "SIP001565A1B2C3.cnf"}, p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	idx := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		return -1
	}
	if got := lines[idx("sntp_server:")]; got != `sntp_server: "ntp.example.com"` {
		t.Errorf("override = %q", got)
	}
	if idx("sntp_server:") != idx("sntp_mode:")+1 {
		t.Error("override moved sntp_server")
	}
	if lines[len(lines)-1] != `dial_template: "dialplan"` {
		t.Errorf("new raw key = %q, want last and quoted once", lines[len(lines)-1])
	}
	for _, bad := range []string{"a: b", "x\ny", "", "#c"} {
		p.Settings.Raw = map[string]string{bad: "1"}
		if _, err := (cisco{}).RenderDevice(vendors.File{Name: "SIP001565A1B2C3.cnf"}, p); err == nil {
			t.Errorf("raw key %q accepted", bad)
		}
	}
}

func TestSIPUnsetNotWritten(t *testing.T) {
	p := vendortest.SamplePhone("cisco", "7960")
	p.Settings = model.Settings{}
	p.Label = ""
	p.Lines[0].CallerIDSource = ""
	p.Lines[0].LocalSIPPort = 0
	v := renderSIPFile(t, p)
	for k := range v {
		if k == "proxy_register" || strings.HasPrefix(k, "line") || strings.HasPrefix(k, "proxy") {
			continue
		}
		t.Errorf("%s written with no setting", k)
	}
}
