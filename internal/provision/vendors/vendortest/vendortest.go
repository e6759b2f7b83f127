// Package vendortest checks a phone vendor renderer: golden files per model,
// deterministic output, XML that parses, key/value files without duplicate
// keys, and common files without any of the phone's secrets.
package vendortest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Secrets are the secret values SamplePhone puts in every secret field; no
// common file may contain any of them.
var Secrets = []string{
	"line1-Secret-pw", "line2-Secret-pw", "http-Secret-pw",
	"admin-Secret-pw", "user-Secret-pw", "ldap-Secret-pw",
}

// DummyIP is the address SamplePhone uses for its servers, as an operator
// does before an IP/DNS mapping replaces it.
const DummyIP = "1.1.1.1"

// SampleMAC is the address of SamplePhone.
const SampleMAC model.MAC = "001565a1b2c3"

// SamplePhone returns a phone of vendorID/modelID with every setting set,
// two lines, keys of every type and secrets from Secrets.
func SamplePhone(vendorID, modelID string) *model.Phone {
	p := model.Ptr[string]
	return &model.Phone{
		MAC:    SampleMAC,
		Vendor: vendorID,
		Model:  modelID,
		Label:  "Reception desk",
		Tenant: "acme.example.com",
		Lines: []model.Line{
			{Index: 1, Extension: "201", DisplayName: "Alice & Co", AuthUsername: "201", Password: "line1-Secret-pw", Label: "Alice", CallerIDSource: "pai", LocalSIPPort: 15060, SRTP: "optional"},
			{Index: 2, Extension: "202", DisplayName: "Bob <Front>", AuthUsername: "acme-202", Password: "line2-Secret-pw", Label: "Bob", LocalSIPPort: 15062},
		},
		Settings: model.Settings{
			Provisioning: &model.ProvisioningSettings{
				FirmwareURL:     p("https://" + DummyIP + "/firmware/"),
				FirmwareVersion: p("66.86.0.15"),
				Sync:            p("periodic"),
				SyncInterval:    model.Ptr(1440),
			},
			SIP: &model.SIPSettings{
				Registrar:         p(DummyIP),
				RegistrarPort:     model.Ptr(5060),
				OutboundProxy:     p(DummyIP),
				OutboundProxyPort: model.Ptr(5060),
				Transport:         p("udp"),
				RegisterExpires:   model.Ptr(3600),
			},
			Network: &model.NetworkSettings{
				RPort: model.Ptr(true), STUNServer: p("stun." + DummyIP + ".nip.test"), STUNPort: model.Ptr(3478),
				LLDP: model.Ptr(true), CDP: model.Ptr(false), VLAN: model.Ptr(20), VLANPriority: model.Ptr(5),
			},
			Time:          &model.TimeSettings{NTPServer: p("pool.ntp.org"), TimeZone: p("Europe/Paris"), DST: model.Ptr(true)},
			Language:      p("fr"),
			Tones:         p("FR"),
			AdminPassword: p("admin-Secret-pw"),
			UserPassword:  p("user-Secret-pw"),
			Security:      &model.SecuritySettings{DisableDirectIPCall: model.Ptr(true), TrustSIPServerOnly: model.Ptr(true)},
			DTMF:          p("rfc2833"),
			SRTP:          p("off"),
			Keys: []model.Key{
				{Index: 1, Type: model.KeyLine, Label: "Alice", Line: 1},
				{Index: 2, Type: model.KeyLine, Label: "Bob", Line: 2},
				{Index: 3, Type: model.KeyBLF, Value: "203", Label: "Carol"},
				{Index: 4, Type: model.KeySpeedDial, Value: "0033123456789", Label: "HQ"},
				{Index: 5, Type: model.KeyPark, Value: "700", Label: "Park"},
				{Index: 6, Type: model.KeyTransfer, Value: "204", Label: "Xfer Dan"},
				{Index: 7, Type: model.KeyDTMF, Value: "*9", Label: "Door"},
				{Index: 8, Type: model.KeyDirectory, Label: "Dir"},
				{Index: 9, Type: model.KeyVoicemail, Value: "*97", Label: "VM"},
				{Index: 10, Type: model.KeyIntercom, Value: "205", Label: "Intercom"},
			},
			Paging:       []model.PagingGroup{{Address: "224.0.1.75:10000", Label: "All", Priority: 1}, {Address: "224.0.1.76:10002", Label: "Sales", Priority: 2}},
			DirectoryURL: p("https://" + DummyIP + "/directory.xml"),
			LDAP: &model.LDAPSettings{
				Server: p(DummyIP), Port: model.Ptr(389), Base: p("dc=acme,dc=example,dc=com"),
				User: p("cn=phones,dc=acme,dc=example,dc=com"), Password: p("ldap-Secret-pw"),
				NameFilter: p("(|(cn=%)(sn=%))"), NumberFilter: p("(telephoneNumber=%)"),
				NameAttributes: p("cn sn"), NumberAttributes: p("telephoneNumber"),
			},
		},
		HTTPUsername: "dev-001565a1b2c3",
		HTTPPassword: "http-Secret-pw",
		Server: model.Server{
			ProvisioningURL: "https://" + DummyIP + "/provision/",
			SIPServer:       DummyIP,
			Hostname:        DummyIP,
		},
	}
}

