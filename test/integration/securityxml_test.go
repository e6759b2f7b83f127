package integration

import (
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// securityXML is an iSymphony security.xml as operators have them: a keystore
// made by keytool, IP rules and realm users.
const securityXML = `<?xml version="1.0" encoding="UTF-8"?>
<Security>
  <SSLKeystore filename="isymphony.jks" keystorePassword="store-pw" keyPassword="key-pw" certAlias="isymphony"></SSLKeystore>
  <SecurityContext name="communication_manager" enabled="true">
    <SSL enabled="false"></SSL>
    <RealmAuth enabled="true">
      <RealmAuthUsers>
        <RealmAuthUser username="fop" password="fop-secret"></RealmAuthUser>
      </RealmAuthUsers>
    </RealmAuth>
    <IPAccess enabled="true">
      <WhiteList>
        <IP>127.0.0.0/29</IP>
        <IP>::1</IP>
      </WhiteList>
      <BlackList>127.0.0.6</BlackList>
    </IPAccess>
  </SecurityContext>
  <SecurityContext name="administrator" enabled="false">
    <SSL enabled="true"></SSL>
    <RealmAuth enabled="true"></RealmAuth>
    <IPAccess enabled="false"></IPAccess>
  </SecurityContext>
</Security>
`

// TestSecurityXML: a YAML file names an iSymphony security.xml; its contexts
// override the YAML ones and its SSLKeystore (a JKS made by keytool, with a
// key password that differs from the store password) becomes the
// certificate of the TLS listener.
func TestSecurityXML(t *testing.T) {
	needCurl(t)
	if _, err := exec.LookPath("keytool"); err != nil {
		t.Skip("keytool is not installed (scripts/test installs it)")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "conf")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("keytool", "-genkeypair", "-keystore", filepath.Join(conf, "isymphony.jks"), "-storetype", "JKS",
		"-alias", "isymphony", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
		"-dname", "CN=pbx.example.com", "-storepass", "store-pw", "-keypass", "key-pw").CombinedOutput()
	if err != nil {
		t.Fatalf("keytool: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(conf, "security.xml"), []byte(securityXML), 0o600); err != nil {
		t.Fatal(err)
	}
	g := start(t, `
security_xml: `+filepath.Join(conf, "security.xml")+`
contexts:
  communication_manager:
    realm_auth: {enabled: false}
`)

	// The JKS certificate is served (no SNI, as a phone dialling an IP).
	conn, err := tls.Dial("tcp", strings.TrimPrefix(g.https, "https://"), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	cn := conn.ConnectionState().PeerCertificates[0].Subject.CommonName
	conn.Close()
	if cn != "pbx.example.com" {
		t.Errorf("served certificate CN = %q, want the keystore's pbx.example.com", cn)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"ok/xml-user", []string{"--interface", "127.0.0.2", "--digest", "-u", "fop:fop-secret", g.https + "/api/v1/health"}, 200},
		{"fail/xml-realm-auth-overrides-yaml", []string{"--interface", "127.0.0.2", g.https + "/api/v1/health"}, 401},
		{"fail/xml-blacklist", []string{"--interface", "127.0.0.6", "--digest", "-u", "fop:fop-secret", g.https + "/api/v1/health"}, 403},
		{"fail/xml-not-whitelisted", []string{"--interface", "127.0.0.9", "--digest", "-u", "fop:fop-secret", g.https + "/api/v1/health"}, 403},
		{"ok/xml-whitelist-ipv6", []string{"--digest", "-u", "fop:fop-secret", g.https6 + "/api/v1/health"}, 200},
		{"ok/xml-disabled-context-restricts-nothing", []string{"--interface", "127.0.0.9", g.http + "/admin/"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := curl(t, tc.args...); code != tc.want {
				t.Errorf("%d, want %d (%s)", code, tc.want, body)
			}
		})
	}
}

// TestConfigCheck runs `pbxgate config check` on security.xml files and
// YAML files, good and broken.
func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noKeystore := strings.Replace(securityXML, `<SSLKeystore filename="isymphony.jks" keystorePassword="store-pw" keyPassword="key-pw" certAlias="isymphony"></SSLKeystore>`, "", 1)
	tests := []struct {
		name    string
		file    string
		code    int
		want    []string
		notWant []string
	}{
		{"ok/security-xml", write("ok.xml", noKeystore), 0, []string{"ok.xml: ok"}, nil},
		{"fail/xml-unknown-attribute", write("attr.xml", strings.Replace(noKeystore, `<SSL enabled="false">`, `<SSL enabeld="false">`, 1)),
			1, []string{"attr.xml:5:", `"enabeld"`}, nil},
		{"fail/xml-bad-entry", write("entry.xml", strings.Replace(noKeystore, "<IP>::1</IP>", "<IP>::1::2</IP>", 1)),
			1, []string{"entry.xml:14:", `whitelist[1]`, `"::1::2"`}, nil},
		{"fail/xml-missing-keystore", write("ks.xml", securityXML), 1, []string{"keystore"}, []string{"store-pw", "key-pw"}},
		{"fail/xml-not-xml", write("broken.xml", "<Security>\n<SecurityContext name=\"client\">\n"), 1, []string{"broken.xml:"}, nil},
		{"ok/yaml", write("ok.yaml", "master_domain: pbx.example.com\n"), 0, []string{"ok.yaml: ok"}, nil},
		{"fail/yaml-every-error", write("bad.yaml", "master_domain: Not_A_Domain\ncontexts:\n  voicemail:\n    ip_access: {enabled: true, whitelist: [\"10.0.0.300\", \"10.1.0.0/33\"]}\n"),
			1, []string{"bad.yaml:1: master_domain", "bad.yaml:4: contexts.voicemail.ip_access.whitelist[0]", "whitelist[1]"}, nil},
		{"fail/yaml-plaintext-secret-not-echoed", write("pw.yaml", "contexts:\n  communication_manager:\n    realm_auth: {enabled: true, users: [{username: 'a:b', password: hunter2-secret}]}\n"),
			1, []string{"pw.yaml:3:"}, []string{"hunter2-secret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, "", "config", "check", tc.file)
			all := stdout + stderr
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(all, w) {
					t.Errorf("output contains %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestConfigShowRedacts: `pbxgate config show` prints the effective
// configuration without any secret.
func TestConfigShowRedacts(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(cfg, []byte(`
database: "postgres://pbx:db-secret-1@127.0.0.1:5432/pbx"
listeners:
  - {name: https, address: ":8443", tls: true, keystore: {file: x.p12, store_password: ks-secret-2}}
contexts:
  voicemail:
    realm_auth: {enabled: true, users: [{username: vm, password: vm-secret-3}]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, "", "config", "show", "--config", cfg, "--data", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, secret := range []string{"db-secret-1", "ks-secret-2", "vm-secret-3"} {
		if strings.Contains(stdout, secret) {
			t.Errorf("config show prints %q", secret)
		}
	}
	for _, want := range []string{"username: vm", "data_dir: " + dir, "read_header_timeout: 10s"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config show lacks %q:\n%s", want, stdout)
		}
	}
}
