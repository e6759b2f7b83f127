package ciscospa

import (
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestLineMappings(t *testing.T) {
	tests := []struct {
		name      string
		transport string
		srtp      string
		dtmf      string
		wantT     string
		wantS     string
		wantD     string
	}{
		{"udp/off/avt", "udp", "off", "rfc2833", "UDP", "No", "AVT"},
		{"tcp/optional/inband", "tcp", "optional", "inband", "TCP", "Yes", "InBand"},
		{"tls/mandatory/info", "tls", "mandatory", "info", "TLS", "Yes", "INFO"},
		{"unknown-transport/auto", "sctp", "off", "auto", "", "No", "Auto"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vendortest.SamplePhone("ciscospa", "spa504g")
			p.Settings.SIP.Transport = model.Ptr(tc.transport)
			p.Settings.DTMF = model.Ptr(tc.dtmf)
			p.Lines[0].SRTP = tc.srtp
			_, v := render(t, p)
			if got := v["SIP_Transport_1_"]; got != tc.wantT {
				t.Errorf("SIP_Transport_1_ = %q, want %q", got, tc.wantT)
			}
			if got := v["Secure_Call_Setting_1_"]; got != tc.wantS {
				t.Errorf("Secure_Call_Setting_1_ = %q, want %q", got, tc.wantS)
			}
			if got := v["DTMF_Tx_Method_1_"]; got != tc.wantD {
				t.Errorf("DTMF_Tx_Method_1_ = %q, want %q", got, tc.wantD)
			}
		})
	}
}

