package grandstream

import (
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

func TestTimeZone(t *testing.T) {
	tests := []struct {
		zone string
		dst  bool
		want string
	}{
		{"Europe/Paris", true, "CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00"},
		{"Europe/Paris", false, "CET-1"},
		{"Europe/London", true, "GMT+0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00"},
		{"America/New_York", true, "EST+5EDT+4,M3.2.0/02:00:00,M11.1.0/02:00:00"},
		{"America/St_Johns", true, "NST+3:30NDT+2:30,M3.2.0/02:00:00,M11.1.0/02:00:00"},
		{"Australia/Sydney", true, "AEST-10AEDT-11,M10.1.0/02:00:00,M4.1.0/03:00:00"},
		{"Asia/Kolkata", true, "IST-5:30"},
		{"Asia/Kathmandu", true, "STD-5:45"},
		{"America/Sao_Paulo", true, "STD+3"},
		{"UTC", true, "UTC+0"},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			got, ok := posixTZ(tt.zone, tt.dst)
			if !ok || got != tt.want {
				t.Errorf("posixTZ(%s, %v) = %q, %v; want %q", tt.zone, tt.dst, got, ok, tt.want)
			}
		})
	}
	if _, ok := posixTZ("Mars/Olympus", true); ok {
		t.Error("unknown zone accepted")
	}
	p := minimalPhone("gxp2170")
	p.Settings.Time = &model.TimeSettings{TimeZone: model.Ptr("Mars/Olympus")}
	if _, ok := lookupP(device(t, p), "P64"); ok {
		t.Error("P64 written for an unknown zone")
	}
}

func TestSync(t *testing.T) {
	tests := []struct {
		model, sync string
		interval    *int
		at          *string
		want        map[string]string
	}{
		{"gxp2170", "boot", nil, nil, map[string]string{"P194": "0"}},
		{"gxp2170", "periodic", model.Ptr(1440), nil, map[string]string{"P194": "1", "P193": "1440"}},
		{"gxp2170", "periodic", model.Ptr(5), nil, map[string]string{"P194": "1", "P193": "60"}},
		{"gxp2170", "daily", nil, model.Ptr("03:30"), map[string]string{"P194": "2", "P285": "3"}},
		{"ht801", "periodic", model.Ptr(120), nil, map[string]string{"P194": "3", "P193": "120"}},
		{"ht801", "daily", nil, model.Ptr("23:00"), map[string]string{"P194": "1", "P285": "23"}},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.sync, func(t *testing.T) {
			p := minimalPhone(tt.model)
			p.Settings.Provisioning = &model.ProvisioningSettings{Sync: model.Ptr(tt.sync), SyncInterval: tt.interval, SyncTime: tt.at}
			vals := device(t, p)
			for _, k := range []string{"P194", "P193", "P285"} {
				got, ok := lookupP(vals, k)
				want, wantOK := tt.want[k]
				if ok != wantOK || got != want {
					t.Errorf("%s = %q (set %v), want %q (set %v)", k, got, ok, want, wantOK)
				}
			}
		})
	}
}

func TestServerPath(t *testing.T) {
	tests := []struct{ in, scheme, path string }{
		{"https://1.1.1.1/provision/", "https", "1.1.1.1/provision"},
		{"HTTP://pbx.example.com:8080/p", "http", "pbx.example.com:8080/p"},
		{"tftp://10.0.0.1/", "tftp", "10.0.0.1"},
		{"pbx.example.com/prov/", "", "pbx.example.com/prov"},
	}
	for _, tt := range tests {
		scheme, path := serverPath(tt.in)
		if scheme != tt.scheme || path != tt.path {
			t.Errorf("serverPath(%q) = %q, %q; want %q, %q", tt.in, scheme, path, tt.scheme, tt.path)
		}
	}
}

func TestRawOverride(t *testing.T) {
	t.Run("ok/replaces-in-place", func(t *testing.T) {
		p := minimalPhone("gxp2170")
		p.Settings.Raw = map[string]string{"P47": "other.example.com", "P99999": "x"}
		vals := device(t, p)
		var keys []string
		for _, v := range vals {
			keys = append(keys, v.key+"="+v.value)
		}
		joined := strings.Join(keys, " ")
		if strings.Count(joined, "P47=") != 1 || !strings.Contains(joined, "P47=other.example.com") {
			t.Errorf("P47 not replaced once: %s", joined)
		}
		if strings.Index(joined, "P47=") > strings.Index(joined, "P35=") {
			t.Errorf("P47 moved: %s", joined)
		}
		if !strings.HasSuffix(joined, "P99999=x") {
			t.Errorf("new raw key not last: %s", joined)
		}
	})
	for _, bad := range []string{"P", "p47", "P4a", "account.1.sip.userid", "<P1>"} {
		t.Run("fail/"+bad, func(t *testing.T) {
			p := minimalPhone("gxp2170")
			p.Settings.Raw = map[string]string{bad: "v"}
			if _, err := (grandstream{}).RenderDevice(vendors.File{Name: deviceFile(p.MAC), Device: true}, p); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestUnsetNotWritten(t *testing.T) {
	for _, m := range []string{"gxp2170", "ht801"} {
		t.Run(m, func(t *testing.T) {
			var got []string
			for _, v := range device(t, minimalPhone(m)) {
				got = append(got, v.key)
			}
			want := "P212 P237 P271 P47 P35 P34 P130"
			if strings.Join(got, " ") != want {
				t.Errorf("written: %v, want %s", got, want)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct{ model, lang, key, want string }{
		{"gxp2170", "fr", "P1362", "fr"},
		{"gxp2170", "CS", "P1362", "cz"},
		{"gxp1628", "sv", "P1362", "se"},
		{"gxp2170", "xx", "P1362", ""},
		{"ht801", "es", "P342", "10"},
		{"ht801", "fr", "P342", ""},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.lang, func(t *testing.T) {
			p := minimalPhone(tt.model)
			p.Settings.Language = model.Ptr(tt.lang)
			got, _ := lookupP(device(t, p), tt.key)
			if got != tt.want {
				t.Errorf("%s = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestNoDuplicatePValues(t *testing.T) {
	for _, m := range (grandstream{}).Models() {
		t.Run(m.ID, func(t *testing.T) {
			seen := map[string]bool{}
			for _, v := range device(t, vendortest.SamplePhone("grandstream", m.ID)) {
				if seen[v.key] {
					t.Errorf("%s written twice", v.key)
				}
				seen[v.key] = true
			}
		})
	}
}
