package snom

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

func init() { vendors.Register(snom{}) }

type snom struct{}

// phoneModel is a supported model: its vendors.Model and the type name the
// phone uses in its file names and User-Agent ("D785", "710").
type phoneModel struct {
	vendors.Model
	typeName string
}

// models are sorted by ID. Lines is the number of SIP identities.
var models = []phoneModel{
	{vendors.Model{ID: "320", Name: "snom 320", Lines: 12}, "320"},
	{vendors.Model{ID: "710", Name: "snom 710", Lines: 4}, "710"},
	{vendors.Model{ID: "715", Name: "snom 715", Lines: 4}, "715"},
	{vendors.Model{ID: "720", Name: "snom 720", Lines: 12}, "720"},
	{vendors.Model{ID: "d385", Name: "Snom D385", Lines: 12}, "D385"},
	{vendors.Model{ID: "d717", Name: "Snom D717", Lines: 6}, "D717"},
	{vendors.Model{ID: "d735", Name: "Snom D735", Lines: 12}, "D735"},
	{vendors.Model{ID: "d785", Name: "Snom D785", Lines: 12}, "D785"},
	{vendors.Model{ID: "d865", Name: "Snom D865", Lines: 12}, "D865"},
}

func (snom) ID() string   { return "snom" }
func (snom) Name() string { return "Snom" }

func (snom) Models() []vendors.Model {
	out := make([]vendors.Model, len(models))
	for i, m := range models {
		out[i] = m.Model
	}
	return out
}

func lookup(id string) (phoneModel, bool) {
	for _, m := range models {
		if m.ID == id {
			return m, true
		}
	}
	return phoneModel{}, false
}

// File names: the general file of the type, then the two files of the
// device, MAC in upper case.
func generalFile(m phoneModel) string { return "snom" + m.typeName + ".htm" }
func deviceHTM(m phoneModel, mac model.MAC) string {
	return "snom" + m.typeName + "-" + mac.Upper() + ".htm"
}
func deviceXML(mac model.MAC) string { return mac.Upper() + ".xml" }

func (snom) Files(id string, mac model.MAC) []vendors.File {
	m, ok := lookup(id)
	if !ok {
		return nil
	}
	return []vendors.File{
		{Name: generalFile(m), ContentType: vendors.TypeXML},
		{Name: deviceHTM(m, mac), Device: true, ContentType: vendors.TypeXML},
		{Name: deviceXML(mac), Device: true, ContentType: vendors.TypeXML},
	}
}

func (snom) RenderCommon(f vendors.File, c *model.Common) ([]byte, error) {
	m, ok := lookup(c.Model)
	if !ok {
		return nil, fmt.Errorf("snom: unknown model %q", c.Model)
	}
	if f.Name != generalFile(m) {
		return nil, fmt.Errorf("snom: %s is not a common file of %s", f.Name, m.ID)
	}
	s := newSettings()
	if c.Server.ProvisioningURL != "" {
		s.setPerm("setting_server", c.Server.ProvisioningURL, "RW")
	}
	return s.render(), nil
}

func (snom) RenderDevice(f vendors.File, p *model.Phone) ([]byte, error) {
	m, ok := lookup(p.Model)
	if !ok {
		return nil, fmt.Errorf("snom: unknown model %q", p.Model)
	}
	switch f.Name {
	case deviceHTM(m, p.MAC):
		return settingFiles(p.ProvisioningURL() + deviceXML(p.MAC)), nil
	case deviceXML(p.MAC):
		s, err := deviceSettings(m, p)
		if err != nil {
			return nil, err
		}
		return s.render(), nil
	}
	return nil, fmt.Errorf("snom: %s is not a file of device %s", f.Name, p.MAC)
}

// settingFiles renders a <setting-files> container naming one file.
func settingFiles(url string) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString("<setting-files>\n")
	fmt.Fprintf(&b, "  <file url=\"%s\"/>\n", vendors.EscapeXML(url))
	b.WriteString("</setting-files>\n")
	return b.Bytes()
}

