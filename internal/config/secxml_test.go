package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const overrideYAML = `master_domain: pbx.example.com
security_xml: conf/security.xml
listeners:
  - name: https
    address: ":8443"
    tls: true
  - name: certdir
    address: ":9443"
    tls: true
    certdir: /etc/pbxgate/tls
  - name: own-keystore
    address: ":10443"
    tls: true
    keystore: {file: /etc/pbxgate/own.p12, store_password: own}
  - name: http
    address: ":8080"
contexts:
  communication_manager:
    ssl: true
    realm_auth:
      scheme: digest
      realm: pbx.example.com
      users: [{username: yaml-user, password: yaml-pass}]
    ip_access:
      enabled: true
      whitelist: [192.0.2.100]
      blacklist: [192.0.2.200]
  client:
    upstream: http://127.0.0.1:58080/
  voicemail:
    enabled: true
    ssl: true
    root: /var/spool/voicemail
    ip_access:
      whitelist: [192.0.2.1, 192.0.2.2, 192.0.2.3]
`

const overrideXML = `<?xml version="1.0"?>
<Security>
  <SSLKeystore filename="isymphony.jks" keystorePassword="storepw"
               keyPassword="keypw" certAlias="isymphony"/>
  <SecurityContext name="communication_manager" enabled="true">
    <SSL enabled="false"/>
    <RealmAuth enabled="true">
      <RealmAuthUsers>
        <RealmAuthUser username="admin" password="secret"/>
      </RealmAuthUsers>
    </RealmAuth>
    <IPAccess enabled="false">
      <WhiteList/>
    </IPAccess>
  </SecurityContext>
  <SecurityContext name="client" enabled="true"/>
  <SecurityContext name="voicemail" enabled="false">
    <IPAccess enabled="true">
      <WhiteList>192.0.2.7</WhiteList>
    </IPAccess>
  </SecurityContext>
</Security>
`

func loadOverride(t *testing.T) (*Config, string) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "conf/security.xml", overrideXML)
	c, err := Load(writeFile(t, dir, "pbxgate.yaml", overrideYAML))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return c, dir
}

func TestSecurityXMLOverridesYAML(t *testing.T) {
	c, dir := loadOverride(t)
	wantFiles := []string{filepath.Join(dir, "pbxgate.yaml"), filepath.Join(dir, "conf", "security.xml")}
	if got := c.Files(); !reflect.DeepEqual(got, wantFiles) {
		t.Errorf("Files() = %q, want %q", got, wantFiles)
	}
	cm := c.Contexts.CommunicationManager
	wantCM := Context{
		Enabled: true,
		SSL:     false, // XML
		RealmAuth: RealmAuth{
			Enabled: true,
			Scheme:  SchemeDigest, Realm: "pbx.example.com", // YAML: the XML cannot say them
			Users: []User{{"admin", "secret"}}, // XML replaces the list
		},
		IPAccess: IPAccess{
			Enabled:   false,
			Whitelist: []string{},              // present and empty: replaced
			Blacklist: []string{"192.0.2.200"}, // absent: kept
		},
	}
	if !reflect.DeepEqual(cm, wantCM) {
		t.Errorf("communication_manager =\n%+v\nwant\n%+v", cm, wantCM)
	}
	if cl := c.Contexts.Client; !cl.Enabled || cl.Upstream != "http://127.0.0.1:58080/" {
		t.Errorf("client = %+v: enabled from XML, upstream from YAML", cl)
	}
	vm := c.Contexts.Voicemail
	if vm.Enabled || !vm.SSL || vm.Root != "/var/spool/voicemail" || !vm.IPAccess.Enabled ||
		!reflect.DeepEqual(vm.IPAccess.Whitelist, []string{"192.0.2.7"}) {
		t.Errorf("voicemail = %+v", vm)
	}
	if !reflect.DeepEqual(c.Contexts.Administrator, Default().Contexts.Administrator) {
		t.Errorf("administrator, in neither file, is not the default: %+v", c.Contexts.Administrator)
	}

	positions := []struct{ path, want string }{
		{"master_domain", "pbxgate.yaml:1"},
		{"contexts.communication_manager.ssl", "security.xml:6"},
		{"contexts.communication_manager.realm_auth.users[0].password", "security.xml:9"},
		{"contexts.communication_manager.realm_auth.scheme", "pbxgate.yaml:21"},
		{"contexts.communication_manager.ip_access.whitelist", "security.xml:13"},
		{"contexts.communication_manager.ip_access.blacklist[0]", "pbxgate.yaml:27"},
		{"contexts.voicemail.ip_access.whitelist[0]", "security.xml:19"},
		// YAML's whitelist[1] and [2] were replaced: no stale positions.
		{"contexts.voicemail.ip_access.whitelist[1]", ""},
		{"contexts.voicemail.root", "pbxgate.yaml:33"},
		{"listeners[0].keystore.file", "security.xml:3"},
		{"listeners[0].keystore.key_password", "security.xml:4"},
	}
	for _, p := range positions {
		if got := c.Pos(p.path); got != p.want {
			t.Errorf("Pos(%q) = %q, want %q", p.path, got, p.want)
		}
	}
}

