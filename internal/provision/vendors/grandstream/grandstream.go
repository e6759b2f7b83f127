package grandstream

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

func init() { vendors.Register(grandstream{}) }

type grandstream struct{}

// family groups the models that share P-value numbers.
type family int

const (
	phone family = iota // GXP16xx, GXP21xx, GRP26xx
	ata                 // HT80x
)

// phoneModel is a supported model with its P-value family and the bank its
// programmable keys are written to.
type phoneModel struct {
	vendors.Model
	family family
	keys   keyBank
}

// models are sorted by ID; Lines is the number of SIP accounts.
var models = []phoneModel{
	{vendors.Model{ID: "grp2614", Name: "GRP2614", Lines: 4}, phone, keyBank{kind: mpk, count: 24}},
	{vendors.Model{ID: "gxp1628", Name: "GXP1628", Lines: 2}, phone, keyBank{kind: mpk, count: 8}},
	{vendors.Model{ID: "gxp2140", Name: "GXP2140", Lines: 4}, phone, keyBank{kind: vpk, count: 48, fixed: 4}},
	{vendors.Model{ID: "gxp2160", Name: "GXP2160", Lines: 6}, phone, keyBank{kind: vpk, count: 48, fixed: 6}},
	{vendors.Model{ID: "gxp2170", Name: "GXP2170", Lines: 6}, phone, keyBank{kind: vpk, count: 48, fixed: 12}},
	{vendors.Model{ID: "ht801", Name: "HT801", Lines: 1}, ata, keyBank{}},
}

func (grandstream) ID() string   { return "grandstream" }
func (grandstream) Name() string { return "Grandstream" }

func (grandstream) Models() []vendors.Model {
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

// commonFile is the fallback every model fetches when no file names it.
const commonFile = "cfg.xml"

func deviceFile(mac model.MAC) string { return "cfg" + mac.String() + ".xml" }

func (grandstream) Files(id string, mac model.MAC) []vendors.File {
	if _, ok := lookup(id); !ok {
		return nil
	}
	return []vendors.File{
		{Name: commonFile, ContentType: vendors.TypeXML},
		{Name: deviceFile(mac), Device: true, ContentType: vendors.TypeXML},
	}
}

// RenderCommon renders cfg.xml: the configuration server and its protocol,
// the same for every model, so that a device that found cfg.xml keeps
// fetching from the provisioning server.
func (grandstream) RenderCommon(f vendors.File, c *model.Common) ([]byte, error) {
	if _, ok := lookup(c.Model); !ok {
		return nil, fmt.Errorf("grandstream: unknown model %q", c.Model)
	}
	if f.Name != commonFile {
		return nil, fmt.Errorf("grandstream: %s is not a common file", f.Name)
	}
	var kv vendors.KV
	configServer(&kv, c.Server.ProvisioningURL)
	return render(&kv, ""), nil
}

func (grandstream) RenderDevice(f vendors.File, p *model.Phone) ([]byte, error) {
	m, ok := lookup(p.Model)
	if !ok {
		return nil, fmt.Errorf("grandstream: unknown model %q", p.Model)
	}
	if f.Name != deviceFile(p.MAC) {
		return nil, fmt.Errorf("grandstream: %s is not a file of device %s", f.Name, p.MAC)
	}
	kv, err := deviceValues(m, p)
	if err != nil {
		return nil, err
	}
	return render(kv, p.MAC.String()), nil
}

// deviceValues builds the P-values of p: provisioning, accounts, then the
// phone-wide settings, keys and raw keys.
func deviceValues(m phoneModel, p *model.Phone) (*vendors.KV, error) {
	var kv vendors.KV
	st := &p.Settings
	configServer(&kv, p.ProvisioningURL())
	if p.HTTPUsername != "" || p.HTTPPassword != "" {
		kv.Set("P1360", p.HTTPUsername)
		kv.Set("P1361", p.HTTPPassword)
	}
	provisioning(&kv, m, st.Provisioning)
	for _, l := range p.Lines {
		if l.Index >= 1 && l.Index <= m.Lines {
			account(&kv, m, p, l)
		}
	}
	clock(&kv, st.Time)
	locale(&kv, m, st.Language)
	network(&kv, m, st.Network)
	passwords(&kv, st)
	security(&kv, m, st.Security)
	paging(&kv, m, st.Paging)
	directory(&kv, m, st.DirectoryURL)
	ldap(&kv, m, st.LDAP)
	keys(&kv, m, st.Keys)
	for k := range st.Raw {
		if !isPValue(k) {
			return nil, fmt.Errorf("grandstream: raw key %q is not a P-value (P followed by digits)", k)
		}
	}
	kv.SetRaw(st.Raw)
	return &kv, nil
}

// isPValue tells whether k is "P" followed by decimal digits.
func isPValue(k string) bool {
	if len(k) < 2 || k[0] != 'P' {
		return false
	}
	return strings.Trim(k[1:], "0123456789") == ""
}

// render writes the gs_provision document; mac is omitted in cfg.xml.
func render(kv *vendors.KV, mac string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString("<gs_provision version=\"1\">\n")
	if mac != "" {
		fmt.Fprintf(&b, "  <mac>%s</mac>\n", mac)
	}
	b.WriteString("  <config version=\"1\">\n")
	kv.Write(&b, func(k, v string) string {
		return fmt.Sprintf("    <%s>%s</%s>", k, vendors.EscapeXML(v), k)
	}, "\n")
	b.WriteString("  </config>\n</gs_provision>\n")
	return b.Bytes()
}

// schemes are the download protocols of P212 (configuration; firmware too
// on the HT80x), P6767 (firmware) and P330 (phone book, with its own codes).
var schemes = map[string]string{"tftp": "0", "http": "1", "https": "2", "ftp": "3", "ftps": "4"}

// serverPath splits a URL into its scheme and the host/path form
// Grandstream expects in server path settings (no scheme, no trailing
// slash). A string without a scheme is returned as is.
func serverPath(raw string) (scheme, path string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", strings.TrimSuffix(raw, "/")
	}
	path = u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return strings.ToLower(u.Scheme), path
}

// configServer sets the configuration server path and protocol.
func configServer(kv *vendors.KV, provURL string) {
	if provURL == "" {
		return
	}
	scheme, path := serverPath(provURL)
	if code, ok := schemes[scheme]; ok {
		kv.Set("P212", code)
	}
	kv.Set("P237", path)
}

// hostPort returns host, with the port when it is set and not the
// transport's default.
func hostPort(host string, port int, transport string) string {
	def := 5060
	if transport == "tls" {
		def = 5061
	}
	if port == 0 || port == def {
		return host
	}
	return host + ":" + strconv.Itoa(port)
}