const xmlHeader = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// settings is the content of a <settings> document: phone settings keyed
// "name" or "name[idx]", and function keys keyed "fkey[idx]", each in the
// order first set, a later set replacing the value in place.
type settings struct {
	phone vendors.KV
	perms map[string]string
	fkeys vendors.KV
	attrs map[string]fkeyAttrs
}

type fkeyAttrs struct{ context, label string }

func newSettings() *settings {
	return &settings{perms: map[string]string{}, attrs: map[string]fkeyAttrs{}}
}

func (s *settings) set(name, value string) { s.phone.Set(name, value) }

func (s *settings) setPerm(name, value, perm string) {
	s.phone.Set(name, value)
	s.perms[name] = perm
}

// setIdx sets a per-identity setting.
func (s *settings) setIdx(name string, idx int, value string) {
	s.phone.Set(fmt.Sprintf("%s[%d]", name, idx), value)
}

func (s *settings) setBool(name string, b bool) { s.phone.SetBool(name, b, "on", "off") }

func (s *settings) setFkey(idx int, context, label, value string) {
	k := fmt.Sprintf("fkey[%d]", idx)
	s.fkeys.Set(k, value)
	s.attrs[k] = fkeyAttrs{context: context, label: label}
}

// setRaw applies vendor-native keys: "name" or "name[idx]" for phone
// settings, "fkey[idx]" for a function key.
func (s *settings) setRaw(raw map[string]string) error {
	var phone, fkeys = map[string]string{}, map[string]string{}
	for k, v := range raw {
		name, _, ok := splitKey(k)
		if !ok {
			return fmt.Errorf("snom: raw key %q is not a setting name or name[idx]", k)
		}
		if name == "fkey" {
			fkeys[k] = v
		} else {
			phone[k] = v
		}
	}
	s.phone.SetRaw(phone)
	s.fkeys.SetRaw(fkeys)
	return nil
}

// splitKey splits "name" or "name[idx]"; names are letters, digits and
// underscores, idx is decimal.
func splitKey(k string) (name, idx string, ok bool) {
	name = k
	if i := strings.IndexByte(k, '['); i >= 0 {
		if !strings.HasSuffix(k, "]") {
			return "", "", false
		}
		name, idx = k[:i], k[i+1:len(k)-1]
		if idx == "" || strings.Trim(idx, "0123456789") != "" {
			return "", "", false
		}
	}
	if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return "", "", false
	}
	if name == "fkey" && idx == "" {
		return "", "", false
	}
	return name, idx, true
}

func (s *settings) render() []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString("<settings>\n  <phone-settings e=\"2\">\n")
	s.phone.Write(&b, func(k, v string) string {
		name, idx, _ := splitKey(k)
		perm, ok := s.perms[k]
		if !ok {
			perm = "R"
		}
		attr := ""
		if idx != "" {
			attr = fmt.Sprintf(" idx=\"%s\"", idx)
		}
		return fmt.Sprintf("    <%s%s perm=\"%s\">%s</%s>", name, attr, perm, vendors.EscapeXML(v), name)
	}, "\n")
	b.WriteString("  </phone-settings>\n")
	if s.fkeys.Len() > 0 {
		b.WriteString("  <functionKeys e=\"2\">\n")
		s.fkeys.Write(&b, func(k, v string) string {
			_, idx, _ := splitKey(k)
			a, ok := s.attrs[k]
			if !ok {
				a.context = "active"
			}
			label := ""
			if a.label != "" {
				label = fmt.Sprintf(" label=\"%s\"", vendors.EscapeXML(a.label))
			}
			return fmt.Sprintf("    <fkey idx=\"%s\" context=\"%s\"%s perm=\"R\">%s</fkey>",
				idx, vendors.EscapeXML(a.context), label, vendors.EscapeXML(v))
		}, "\n")
		b.WriteString("  </functionKeys>\n")
	}
	b.WriteString("</settings>\n")
	return b.Bytes()
}
