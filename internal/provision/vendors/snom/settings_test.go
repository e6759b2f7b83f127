package snom

import (
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestTimeZone(t *testing.T) {
	tests := []struct {
		name, zone               string
		dst                      *bool
		code, utcOffset, dstRule string // code "" when the explicit form is used
	}{
		{"coded/paris", "Europe/Paris", nil, "FRA+1", "", ""},
		{"coded/new-york", "America/New_York", model.Ptr(true), "USA-5", "", ""},
		{"coded/no-dst-zone", "Asia/Tokyo", model.Ptr(false), "JPN+9", "", ""},
		{"coded/half-hour", "Asia/Kolkata", nil, "IND+5.5", "", ""},
		{"explicit/dst-off", "Europe/Paris", model.Ptr(false), "", "3600", ""},
		{"explicit/unlisted-us", "America/Boise", nil, "", "-25200", "3600 03.02.07 02:00:00 11.01.07 02:00:00"},
		{"explicit/unlisted-eu", "Europe/Ljubljana", nil, "", "3600", "3600 03.05.07 02:00:00 10.05.07 03:00:00"},
		{"explicit/southern", "Australia/Lord_Howe", nil, "", "37800", "1800 10.01.07 02:00:00 04.01.07 02:00:00"},
		{"explicit/no-dst", "Asia/Kathmandu", nil, "", "20700", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Settings.Time = &model.TimeSettings{TimeZone: model.Ptr(tt.zone), DST: tt.dst}
			es := device(t, p)
			tz, _ := get(es, "timezone", "")
			off, hasOff := get(es, "utc_offset", "")
			rule, _ := get(es, "dst", "")
			if tt.code != "" {
				if tz != tt.code || hasOff {
					t.Errorf("timezone %q utc_offset %q, want code %q only", tz, off, tt.code)
				}
				return
			}
			if tz != "" || off != tt.utcOffset || rule != tt.dstRule {
				t.Errorf("timezone %q utc_offset %q dst %q, want \"\" %q %q", tz, off, rule, tt.utcOffset, tt.dstRule)
			}
		})
	}
}

func TestZoneCodeOffsetMismatch(t *testing.T) {
	// A code whose offset disagrees with the zone is not used.
	if _, ok := zoneCode(model.ZoneInfo{Name: "Europe/Paris", StdOffset: 7200, DSTOffset: 10800}); ok {
		t.Error("mismatching code used")
	}
	for name, code := range zoneCodes {
		z, ok := model.Zone(name)
		if !ok {
			t.Errorf("%s: unknown zone", name)
			continue
		}
		if _, ok := zoneCode(z); !ok {
			t.Errorf("%s: code %s does not match offset %d", name, code, z.StdOffset)
		}
	}
}

func TestRawOverride(t *testing.T) {
	t.Run("ok/replaces-in-place", func(t *testing.T) {
		p := minimalPhone("d785")
		p.Settings.Keys = []model.Key{{Index: 1, Type: model.KeyLine}, {Index: 2, Type: model.KeySpeedDial, Value: "1"}}
		p.Settings.Raw = map[string]string{"user_host[1]": "other.example.com", "fkey[1]": "speed 2", "custom_setting": "x"}
		es := device(t, p)
		var order []string
		for _, e := range es {
			order = append(order, e.name+"["+e.idx+"]="+e.value)
		}
		joined := strings.Join(order, " ")
		if strings.Count(joined, "user_host[1]=") != 1 || !strings.Contains(joined, "user_host[1]=other.example.com") {
			t.Errorf("user_host not replaced once: %s", joined)
		}
		if strings.Index(joined, "user_host[1]") > strings.Index(joined, "user_outbound[1]") {
			t.Errorf("user_host moved: %s", joined)
		}
		if !strings.HasSuffix(strings.Split(joined, " fkey")[0], "custom_setting[]=x") {
			t.Errorf("new raw key not last among phone settings: %s", joined)
		}
		if !strings.Contains(joined, "fkey[1]=speed 2") || strings.Count(joined, "fkey[1]") != 1 {
			t.Errorf("fkey not replaced: %s", joined)
		}
	})
	for _, bad := range []string{"bad key", "x[1", "x[a]", "fkey", "<x>"} {
		t.Run("fail/"+bad, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Settings.Raw = map[string]string{bad: "v"}
			if _, err := (snom{}).RenderDevice(vendors.File{Name: deviceXML(p.MAC), Device: true}, p); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestUnsetNotWritten(t *testing.T) {
	es := device(t, minimalPhone("d785"))
	for _, name := range []string{
		"ntp_server", "timezone", "utc_offset", "language", "tone_scheme", "vlan_id",
		"admin_mode_password", "http_pass", "filter_registrar", "enable_rport_rfc3581",
		"settings_refresh_timer", "firmware", "ldap_server", "dkey_directory", "http_client_user",
		"network_id_port", "prioritise_asserted",
	} {
		if v, ok := get(es, name, ""); ok {
			t.Errorf("%s written (%q) though unset", name, v)
		}
	}
	for _, e := range es {
		if e.section == "functionKeys" || e.name == "user_dtmf_info" || e.name == "user_srtp" || e.name == "user_expiry" || e.name == "stun_server" {
			t.Errorf("%s written though unset", e.name)
		}
	}
}

func TestLocale(t *testing.T) {
	tests := []struct{ lang, tones, wantLang, wantTones string }{
		{"fr", "FR", "Français", "FRA"},
		{"DE", "ch", "Deutsch", "SWI"},
		{"xx", "ZZ", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.tones, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Settings.Language, p.Settings.Tones = model.Ptr(tt.lang), model.Ptr(tt.tones)
			es := device(t, p)
			if got, _ := get(es, "language", ""); got != tt.wantLang {
				t.Errorf("language = %q, want %q", got, tt.wantLang)
			}
			if got, _ := get(es, "tone_scheme", ""); got != tt.wantTones {
				t.Errorf("tone_scheme = %q, want %q", got, tt.wantTones)
			}
		})
	}
}

func TestSync(t *testing.T) {
	tests := []struct {
		sync     string
		interval *int
		want     string
	}{
		{"boot", nil, "0"}, {"periodic", model.Ptr(30), "1800"}, {"periodic", nil, ""}, {"daily", nil, "86400"},
	}
	for _, tt := range tests {
		t.Run(tt.sync, func(t *testing.T) {
			p := minimalPhone("d785")
			p.Settings.Provisioning = &model.ProvisioningSettings{Sync: model.Ptr(tt.sync), SyncInterval: tt.interval}
			got, _ := get(device(t, p), "settings_refresh_timer", "")
			if got != tt.want {
				t.Errorf("settings_refresh_timer = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNoDuplicateSettings(t *testing.T) {
	for _, m := range (snom{}).Models() {
		t.Run(m.ID, func(t *testing.T) {
			seen := map[string]bool{}
			for _, e := range device(t, vendortest.SamplePhone("snom", m.ID)) {
				k := e.section + "/" + e.name + "[" + e.idx + "]"
				if seen[k] {
					t.Errorf("%s written twice", k)
				}
				seen[k] = true
			}
		})
	}
}
