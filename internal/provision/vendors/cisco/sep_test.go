package cisco

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/provision/vendors/vendortest"
)

// sepDoc renders SEP<MAC>.cnf.xml of p and returns the text of each
// element by its path from <device>, indexing repeated elements: the
// second <line> is "sipProfile/sipLines/line[2]".
func sepDoc(t *testing.T, p *model.Phone) map[string]string {
	t.Helper()
	name := "SEP" + p.MAC.Upper() + ".cnf.xml"
	data, err := cisco{}.RenderDevice(vendors.File{Name: name, Device: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	vendortest.CheckXML(t, name, data)
	out := map[string]string{}
	d := xml.NewDecoder(bytes.NewReader(data))
	var (
		path   []string
		counts []map[string]int
		text   string
	)
	counts = append(counts, map[string]int{})
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			c := counts[len(counts)-1]
			c[tok.Name.Local]++
			seg := tok.Name.Local
			if c[seg] > 1 {
				seg += "[" + strconv.Itoa(c[seg]) + "]"
			}
			path = append(path, seg)
			counts = append(counts, map[string]int{})
			for _, a := range tok.Attr {
				out[strings.Join(path[1:], "/")+"@"+a.Name.Local] = a.Value
			}
			text = ""
		case xml.CharData:
			text = string(tok)
		case xml.EndElement:
			out[strings.Join(path[1:], "/")] = strings.TrimSpace(text)
			path = path[:len(path)-1]
			counts = counts[:len(counts)-1]
			text = ""
		}
	}
	return out
}

