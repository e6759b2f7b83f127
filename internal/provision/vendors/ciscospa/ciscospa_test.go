// The golden files under testdata/golden were reviewed against: the Cisco
// Small Business IP Telephony Devices Provisioning Guide (OL-19687-01:
// flat-profile format, Profile_Rule and Upgrade_Rule syntax, macros); the
// Cisco SPA300/SPA500 Series IP Phone Administration Guide (daylight saving
// rule, LLDP-MED, group paging script); the Cisco IP Phone 6800
// Multiplatform Phones Provisioning Guide ("uid and pwd" resync options);
// wazo-platform/wazo-provd-plugins:plugins/wazo_cisco_spa (common.py,
// templates/base.tpl, var/tftpboot/spa-phone.xml, v7_5_5); and
// fusionpbx/fusionpbx:resources/templates/provision/cisco/spa504g/{$mac}.xml
// and cisco/spa122/{$mac}.xml.
package ciscospa

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
	v, ok := vendors.Lookup("ciscospa")
	if !ok {
		t.Fatal("ciscospa is not registered")
	}
	vendortest.Golden(t, v)
}

// elements returns the child elements of <flat-profile> in order, with
// their text; <router-configuration> is returned with an empty text.
func elements(t *testing.T, data []byte) ([]string, map[string]string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var (
		names  []string
		values = map[string]string{}
		depth  int
		cur    string
		text   strings.Builder
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				cur = tok.Name.Local
				text.Reset()
			}
		case xml.CharData:
			if depth == 2 {
				text.Write(tok)
			}
		case xml.EndElement:
			if depth == 2 {
				names = append(names, cur)
				values[cur] = text.String()
			}
			depth--
		}
	}
	return names, values
}

func TestModels(t *testing.T) {
	ms := spa{}.Models()
	want := []string{"spa122", "spa303", "spa504g", "spa525g2", "spa942"}
	have := map[string]bool{}
	for i, m := range ms {
		have[m.ID] = true
		if i > 0 && ms[i-1].ID >= m.ID {
			t.Errorf("models not sorted: %s before %s", ms[i-1].ID, m.ID)
		}
		if m.ID != strings.ToLower(m.ID) || m.Lines < 1 {
			t.Errorf("bad model %+v", m)
		}
	}
	for _, id := range want {
		if !have[id] {
			t.Errorf("model %s missing", id)
		}
	}
}

func TestFiles(t *testing.T) {
	mac := model.MAC("0002fdff2103")
	tests := []struct {
		name, model, common string
	}{
		{"ok/phone-g-upper", "spa504g", "spa504G.cfg"},
		{"ok/phone-g2", "spa525g2", "spa525G2.cfg"},
		{"ok/phone-no-suffix", "spa303", "spa303.cfg"},
		{"ok/linksys", "spa942", "spa942.cfg"},
		{"ok/ata", "spa122", "spa122.cfg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := spa{}.Files(tc.model, mac)
			if len(fs) != 2 {
				t.Fatalf("files = %+v", fs)
			}
			if fs[0].Name != tc.common || fs[0].Device {
				t.Errorf("common file = %+v, want %s", fs[0], tc.common)
			}
			if fs[1].Name != "0002fdff2103.xml" || !fs[1].Device {
				t.Errorf("device file = %+v, want lowercase MAC", fs[1])
			}
		})
	}
	if fs := (spa{}).Files("spa999", mac); fs != nil {
		t.Errorf("unknown model: files = %+v", fs)
	}
}

func render(t *testing.T, p *model.Phone) ([]string, map[string]string) {
	t.Helper()
	f := vendors.File{Name: deviceName(p.MAC), Device: true, ContentType: vendors.TypeXML}
	data, err := spa{}.RenderDevice(f, p)
	if err != nil {
		t.Fatal(err)
	}
	names, values := elements(t, data)
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("element %s written twice", n)
		}
		seen[n] = true
	}
	return names, values
}

func TestNoDuplicateElements(t *testing.T) {
	for _, m := range models {
		t.Run(m.ID, func(t *testing.T) {
			p := vendortest.SamplePhone("ciscospa", m.ID)
			p.Settings.Raw = map[string]string{"Proxy_1_": "x", "Dial_Plan_1_": "(x.)"}
			render(t, p)
		})
	}
}

func TestCommonFile(t *testing.T) {
	c := vendortest.SampleCommon("ciscospa", "spa504g")
	data, err := spa{}.RenderCommon(vendors.File{Name: "spa504G.cfg"}, c)
	if err != nil {
		t.Fatal(err)
	}
	_, v := elements(t, data)
	if got := v["Profile_Rule_B"]; got != "https://1.1.1.1/provision/$MA.xml" {
		t.Errorf("Profile_Rule_B = %q", got)
	}
	if strings.Contains(string(data), "--uid") {
		t.Error("common file holds credentials")
	}
	if _, err := (spa{}).RenderCommon(vendors.File{Name: "spa303.cfg"}, c); err == nil {
		t.Error("common file of another model rendered")
	}
}

func TestProfileRule(t *testing.T) {
	tests := []struct {
		name, base, user, pass, want string
		err                          bool
	}{
		{"ok/plain", "https://p.example.com/provision/", "dev-1", "s3cret", "[--uid dev-1 --pwd s3cret]https://p.example.com/provision/$MA.xml", false},
		{"ok/adds-slash", "https://p.example.com/prov", "u", "p", "[--uid u --pwd p]https://p.example.com/prov/$MA.xml", false},
		{"ok/quoted-space", "https://h/", "u", "a b", `[--uid u --pwd "a b"]https://h/$MA.xml`, false},
		{"ok/dollar-doubled", "https://h/", "u", "a$b", `[--uid u --pwd "a$$b"]https://h/$MA.xml`, false},
		{"ok/no-credentials", "https://h/", "", "", "https://h/$MA.xml", false},
		{"fail/double-quote", "https://h/", "u", `a"b`, "", true},
		{"fail/newline", "https://h/", "u\n", "p", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := profileRule(tc.base, tc.user, tc.pass)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v", err)
			}
			if got != tc.want {
				t.Errorf("rule = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDeviceCredentials(t *testing.T) {
	_, v := render(t, vendortest.SamplePhone("ciscospa", "spa504g"))
	if got, want := v["Profile_Rule"], "[--uid dev-001565a1b2c3 --pwd http-Secret-pw]https://1.1.1.1/provision/$MA.xml"; got != want {
		t.Errorf("Profile_Rule = %q, want %q", got, want)
	}
	if got, ok := v["Profile_Rule_B"]; !ok || got != "" {
		t.Errorf("Profile_Rule_B = %q, %v; want cleared", got, ok)
	}
}