func TestSecurityXMLKeystore(t *testing.T) {
	c, dir := loadOverride(t)
	want := []Keystore{
		{File: filepath.Join(dir, "conf", "isymphony.jks"), StorePassword: "storepw", KeyPassword: "keypw", Alias: "isymphony"},
		{}, // certdir
		{File: "/etc/pbxgate/own.p12", StorePassword: "own"}, // its own keystore
		{}, // no tls
	}
	for i, l := range c.Listeners {
		if l.Keystore != want[i] {
			t.Errorf("listeners[%d] (%s).keystore = %+v, want %+v", i, l.Name, l.Keystore, want[i])
		}
	}

	t.Run("ok/absolute-filename", func(t *testing.T) {
		c, err := Parse([]byte(`<Security><SSLKeystore filename="/etc/isymphony/ks.jks" keystorePassword="x"/></Security>`), "conf/security.xml")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Listeners[0].Keystore.File; got != "/etc/isymphony/ks.jks" {
			t.Errorf("keystore file = %q", got)
		}
	})
	t.Run("ok/empty-filename-ignored", func(t *testing.T) {
		c, err := Parse([]byte(`<Security><SSLKeystore filename="" keystorePassword="x"/></Security>`), "security.xml")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Listeners[0].Keystore; got != (Keystore{}) {
			t.Errorf("keystore = %+v, want none", got)
		}
	})
}

// TestXMLListSpellings: every accepted spelling of list entries gives the
// same entries.
func TestXMLListSpellings(t *testing.T) {
	want := []string{"192.0.2.1", "192.0.2.0/24", "2001:db8::1"}
	lists := map[string]string{
		"ip-elements":      `<IP>192.0.2.1</IP><IP>192.0.2.0/24</IP><IP>2001:db8::1</IP>`,
		"entry-elements":   `<Entry> 192.0.2.1 </Entry><entry>192.0.2.0/24</entry><ENTRY>2001:db8::1</ENTRY>`,
		"address-elements": "\n<Address>192.0.2.1</Address>\n<Address>192.0.2.0/24</Address>\n<Address>2001:db8::1</Address>\n",
		"ip-attribute":     `<Entry ip="192.0.2.1"/><Entry IP="192.0.2.0/24"/><Entry Ip="2001:db8::1"/>`,
		"mixed-attributes": `<E address="192.0.2.1"/><E cidr="192.0.2.0/24" description="office"/><E value="2001:db8::1"></E>`,
		"entry-attribute":  `<Item entry="192.0.2.1"/><Item entry="192.0.2.0/24" name="lan"/><Item entry="2001:db8::1" comment="v6"/>`,
		"text-commas":      `192.0.2.1,192.0.2.0/24,2001:db8::1`,
		"text-semicolons":  ` 192.0.2.1 ; 192.0.2.0/24;2001:db8::1; `,
		"text-lines":       "\n  192.0.2.1\n  192.0.2.0/24\n\t2001:db8::1\n",
		"text-and-element": "192.0.2.1, 192.0.2.0/24 <!-- office --> <IP>2001:db8::1</IP>",
		"cdata":            "<![CDATA[192.0.2.1 192.0.2.0/24]]><IP><![CDATA[2001:db8::1]]></IP>",
		"empty-entries":    "<IP/>192.0.2.1<IP></IP><IP>192.0.2.0/24</IP>,,2001:db8::1",
		"text-in-element":  "<IPs>192.0.2.1, 192.0.2.0/24, 2001:db8::1</IPs>",
	}
	for name, list := range lists {
		t.Run("ok/"+name, func(t *testing.T) {
			doc := `<Security><SecurityContext name="voicemail" enabled="true"><IPAccess enabled="true">` +
				`<WhiteList>` + list + `</WhiteList><blacklist>` + list + `</blacklist></IPAccess></SecurityContext></Security>`
			c, err := Parse([]byte(doc), "security.xml")
			if err != nil {
				t.Fatal(err)
			}
			ip := c.Contexts.Voicemail.IPAccess
			if !reflect.DeepEqual(ip.Whitelist, want) || !reflect.DeepEqual(ip.Blacklist, want) {
				t.Errorf("whitelist %q, blacklist %q, want %q", ip.Whitelist, ip.Blacklist, want)
			}
		})
	}
}

func TestXMLEntryLines(t *testing.T) {
	doc := `<Security>
<SecurityContext name="recording" enabled="true">
<IPAccess enabled="true">
<WhiteList>192.0.2.1, 192.0.2.2
  192.0.2.3
  <IP>192.0.2.4</IP>
  <IP
    ip="192.0.2.5"/>
</WhiteList>
</IPAccess>
</SecurityContext>
</Security>`
	c, err := Parse([]byte(doc), "dir/security.xml")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"4", "4", "5", "6", "8"} {
		path := "contexts.recording.ip_access.whitelist[" + string(rune('0'+i)) + "]"
		if got := c.Pos(path); got != "security.xml:"+want {
			t.Errorf("Pos(%s) = %q, want security.xml:%s", path, got, want)
		}
	}
	// The daemon locates the access package's errors this way.
	e := c.Errorf("contexts.recording.ip_access.whitelist[4]", "%q is not an IP or CIDR", "x")
	if got := e.Error(); got != `security.xml:8: contexts.recording.ip_access.whitelist[4]: "x" is not an IP or CIDR` {
		t.Errorf("Errorf = %q", got)
	}
}