func TestSEPLinesAndKeys(t *testing.T) {
	v := sepDoc(t, vendortest.SamplePhone("cisco", "8845"))
	checks := map[string]string{
		"sipProfile/sipLines/line@button":             "1",
		"sipProfile/sipLines/line@lineIndex":          "1",
		"sipProfile/sipLines/line/featureID":          "9",
		"sipProfile/sipLines/line/name":               "201",
		"sipProfile/sipLines/line/authName":           "201",
		"sipProfile/sipLines/line/authPassword":       "line1-Secret-pw",
		"sipProfile/sipLines/line/displayName":        "Alice & Co",
		"sipProfile/sipLines/line/proxy":              "1.1.1.1",
		"sipProfile/sipLines/line/port":               "5060",
		"sipProfile/sipLines/line[2]/authName":        "acme-202",
		"sipProfile/sipLines/line[3]/featureID":       "21",
		"sipProfile/sipLines/line[3]/speedDialNumber": "203",
		"sipProfile/sipLines/line[4]/featureID":       "2",
		"sipProfile/sipLines/line[5]/featureID":       "22",
		"sipProfile/sipLines/line[5]/contact":         "700",
		"devicePool/dateTimeSetting/timeZone":         "W. Europe Standard/Daylight Time",
		"transportLayerProtocol":                      "2",
		"deviceSecurityMode":                          "1",
		"commonProfile/phonePassword":                 "admin-Secret-pw",
	}
	for k, want := range checks {
		if got := v[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := v["sipProfile/sipLines/line[6]"]; ok {
		t.Error("more line elements than buttons")
	}
}

func TestSEPKeyFeatures(t *testing.T) {
	tests := []struct {
		name     string
		key      model.Key
		id, elem string
		ok       bool
	}{
		{"speeddial", model.Key{Type: model.KeySpeedDial, Value: "1"}, "2", "speedDialNumber", true},
		{"voicemail", model.Key{Type: model.KeyVoicemail, Value: "*97"}, "2", "speedDialNumber", true},
		{"blf", model.Key{Type: model.KeyBLF, Value: "203"}, "21", "speedDialNumber", true},
		{"park", model.Key{Type: model.KeyPark, Value: "700"}, "22", "speedDialNumber", true},
		{"url", model.Key{Type: model.KeyURL, Value: "http://x/"}, "20", "serviceURI", true},
		{"skip/no-value", model.Key{Type: model.KeyBLF}, "", "", false},
		{"skip/transfer", model.Key{Type: model.KeyTransfer, Value: "204"}, "", "", false},
		{"skip/dtmf", model.Key{Type: model.KeyDTMF, Value: "*9"}, "", "", false},
		{"skip/intercom", model.Key{Type: model.KeyIntercom, Value: "205"}, "", "", false},
		{"skip/directory", model.Key{Type: model.KeyDirectory, Value: "x"}, "", "", false},
		{"skip/line", model.Key{Type: model.KeyLine, Value: "x"}, "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, elem, ok := keyFeature(tc.key)
			if id != tc.id || elem != tc.elem || ok != tc.ok {
				t.Errorf("keyFeature = %q, %q, %v", id, elem, ok)
			}
		})
	}
}

func TestSEPButtons(t *testing.T) {
	p := vendortest.SamplePhone("cisco", "7961")
	p.Settings.Keys = []model.Key{
		{Index: 1, Type: model.KeyBLF, Value: "203", Label: "Carol"},
		{Index: 3, Type: model.KeyLine, Line: 1, Label: "Main"},
	}
	v := sepDoc(t, p)
	checks := map[string]string{
		"sipProfile/sipLines/line@button":          "1",
		"sipProfile/sipLines/line/featureID":       "21",
		"sipProfile/sipLines/line[2]@button":       "2",
		"sipProfile/sipLines/line[2]@lineIndex":    "2",
		"sipProfile/sipLines/line[3]@button":       "3",
		"sipProfile/sipLines/line[3]@lineIndex":    "1",
		"sipProfile/sipLines/line[3]/featureLabel": "Main",
		"sipProfile/phoneLabel":                    "Receptiondesk",
	}
	for k, want := range checks {
		if got := v[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestSEPTransportAndSecurity(t *testing.T) {
	tests := []struct {
		name, transport, srtp, proto, mode string
	}{
		{"udp", "udp", "off", "2", "1"},
		{"tcp", "tcp", "mandatory", "1", "1"},
		{"tls-no-srtp", "tls", "off", "3", "2"},
		{"tls-optional", "tls", "optional", "3", "3"},
		{"tls-mandatory", "tls", "mandatory", "3", "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vendortest.SamplePhone("cisco", "8841")
			p.Settings.SIP.Transport = model.Ptr(tc.transport)
			p.Settings.SIP.RegistrarPort = nil
			p.Lines[0].SRTP = tc.srtp
			v := sepDoc(t, p)
			if got := v["transportLayerProtocol"]; got != tc.proto {
				t.Errorf("transportLayerProtocol = %q, want %q", got, tc.proto)
			}
			if got := v["deviceSecurityMode"]; got != tc.mode {
				t.Errorf("deviceSecurityMode = %q, want %q", got, tc.mode)
			}
			if tc.transport == "tls" && v["sipProfile/sipLines/line/port"] != "5061" {
				t.Errorf("TLS port = %q", v["sipProfile/sipLines/line/port"])
			}
			ports := "devicePool/callManagerGroup/members/member/callManager/ports/"
			if tc.transport == "tls" && (v[ports+"securedSipPort"] != "5061" || v[ports+"sipPort"] != "5060") {
				t.Errorf("TLS ports = %q, %q", v[ports+"sipPort"], v[ports+"securedSipPort"])
			}
		})
	}
}

func TestSEPTimeZone(t *testing.T) {
	tests := []struct {
		name, zone string
		dst        *bool
		want       string
	}{
		{"paris", "Europe/Paris", nil, "W. Europe Standard/Daylight Time"},
		{"new-york", "America/New_York", model.Ptr(true), "Eastern Standard/Daylight Time"},
		{"phoenix", "America/Phoenix", nil, "US Mountain Standard Time"},
		{"denver-dst-off", "America/Denver", model.Ptr(false), "US Mountain Standard Time"},
		{"kolkata", "Asia/Kolkata", nil, "India Standard Time"},
		{"sydney", "Australia/Sydney", nil, "AUS Eastern Standard/Daylight Time"},
		{"auckland", "Pacific/Auckland", nil, "New Zealand Standard/Daylight Time"},
		{"unmapped", "Asia/Kathmandu", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vendortest.SamplePhone("cisco", "7941")
			p.Settings.Time.TimeZone = model.Ptr(tc.zone)
			p.Settings.Time.DST = tc.dst
			if got := sepDoc(t, p)["devicePool/dateTimeSetting/timeZone"]; got != tc.want {
				t.Errorf("timeZone = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSEPRaw(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		want map[string]string
		err  bool
	}{
		{"replace-in-place", map[string]string{"transportLayerProtocol": "1"}, map[string]string{"transportLayerProtocol": "1"}, false},
		{"nested-new", map[string]string{"sipProfile/sipStack/timerT1": "500"}, map[string]string{"sipProfile/sipStack/timerT1": "500", "sipProfile/sipStack/timerRegisterExpires": "3600"}, false},
		{"indexed-line", map[string]string{"sipProfile/sipLines/line[2]/featureLabel": "Sales"}, map[string]string{"sipProfile/sipLines/line[2]/featureLabel": "Sales"}, false},
		{"fail/bad-name", map[string]string{"a b": "x"}, nil, true},
		{"fail/index-gap", map[string]string{"sipProfile/sipLines/line[9]/featureLabel": "x"}, nil, true},
		{"fail/bad-index", map[string]string{"sipProfile/sipLines/line[0]": "x"}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := vendortest.SamplePhone("cisco", "8845")
			p.Settings.Raw = tc.raw
			if tc.err {
				if _, err := (cisco{}).RenderDevice(vendors.File{Name: "SEP001565A1B2C3.cnf.xml"}, p); err == nil {
					t.Error("bad raw key accepted")
				}
				return
			}
			v := sepDoc(t, p)
			for k, want := range tc.want {
				if got := v[k]; got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
	p := vendortest.SamplePhone("cisco", "8845")
	p.Settings.Raw = map[string]string{"transportLayerProtocol": "1"}
	data, err := cisco{}.RenderDevice(vendors.File{Name: "SEP001565A1B2C3.cnf.xml"}, p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), "<transportLayerProtocol>") != 1 {
		t.Error("raw override duplicated the element")
	}
}

func TestSEPUnsetNotWritten(t *testing.T) {
	p := vendortest.SamplePhone("cisco", "8845")
	p.Settings = model.Settings{}
	p.Label = ""
	p.Lines[0].CallerIDSource = ""
	p.Lines[0].LocalSIPPort = 0
	v := sepDoc(t, p)
	for k := range v {
		switch {
		case k == "" || k == "fullConfig" || k == "deviceProtocol" || k == "deviceSecurityMode" || k == "transportLayerProtocol":
		case strings.HasPrefix(k, "devicePool/callManagerGroup"), k == "devicePool":
		case strings.HasPrefix(k, "sipProfile/sipLines"), k == "sipProfile", strings.HasPrefix(k, "sipProfile/sipProxies"):
		default:
			t.Errorf("%s written with no setting", k)
		}
	}
}

func TestCommonFiles(t *testing.T) {
	c := vendortest.SampleCommon("cisco", "8841")
	data, err := cisco{}.RenderCommon(vendors.File{Name: xmlDefault}, c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "<processNodeName>1.1.1.1</processNodeName>") {
		t.Errorf("XMLDefault.cnf.xml lacks the SIP server:\n%s", data)
	}
	other := vendortest.SampleCommon("cisco", "7961")
	again, err := cisco{}.RenderCommon(vendors.File{Name: xmlDefault}, other)
	if err != nil || !bytes.Equal(data, again) {
		t.Error("XMLDefault.cnf.xml differs between models")
	}
	if _, err := (cisco{}).RenderCommon(vendors.File{Name: sipDefault}, c); err == nil {
		t.Error("SIPDefault.cnf rendered for an enterprise model")
	}
	a, _ := cisco{}.RenderCommon(vendors.File{Name: sipDefault}, vendortest.SampleCommon("cisco", "7940"))
	b, _ := cisco{}.RenderCommon(vendors.File{Name: sipDefault}, vendortest.SampleCommon("cisco", "7960"))
	if !bytes.Equal(a, b) {
		t.Error("SIPDefault.cnf differs between models")
	}
}