func TestKeyFunctions(t *testing.T) {
	tests := []struct {
		name string
		key  model.Key
		want string
		ok   bool
	}{
		{"blf", model.Key{Type: model.KeyBLF, Value: "203", Label: "Carol"}, "fnc=blf+sd+cp;sub=203@$PROXY;nme=Carol", true},
		{"blf/full-uri", model.Key{Type: model.KeyBLF, Value: "203@pbx.example.com", Label: "C"}, "fnc=blf+sd+cp;sub=203@pbx.example.com;nme=C", true},
		{"speeddial", model.Key{Type: model.KeySpeedDial, Value: "0033123", Label: "HQ"}, "fnc=sd;ext=0033123@$PROXY;nme=HQ", true},
		{"voicemail", model.Key{Type: model.KeyVoicemail, Value: "*97", Label: "VM"}, "fnc=sd;ext=*97@$PROXY;nme=VM", true},
		{"separator-stripped", model.Key{Type: model.KeySpeedDial, Value: "1;2", Label: "a;b"}, "fnc=sd;ext=12@$PROXY;nme=ab", true},
		{"none", model.Key{Type: model.KeyNone}, "", true},
		{"skip/blf-no-value", model.Key{Type: model.KeyBLF}, "", false},
		{"skip/park", model.Key{Type: model.KeyPark, Value: "700"}, "", false},
		{"skip/transfer", model.Key{Type: model.KeyTransfer, Value: "204"}, "", false},
		{"skip/dtmf", model.Key{Type: model.KeyDTMF, Value: "*9"}, "", false},
		{"skip/directory", model.Key{Type: model.KeyDirectory}, "", false},
		{"skip/intercom", model.Key{Type: model.KeyIntercom, Value: "205"}, "", false},
		{"skip/paging", model.Key{Type: model.KeyPaging}, "", false},
		{"skip/record", model.Key{Type: model.KeyRecord}, "", false},
		{"skip/url", model.Key{Type: model.KeyURL, Value: "http://x"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := function(tc.key)
			if got != tc.want || ok != tc.ok {
				t.Errorf("function = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestKeyPlacement(t *testing.T) {
	p := vendortest.SamplePhone("ciscospa", "spa504g")
	p.Settings.Keys = []model.Key{
		{Index: 1, Type: model.KeyLine, Line: 1},
		{Index: 3, Type: model.KeyBLF, Value: "203", Label: "Carol"},
		{Index: 5, Type: model.KeyBLF, Value: "204", Label: "Dan"},
		{Index: 5 + 32, Type: model.KeySpeedDial, Value: "205", Label: "Eve"},
		{Index: 5 + 64, Type: model.KeySpeedDial, Value: "206", Label: "Off"},
	}
	_, v := render(t, p)
	checks := map[string]string{
		"Extension_1_":         "1",
		"Short_Name_1_":        "Alice",
		"Short_Name_2_":        "Bob",
		"Extension_3_":         "Disabled",
		"Extended_Function_3_": "fnc=blf+sd+cp;sub=203@$PROXY;nme=Carol",
		"Unit_1_Key_1":         "fnc=blf+sd+cp;sub=204@$PROXY;nme=Dan",
		"Unit_2_Key_1":         "fnc=sd;ext=205@$PROXY;nme=Eve",
	}
	for k, want := range checks {
		if got := v[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := v["Unit_3_Key_1"]; ok {
		t.Error("key beyond the second expansion unit written")
	}
	_, ata := render(t, vendortest.SamplePhone("ciscospa", "spa122"))
	for k := range ata {
		if strings.HasPrefix(k, "Extended_Function") || strings.HasPrefix(k, "Unit_") {
			t.Errorf("adapter has key element %s", k)
		}
	}
}

func TestTimeZone(t *testing.T) {
	tests := []struct {
		name, zone, offset, rule string
		dstEnable                string
	}{
		{"paris", "Europe/Paris", "GMT+01:00", "start=3/-1/7/2:0:0;end=10/-1/7/3:0:0;save=1", "Yes"},
		{"new-york", "America/New_York", "GMT-05:00", "start=3/8/7/2:0:0;end=11/1/7/2:0:0;save=1", "Yes"},
		{"sydney", "Australia/Sydney", "GMT+10:00", "start=10/1/7/2:0:0;end=4/1/7/3:0:0;save=1", "Yes"},
		{"kolkata-no-dst", "Asia/Kolkata", "GMT+05:30", "", "No"},
		{"st-johns", "America/St_Johns", "GMT-03:30", "start=3/8/7/2:0:0;end=11/1/7/2:0:0;save=1", "Yes"},
		{"unknown", "Mars/Olympus", "", "", "Yes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vendortest.SamplePhone("ciscospa", "spa504g")
			p.Settings.Time.TimeZone = model.Ptr(tc.zone)
			_, v := render(t, p)
			if got := v["Time_Zone"]; got != tc.offset {
				t.Errorf("Time_Zone = %q, want %q", got, tc.offset)
			}
			if got := v["Daylight_Saving_Time_Rule"]; got != tc.rule {
				t.Errorf("Daylight_Saving_Time_Rule = %q, want %q", got, tc.rule)
			}
			if got := v["Daylight_Saving_Time_Enable"]; got != tc.dstEnable {
				t.Errorf("Daylight_Saving_Time_Enable = %q, want %q", got, tc.dstEnable)
			}
		})
	}
}

func TestResync(t *testing.T) {
	tests := []struct {
		name           string
		sync, at       string
		interval       int
		periodic, hhmm string
	}{
		{"periodic", "periodic", "", 60, "3600", ""},
		{"boot", "boot", "", 0, "0", ""},
		{"daily", "daily", "3:05", 0, "0", "0305"},
		{"daily-bad-time", "daily", "25:00", 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vendortest.SamplePhone("ciscospa", "spa504g")
			p.Settings.Provisioning.Sync = model.Ptr(tc.sync)
			p.Settings.Provisioning.SyncInterval = model.Ptr(tc.interval)
			p.Settings.Provisioning.SyncTime = model.Ptr(tc.at)
			_, v := render(t, p)
			if got := v["Resync_Periodic"]; got != tc.periodic {
				t.Errorf("Resync_Periodic = %q, want %q", got, tc.periodic)
			}
			if got := v["Resync_At__HHmm_"]; got != tc.hhmm {
				t.Errorf("Resync_At__HHmm_ = %q, want %q", got, tc.hhmm)
			}
		})
	}
}

func TestRawOverride(t *testing.T) {
	p := vendortest.SamplePhone("ciscospa", "spa504g")
	p.Settings.Raw = map[string]string{"Primary_NTP_Server": "ntp.example.com", "Dial_Plan_1_": "(x.)"}
	names, v := render(t, p)
	if v["Primary_NTP_Server"] != "ntp.example.com" {
		t.Errorf("raw value not applied: %q", v["Primary_NTP_Server"])
	}
	ntp, adm, dial := -1, -1, -1
	for i, n := range names {
		switch n {
		case "Primary_NTP_Server":
			ntp = i
		case "Admin_Passwd":
			adm = i
		case "Dial_Plan_1_":
			dial = i
		}
	}
	if ntp < adm || ntp > len(names)-3 {
		t.Errorf("raw override moved Primary_NTP_Server to %d (admin at %d, %d elements)", ntp, adm, len(names))
	}
	if dial != len(names)-1 {
		t.Errorf("new raw key at %d, want last", dial)
	}
	p.Settings.Raw = map[string]string{"Bad Name": "x"}
	if _, err := (spa{}).RenderDevice(vendors.File{Name: deviceName(p.MAC)}, p); err == nil {
		t.Error("raw key that is not an element name accepted")
	}
}

func TestUnsetNotWritten(t *testing.T) {
	p := vendortest.SamplePhone("ciscospa", "spa504g")
	p.Settings = model.Settings{}
	p.Label = ""
	for i := range p.Lines {
		p.Lines[i].CallerIDSource, p.Lines[i].SRTP = "", ""
	}
	names, _ := render(t, p)
	allowed := map[string]bool{
		"Provision_Enable": true, "Resync_On_Reset": true, "Profile_Rule": true, "Profile_Rule_B": true,
		"Short_Name_1_": true, "Short_Name_2_": true,
	}
	for _, n := range names {
		if allowed[n] {
			continue
		}
		// Line data is always written for the lines the phone has.
		if strings.HasSuffix(n, "_1_") || strings.HasSuffix(n, "_2_") {
			switch strings.TrimSuffix(strings.TrimSuffix(n, "_1_"), "_2_") {
			case "Line_Enable", "Proxy", "Register", "Display_Name", "User_ID", "Password",
				"Use_Auth_ID", "Auth_ID", "SIP_Port", "SIP_Transport", "Secure_Call_Setting":
				continue
			}
		}
		t.Errorf("element %s written with no setting", n)
	}
}

func TestATARouterConfig(t *testing.T) {
	f := vendors.File{Name: deviceName(vendortest.SampleMAC), Device: true}
	data, err := spa{}.RenderDevice(f, vendortest.SamplePhone("ciscospa", "spa122"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{
		"<Web_Login_Admin_Password>admin-Secret-pw</Web_Login_Admin_Password>",
		"<Time_Server>pool.ntp.org</Time_Server>",
		"<CDP_ENABLE>0</CDP_ENABLE>",
		"<LLDP_ENABLE>1</LLDP_ENABLE>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("adapter file lacks %s", want)
		}
	}
	if strings.Contains(s, "<Admin_Passwd>") || strings.Contains(s, "<Time_Zone>") {
		t.Error("adapter file holds phone-only elements")
	}
}
