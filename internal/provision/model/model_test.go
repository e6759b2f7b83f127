package model

import (
	"strings"
	"testing"
	"time"
)

func TestParseMAC(t *testing.T) {
	cases := []struct {
		name, in string
		want     MAC
		ok       bool
	}{
		{"ok/bare-lower", "001565a1b2c3", "001565a1b2c3", true},
		{"ok/bare-upper", "001565A1B2C3", "001565a1b2c3", true},
		{"ok/colons", "00:15:65:A1:b2:C3", "001565a1b2c3", true},
		{"ok/dashes", "00-15-65-a1-b2-c3", "001565a1b2c3", true},
		{"ok/cisco-dots", "0015.65a1.b2c3", "001565a1b2c3", true},
		{"fail/short", "001565a1b2", "", false},
		{"fail/long", "001565a1b2c3d4", "", false},
		{"fail/not-hex", "001565a1b2cg", "", false},
		{"fail/mixed-separators", "00:15-65:a1:b2:c3", "", false},
		{"fail/bad-grouping", "0015:65a1:b2c3", "", false},
		{"fail/trailing-separator", "00:15:65:a1:b2:c3:", "", false},
		{"fail/empty", "", "", false},
		{"fail/space", "00 15 65 a1 b2 c3", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMAC(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseMAC(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
	m := MAC("001565a1b2c3")
	if m.Upper() != "001565A1B2C3" || m.Colons() != "00:15:65:a1:b2:c3" || m.OUI() != "001565" {
		t.Errorf("forms: %s %s %s", m.Upper(), m.Colons(), m.OUI())
	}
}

func TestMerge(t *testing.T) {
	global := &Settings{Language: Ptr("en"), Tones: Ptr("US"), SIP: &SIPSettings{Registrar: Ptr("pbx"), Transport: Ptr("udp")},
		Keys: []Key{{Index: 1, Type: KeyLine}, {Index: 2, Type: KeyBLF, Value: "200"}}, Raw: map[string]string{"a": "1", "b": "1"},
		Paging: []PagingGroup{{Address: "224.0.1.1:1000"}, {Address: "224.0.1.2:1000"}}}
	tenant := &Settings{Language: Ptr("fr"), SIP: &SIPSettings{Transport: Ptr("tls")}, Keys: []Key{{Index: 2, Type: KeySpeedDial, Value: "0"}},
		Raw: map[string]string{"b": "2"}, Paging: []PagingGroup{{Address: "224.0.1.3:1000"}}}
	device := &Settings{Tones: Ptr("FR"), Keys: []Key{{Index: 3, Type: KeyPark}}}
	got := Merge(global, nil, tenant, device)
	checks := []struct {
		name string
		ok   bool
	}{
		{"later-wins/language", Get(got.Language) == "fr"},
		{"later-wins/tones", Get(got.Tones) == "FR"},
		{"nested/registrar-kept", Get(got.SIP.Registrar) == "pbx"},
		{"nested/transport-overridden", Get(got.SIP.Transport) == "tls"},
		{"keys/by-index", len(got.Keys) == 3 && got.Keys[1].Type == KeySpeedDial && got.Keys[2].Type == KeyPark},
		{"raw/by-key", got.Raw["a"] == "1" && got.Raw["b"] == "2"},
		{"paging/replaced-whole", len(got.Paging) == 1 && got.Paging[0].Address == "224.0.1.3:1000"},
		{"unset/stays-nil", got.Time == nil && got.LDAP == nil && got.DTMF == nil},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("merged = %+v", got)
			}
		})
	}
	// The layers are left as they were, and share nothing with the result.
	*got.Language = "de"
	got.Raw["a"] = "9"
	if *tenant.Language != "fr" || global.Raw["a"] != "1" || *global.SIP.Transport != "udp" {
		t.Error("Merge changed or shares memory with its layers")
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		s     Settings
		field string
	}{
		{"ok/empty", Settings{}, ""},
		{"ok/full", Settings{SIP: &SIPSettings{Registrar: Ptr("sip.example.com"), RegistrarPort: Ptr(5060), Transport: Ptr("tls")},
			Time: &TimeSettings{TimeZone: Ptr("Europe/Paris")}, Language: Ptr("fr"), DTMF: Ptr("rfc2833"), SRTP: Ptr("optional"),
			Keys: []Key{{Index: 1, Type: KeyBLF, Value: "201"}}, Paging: []PagingGroup{{Address: "224.0.1.75:10000"}}}, ""},
		{"fail/transport", Settings{SIP: &SIPSettings{Transport: Ptr("sctp")}}, "s.sip.transport"},
		{"fail/port", Settings{SIP: &SIPSettings{RegistrarPort: Ptr(70000)}}, "s.sip.registrar_port"},
		{"fail/registrar-injection", Settings{SIP: &SIPSettings{Registrar: Ptr("pbx\naccount.1.password = x")}}, "s.sip.registrar"},
		{"fail/zone", Settings{Time: &TimeSettings{TimeZone: Ptr("Mars/Olympus")}}, "s.time.time_zone"},
		{"fail/language", Settings{Language: Ptr("french")}, "s.language"},
		{"fail/vlan", Settings{Network: &NetworkSettings{VLAN: Ptr(5000)}}, "s.network.vlan"},
		{"fail/key-type", Settings{Keys: []Key{{Index: 1, Type: "teleport"}}}, "s.keys[0].type"},
		{"fail/key-twice", Settings{Keys: []Key{{Index: 1, Type: KeyLine}, {Index: 1, Type: KeyBLF}}}, "s.keys[1].index"},
		{"fail/key-label-newline", Settings{Keys: []Key{{Index: 1, Type: KeyLine, Label: "a\r\nb"}}}, "s.keys[0].label"},
		{"fail/paging-unicast", Settings{Paging: []PagingGroup{{Address: "192.0.2.1:1000"}}}, "s.paging[0].address"},
		{"fail/url-scheme", Settings{DirectoryURL: Ptr("javascript:alert(1)")}, "s.directory_url"},
		{"fail/sync", Settings{Provisioning: &ProvisioningSettings{Sync: Ptr("hourly")}}, "s.provisioning.sync"},
		{"fail/sync-time", Settings{Provisioning: &ProvisioningSettings{SyncTime: Ptr("25:00")}}, "s.provisioning.sync_time"},
		{"fail/raw-key", Settings{Raw: map[string]string{"a=b": "c"}}, "s.raw"},
		{"fail/raw-value", Settings{Raw: map[string]string{"k": "v\nx"}}, "s.raw.k"},
		{"fail/dtmf", Settings{DTMF: Ptr("tones")}, "s.dtmf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.s.Validate("s.")
			if tc.field == "" {
				if len(ps) > 0 {
					t.Errorf("problems %v", ps)
				}
				return
			}
			var fields []string
			for _, p := range ps {
				fields = append(fields, p.Field)
			}
			if !strings.Contains(strings.Join(fields, ","), tc.field) {
				t.Errorf("problems %v, want one for %s", ps, tc.field)
			}
		})
	}
}