func TestXMLAccepted(t *testing.T) {
	tests := []struct {
		name, doc string
		check     func(t *testing.T, c *Config)
	}{
		{"ok/any-root-name", `<iSymphonySecurity><SecurityContext name="recording" enabled="true"/></iSymphonySecurity>`,
			func(t *testing.T, c *Config) {
				if !c.Contexts.Recording.Enabled {
					t.Error("not applied")
				}
			}},
		{"ok/namespaces-and-case", `<s:Security xmlns:s="urn:x" xmlns="urn:y"><securitycontext NAME="recording" Enabled="TRUE"><ssl ENABLED="true"/></securitycontext></s:Security>`,
			func(t *testing.T, c *Config) {
				if r := c.Contexts.Recording; !r.Enabled || !r.SSL {
					t.Errorf("recording = %+v", r)
				}
			}},
		{"ok/comments-everywhere", "<?xml version=\"1.0\"?>\n<!-- a -->\n<Security><!-- b --><SecurityContext name=\"client\" enabled=\"true\"><!-- c --><RealmAuth enabled=\"true\"><!-- d --></RealmAuth></SecurityContext></Security>\n<!-- e -->\n",
			func(t *testing.T, c *Config) {
				if cl := c.Contexts.Client; !cl.Enabled || !cl.RealmAuth.Enabled {
					t.Errorf("client = %+v", cl)
				}
			}},
		{"ok/absent-attributes-keep", `<Security><SecurityContext name="communication_manager"><SSL/><RealmAuth/></SecurityContext></Security>`,
			func(t *testing.T, c *Config) {
				if !reflect.DeepEqual(c.Contexts.CommunicationManager, Default().Contexts.CommunicationManager) {
					t.Errorf("communication_manager = %+v", c.Contexts.CommunicationManager)
				}
			}},
		{"ok/empty-users-replace", `<Security><SecurityContext name="client" enabled="true"><RealmAuth enabled="true"><RealmAuthUsers></RealmAuthUsers></RealmAuth></SecurityContext></Security>`,
			func(t *testing.T, c *Config) {
				if u := c.Contexts.Client.RealmAuth.Users; u == nil || len(u) != 0 {
					t.Errorf("users = %#v, want empty", u)
				}
			}},
		{"ok/entities-in-values", `<Security><SecurityContext name="client"><RealmAuth><RealmAuthUsers><RealmAuthUser username="a&amp;b" password="&lt;&#34;&gt;"/></RealmAuthUsers></RealmAuth></SecurityContext></Security>`,
			func(t *testing.T, c *Config) {
				if u := c.Contexts.Client.RealmAuth.Users; len(u) != 1 || u[0] != (User{"a&b", `<">`}) {
					t.Errorf("users = %+v", u)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc), "security.xml")
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
			if err := c.Validate(); err != nil {
				t.Errorf("validate: %v", err)
			}
		})
	}
}

func TestXMLRefused(t *testing.T) {
	// The goldens hold the exact messages; these are short cases that each
	// must fail with the given words and a line.
	tests := []struct {
		name, doc, want string
	}{
		{"fail/doctype-public", `<!DOCTYPE Security PUBLIC "x" "http://192.0.2.1/x.dtd"><Security/>`, "security.xml:1: <!DOCTYPE"},
		{"fail/entity-decl-inside", "<Security>\n<!ENTITY x \"y\">\n</Security>", "security.xml:2: <!ENTITY"},
		{"fail/unknown-entity", "<Security>\n<SecurityContext name=\"client\" enabled=\"&t;\"/></Security>", "security.xml:2: malformed XML"},
		{"fail/empty-root-only-text", "<Security>true</Security>", `unexpected text "true"`},
		{"fail/user-text", `<Security><SecurityContext name="client"><RealmAuth><RealmAuthUsers><RealmAuthUser username="a" password="b">x</RealmAuthUser></RealmAuthUsers></RealmAuth></SecurityContext></Security>`, `unexpected text "x"`},
		{"fail/keystore-child", `<Security><SSLKeystore filename="a"><Password>x</Password></SSLKeystore></Security>`, "SSLKeystore: unknown element <Password>"},
		{"fail/prefixed-attribute", `<Security><SecurityContext name="client" x:enabled="true"/></Security>`, `unknown attribute "x:enabled"`},
		{"fail/not-utf8-declared", `<?xml version="1.0" encoding="ISO-8859-1"?><Security/>`, "security.xml:1: malformed XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "security.xml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSplitEntries(t *testing.T) {
	got := splitEntries("a,b\n c;\n\nd\te", 10)
	want := []xmlValue{{"a", 10}, {"b", 10}, {"c", 11}, {"d", 13}, {"e", 13}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