// SampleCommon returns the common-file input for vendorID/modelID.
func SampleCommon(vendorID, modelID string) *model.Common {
	ph := SamplePhone(vendorID, modelID)
	return &model.Common{Vendor: vendorID, Model: modelID, Server: ph.Server}
}

// Golden renders every file of every model of v for SamplePhone and
// compares it with testdata/golden/<model>/<file> (rewritten with -update).
// It also checks that rendering twice gives the same bytes, that XML files
// parse, that common files hold no secret, that at least one device file
// holds the line password, and that every model has a common or a device
// file.
func Golden(t *testing.T, v vendors.Vendor) {
	t.Helper()
	for _, m := range v.Models() {
		t.Run(m.ID, func(t *testing.T) {
			ph := SamplePhone(v.ID(), m.ID)
			files := v.Files(m.ID, ph.MAC)
			if len(files) == 0 {
				t.Fatalf("%s/%s: no files", v.ID(), m.ID)
			}
			sawPassword := false
			for _, f := range files {
				data := render(t, v, f, m.ID)
				again := render(t, v, f, m.ID)
				if !bytes.Equal(data, again) {
					t.Errorf("%s: rendering is not deterministic", f.Name)
				}
				if f.ContentType == vendors.TypeXML {
					CheckXML(t, f.Name, data)
				}
				if !f.Device {
					for _, s := range Secrets {
						if bytes.Contains(data, []byte(s)) {
							t.Errorf("common file %s holds the secret %q", f.Name, s)
						}
					}
				} else if bytes.Contains(data, []byte("line1-Secret-pw")) {
					sawPassword = true
				}
				compare(t, filepath.Join("testdata", "golden", m.ID, f.Name), data)
			}
			if !sawPassword {
				t.Errorf("%s/%s: no device file holds line 1's password", v.ID(), m.ID)
			}
		})
	}
}

func render(t *testing.T, v vendors.Vendor, f vendors.File, modelID string) []byte {
	t.Helper()
	var (
		data []byte
		err  error
	)
	if f.Device {
		data, err = v.RenderDevice(f, SamplePhone(v.ID(), modelID))
	} else {
		data, err = v.RenderCommon(f, SampleCommon(v.ID(), modelID))
	}
	if err != nil {
		t.Fatalf("render %s: %v", f.Name, err)
	}
	return data
}

func compare(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update and review the diff\ngot:\n%s", path, got)
	}
}

// CheckXML fails t unless data is one well-formed XML document.
func CheckXML(t *testing.T, name string, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	roots := 0
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("%s: XML does not parse: %v", name, err)
			return
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		t.Errorf("%s: %d root elements, want 1", name, roots)
	}
}

// CheckNoDuplicateKeys fails t if two lines of data set the same key. A
// line is "key<sep>value"; lines that are empty or start with one of
// comments are skipped.
func CheckNoDuplicateKeys(t *testing.T, name string, data []byte, sep string, comments ...string) {
	t.Helper()
	seen := map[string]int{}
	for i, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		s := strings.TrimSpace(line)
		if s == "" {
			continue
		}
		skip := false
		for _, c := range comments {
			if strings.HasPrefix(s, c) {
				skip = true
			}
		}
		if skip {
			continue
		}
		k, _, ok := strings.Cut(s, sep)
		if !ok {
			t.Errorf("%s:%d: no %q in %q", name, i+1, sep, s)
			continue
		}
		k = strings.TrimSpace(k)
		if prev, dup := seen[k]; dup {
			t.Errorf("%s:%d: key %q already set on line %d", name, i+1, k, prev)
		}
		seen[k] = i + 1
	}
}