func TestZone(t *testing.T) {
	cases := []struct {
		name     string
		std, dst int
		ok       bool
	}{
		{"Europe/Paris", 3600, 7200, true},
		{"America/New_York", -5 * 3600, -4 * 3600, true},
		{"Australia/Sydney", 10 * 3600, 11 * 3600, true},
		{"Asia/Kolkata", 19800, 19800, true},
		{"UTC", 0, 0, true},
		{"Nowhere/Land", 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z, ok := Zone(tc.name)
			if ok != tc.ok || z.StdOffset != tc.std || z.DSTOffset != tc.dst {
				t.Errorf("Zone(%s) = %+v, %v", tc.name, z, ok)
			}
		})
	}
}

func TestZoneDST(t *testing.T) {
	cases := []struct {
		name         string
		ok           bool
		start, end   DSTChange
		save, starts int
	}{
		{"Europe/Paris", true, DSTChange{time.March, 29, time.Sunday, 2, 0, 5}, DSTChange{time.October, 25, time.Sunday, 3, 0, 5}, 3600, 1},
		{"America/New_York", true, DSTChange{time.March, 8, time.Sunday, 2, 0, 2}, DSTChange{time.November, 1, time.Sunday, 2, 0, 1}, 3600, 1},
		{"Australia/Lord_Howe", true, DSTChange{time.October, 4, time.Sunday, 2, 0, 1}, DSTChange{time.April, 5, time.Sunday, 2, 0, 1}, 1800, 1},
		{"Asia/Kolkata", false, DSTChange{}, DSTChange{}, 0, 0},
		{"Nowhere/Land", false, DSTChange{}, DSTChange{}, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := ZoneDST(tc.name)
			if ok != tc.ok || d.Start != tc.start || d.End != tc.end || d.Save != tc.save || d.Starts != tc.starts {
				t.Errorf("ZoneDST(%s) = %+v, %v", tc.name, d, ok)
			}
		})
	}
}
