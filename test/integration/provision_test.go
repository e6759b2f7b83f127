package integration

import (
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// provFixture is a gateway with two tenants, an extension and a device in
// each, bootstrap credentials per tenant and an IP/DNS mapping of the
// dummy address 1.1.1.1.
type provFixture struct {
	g                   *gw
	yealinkUser, yealPW string
	polyUser, polyPW    string
	bootAcme, bootBeta  string
	sipPW201, sipPW301  string
}

const (
	yealinkMAC = "001565a1b2c3"
	polycomMAC = "64167f000001"
	yealinkUA  = "Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3"
	polycomUA  = "FileTransport PolycomVVX-VVX_400-UA/6.4.3.5018 Type/Application"
)

func provisioningFixture(t *testing.T) *provFixture {
	t.Helper()
	return provisioningFixtureYAML(t, "")
}

// provisioningFixtureYAML is provisioningFixture with more configuration.
func provisioningFixtureYAML(t *testing.T, extra string) *provFixture {
	t.Helper()
	g := start(t, "master_domain: pbx.example.com\n"+extra)
	f := &provFixture{g: g}
	call := func(method, path string, body map[string]any, want int) map[string]any {
		t.Helper()
		code, out := g.apiCall(t, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, compact(out), want)
		}
		return out
	}
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		if s == "" {
			t.Fatalf("no %s in %s", k, compact(m))
		}
		return s
	}
	call("POST", "/api/v1/domains", map[string]any{"name": "acme.pbx.example.com"}, 201)
	call("POST", "/api/v1/domains", map[string]any{"name": "beta.pbx.example.com"}, 201)
	call("PUT", "/api/v1/provisioning/settings", map[string]any{"sip_server_address": "1.1.1.1", "server_hostname": "prov.pbx.example.com"}, 200)
	call("POST", "/api/v1/ipdns", map[string]any{"domain": "pbx.example.com", "ip": "1.1.1.1", "fqdn": "sip.pbx.example.com"}, 201)
	f.sipPW201 = str(call("POST", "/api/v1/domains/acme.pbx.example.com/extensions", map[string]any{"number": "201", "display_name": "Alice"}, 201), "password")
	f.sipPW301 = str(call("POST", "/api/v1/domains/beta.pbx.example.com/extensions", map[string]any{"number": "301", "display_name": "Bob"}, 201), "password")
	y := call("POST", "/api/v1/devices", map[string]any{"mac": "00:15:65:A1:B2:C3", "domain": "acme.pbx.example.com", "model": "yealink/t46s",
		"lines": []map[string]any{{"line": 1, "extension": "201", "label": "Alice"}}}, 201)
	f.yealinkUser, f.yealPW = str(y, "http_username"), str(y, "http_password")
	p := call("POST", "/api/v1/devices", map[string]any{"mac": polycomMAC, "domain": "beta.pbx.example.com", "model": "polycom/vvx400",
		"lines": []map[string]any{{"line": 1, "extension": "301"}}}, 201)
	f.polyUser, f.polyPW = str(p, "http_username"), str(p, "http_password")
	ta := call("PUT", "/api/v1/domains/acme.pbx.example.com/provisioning", map[string]any{"bootstrap": map[string]any{"username": "boot-acme"}, "allow": []string{"127.0.0.10/32"}}, 200)
	f.bootAcme = str(ta["bootstrap"].(map[string]any), "password")
	tb := call("PUT", "/api/v1/domains/beta.pbx.example.com/provisioning", map[string]any{"bootstrap": map[string]any{"username": "boot-beta"}, "allow": []string{"127.0.0.0/8"}}, 200)
	f.bootBeta = str(tb["bootstrap"].(map[string]any), "password")
	return f
}

// TestProvisioningFetch: phones fetch their files with curl as the
// phones' own HTTP clients do (vendor User-Agents, Digest and Basic).
func TestProvisioningFetch(t *testing.T) {
	f := provisioningFixture(t)
	g := f.g
	yfile := "/provision/" + yealinkMAC + ".cfg"
	pfile := "/provision/" + polycomMAC + "-user.cfg"
	cases := []struct {
		name     string
		args     []string
		want     int
		contains []string
		lacks    []string
	}{
		{"ok/common-over-http", []string{"-A", yealinkUA, g.http + "/provision/y000000000066.cfg"}, 200,
			[]string{"prov.pbx.example.com"}, []string{f.yealPW, f.sipPW201}},
		{"ok/common-over-https", []string{"-A", polycomUA, g.https + "/provision/000000000000.cfg"}, 200,
			[]string{"CONFIG_FILES"}, []string{f.polyPW, f.sipPW301}},
		{"ok/device-digest-https", []string{"--digest", "-u", f.yealinkUser + ":" + f.yealPW, "-A", yealinkUA, g.https + yfile}, 200,
			[]string{f.sipPW201, f.yealPW, "sip.pbx.example.com"}, []string{"1.1.1.1"}},
		{"ok/device-basic-http", []string{"--basic", "-u", f.yealinkUser + ":" + f.yealPW, "-A", yealinkUA, g.http + yfile}, 200,
			[]string{f.sipPW201}, nil},
		{"ok/polycom-digest", []string{"--digest", "-u", f.polyUser + ":" + f.polyPW, "-A", polycomUA, g.https + pfile}, 200,
			[]string{f.sipPW301, "sip.pbx.example.com"}, []string{"1.1.1.1"}},
		{"fail/no-credentials", []string{"-A", yealinkUA, g.https + yfile}, 401, nil, []string{f.sipPW201}},
		{"fail/wrong-password", []string{"--digest", "-u", f.yealinkUser + ":nope", g.https + yfile}, 401, nil, []string{f.sipPW201}},
		{"fail/other-device-credentials", []string{"--digest", "-u", f.polyUser + ":" + f.polyPW, g.https + yfile}, 401, nil, []string{f.sipPW201}},
		{"ok/bootstrap-allowed-network", []string{"--interface", "127.0.0.10", "--digest", "-u", "boot-acme:" + f.bootAcme, "-A", yealinkUA, g.http + yfile}, 200,
			[]string{f.sipPW201, f.yealPW}, nil},
		{"fail/bootstrap-refused-network", []string{"--interface", "127.0.0.11", "--digest", "-u", "boot-acme:" + f.bootAcme, g.http + yfile}, 401, nil, []string{f.sipPW201}},
		{"fail/tenant-a-bootstrap-for-tenant-b-device", []string{"--interface", "127.0.0.10", "--digest", "-u", "boot-acme:" + f.bootAcme, g.http + pfile}, 401, nil, []string{f.sipPW301}},
		{"fail/tenant-b-bootstrap-for-tenant-a-device", []string{"--interface", "127.0.0.12", "--basic", "-u", "boot-beta:" + f.bootBeta, g.http + yfile}, 401, nil, []string{f.sipPW201}},
		{"fail/bootstrap-unknown-mac-404", []string{"--interface", "127.0.0.10", "--digest", "-u", "boot-acme:" + f.bootAcme, g.http + "/provision/001565ffffff.cfg"}, 404, nil, nil},
		{"fail/traversal", []string{"--path-as-is", g.http + "/provision/../../etc/passwd"}, 400, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := curl(t, tc.args...)
			if code != tc.want {
				t.Fatalf("status %d, want %d; body %q", code, tc.want, body)
			}
			for _, s := range tc.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(body, s) {
					t.Errorf("body holds %q", s)
				}
			}
		})
	}

	t.Run("ok/not-modified", func(t *testing.T) {
		out, err := exec.Command("curl", "-sS", "-k", "-D", "-", "-o", "/dev/null", "--digest", "-u", f.yealinkUser+":"+f.yealPW, g.https+yfile).Output()
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?i)etag: (".*")`).FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("no ETag in %s", out)
		}
		code, body := curl(t, "--digest", "-u", f.yealinkUser+":"+f.yealPW, "-H", "If-None-Match: "+m[1], g.https+yfile)
		if code != http.StatusNotModified || body != "" {
			t.Errorf("If-None-Match: %d %q, want 304 and no body", code, body)
		}
	})

	t.Run("ok/audit-trail", func(t *testing.T) {
		want := []string{`"user_agent":"` + yealinkUA, `"result":"ok"`, `"result":"unauthorized"`, `"ip":"127.0.0.10"`, `"file":"` + yealinkMAC + `.cfg"`}
		var raw string
		missing := func() []string {
			_, out := g.apiCall(t, "GET", "/api/v1/devices/"+yealinkMAC+"?fetches=100", nil)
			raw = compact(out["fetches"])
			var m []string
			for _, s := range want {
				if !strings.Contains(raw, s) {
					m = append(m, s)
				}
			}
			return m
		}
		// The trail is written in batches off the request path.
		deadline := time.Now().Add(5 * time.Second)
		for len(missing()) > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if m := missing(); len(m) > 0 {
			t.Errorf("fetches lack %v: %s", m, raw)
		}
		_, dev := g.apiCall(t, "GET", "/api/v1/devices/"+yealinkMAC, nil)
		if strings.Contains(compact(dev), f.yealPW) {
			t.Errorf("GET device shows its HTTP password")
		}
	})

	t.Run("ok/events-counted", func(t *testing.T) {
		if n := g.metric(t, `pbxgate_security_events_total{context="provisioning",kind="unknown_mac"}`); n < 1 {
			t.Errorf("unknown_mac events = %v", n)
		}
		if n := g.metric(t, `pbxgate_security_events_total{context="provisioning",kind="auth_failure"}`); n < 3 {
			t.Errorf("auth_failure events = %v", n)
		}
	})
}

// TestProvisioningSame401: without valid credentials a known and an
// unknown MAC get the same answer, byte for byte but for the nonce and
// the date.
func TestProvisioningSame401(t *testing.T) {
	f := provisioningFixture(t)
	norm := regexp.MustCompile(`(?mi)^(Date: .*|.*nonce="[^"]*".*)$`)
	nonce := regexp.MustCompile(`nonce="[^"]*"`)
	head := func(url string, extra ...string) string {
		args := append([]string{"-sS", "-k", "-i", "-A", yealinkUA}, extra...)
		out, err := exec.Command("curl", append(args, url)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(out), "\r\n", "\n")
		s = norm.ReplaceAllStringFunc(s, func(l string) string {
			if strings.HasPrefix(strings.ToLower(l), "date:") {
				return "Date: D"
			}
			return nonce.ReplaceAllString(l, `nonce="N"`)
		})
		lines := strings.Split(s, "\n")
		sort.Strings(lines[1:])
		return strings.Join(lines, "\n")
	}
	for _, creds := range [][]string{nil, {"--basic", "-u", "dev-001565ffffff:guess"}, {"--basic", "-u", f.yealinkUser + ":guess"}} {
		for _, base := range []string{f.g.http, f.g.https} {
			known := head(base+"/provision/"+yealinkMAC+".cfg", creds...)
			unknown := head(base+"/provision/001565ffffff.cfg", creds...)
			if status, _, _ := strings.Cut(known, "\n"); !strings.HasPrefix(status, "HTTP/") || !strings.Contains(status, " 401") {
				t.Fatalf("known MAC: %s", known)
			}
			if known != unknown {
				t.Errorf("%v: known and unknown MAC answers differ:\n%s\n---\n%s", creds, known, unknown)
			}
		}
	}
}

// TestProvisioningRotation: after a rotation the old credentials are
// refused and the new ones work, over the real store.
func TestProvisioningRotation(t *testing.T) {
	f := provisioningFixture(t)
	g := f.g
	url := g.https + "/provision/" + yealinkMAC + ".cfg"
	if code, _ := curl(t, "--digest", "-u", f.yealinkUser+":"+f.yealPW, url); code != 200 {
		t.Fatalf("before rotation: %d", code)
	}
	code, out := g.apiCall(t, "POST", "/api/v1/devices/"+yealinkMAC+"/rotate-credentials", nil)
	newPW, _ := out["http_password"].(string)
	if code != 200 || newPW == "" || newPW == f.yealPW {
		t.Fatalf("rotate = %d %s", code, compact(out))
	}
	if code, _ := curl(t, "--digest", "-u", f.yealinkUser+":"+f.yealPW, url); code != 401 {
		t.Errorf("old password after rotation: %d, want 401", code)
	}
	code, body := curl(t, "--digest", "-u", f.yealinkUser+":"+newPW, url)
	if code != 200 || !strings.Contains(body, newPW) {
		t.Errorf("new password: %d, file holds it: %v", code, strings.Contains(body, newPW))
	}
}

// TestProvisioningEveryVendor: a device of one model of every vendor
// fetches every file its phone requests, with curl and the vendor's
// User-Agent: common files without credentials and without any secret,
// device files only with the device's credentials (Digest), the dummy
// address replaced everywhere.
func TestProvisioningEveryVendor(t *testing.T) {
	f := provisioningFixture(t)
	g := f.g
	devices := []struct{ model, mac, ua string }{
		{"yealink/t54w", "805ec0000001", "Yealink SIP-T54W 96.86.0.70 80:5e:c0:00:00:01"},
		{"polycom/vvx501", "64167f000002", "FileTransport PolycomVVX-VVX_501-UA/6.4.3.5018 Type/Application"},
		{"snom/d785", "000413000003", "Mozilla/4.0 (compatible; snomD785-SIP 10.1.54.13 1.1.5-IFX-05.01.12 000413000003)"},
		{"grandstream/gxp2170", "c074ad000004", "Grandstream Model HW GXP2170 SW 1.0.11.3 DevId c074ad000004"},
		{"ciscospa/spa504g", "a44c11000005", "Cisco/SPA504G-7.6.2 (A44C11000005)(CBT000000AA)"},
		{"cisco/8841", "a44c11000006", "Cisco-CP8841/11.7"},
		{"cisco/7960", "00186e000007", "Cisco-CP7960G/8.12"},
	}
	for _, dv := range devices {
		t.Run(strings.ReplaceAll(dv.model, "/", "-"), func(t *testing.T) {
			code, out := g.apiCall(t, "POST", "/api/v1/devices", map[string]any{"mac": dv.mac, "domain": "acme.pbx.example.com", "model": dv.model,
				"lines": []map[string]any{{"line": 1, "extension": "201", "label": "Alice"}}})
			if code != 201 {
				t.Fatalf("add %s: %d %s", dv.model, code, compact(out))
			}
			user, pw := out["http_username"].(string), out["http_password"].(string)
			_, models := g.apiCall(t, "GET", "/api/v1/provisioning/models", nil)
			var files []map[string]any
			for _, m := range models["models"].([]any) {
				mm := m.(map[string]any)
				if mm["model"] == dv.model {
					for _, fl := range mm["files"].([]any) {
						files = append(files, fl.(map[string]any))
					}
				}
			}
			if len(files) == 0 {
				t.Fatalf("no files listed for %s", dv.model)
			}
			sawSecret := false
			for _, fl := range files {
				name := strings.ReplaceAll(fl["name"].(string), "001565a1b2c3", dv.mac)
				name = strings.ReplaceAll(name, "001565A1B2C3", strings.ToUpper(dv.mac))
				url := g.https + "/provision/" + name
				if fl["device"] == true {
					if code, body := curl(t, "-A", dv.ua, url); code != 401 || strings.Contains(body, f.sipPW201) {
						t.Errorf("%s without credentials: %d", name, code)
					}
					code, body := curl(t, "--digest", "-u", user+":"+pw, "-A", dv.ua, url)
					if code != 200 {
						t.Errorf("%s with the device's credentials: %d %q", name, code, body)
						continue
					}
					sawSecret = sawSecret || strings.Contains(body, f.sipPW201)
					if strings.Contains(body, "1.1.1.1") {
						t.Errorf("%s still holds the dummy address 1.1.1.1", name)
					}
					continue
				}
				code, body := curl(t, "-A", dv.ua, url)
				if code != 200 || body == "" {
					t.Errorf("common %s: %d", name, code)
				}
				for _, secret := range []string{pw, f.sipPW201, f.yealPW, f.bootAcme} {
					if strings.Contains(body, secret) {
						t.Errorf("common %s holds a secret", name)
					}
				}
			}
			if !sawSecret {
				t.Errorf("no device file of %s carries line 1's SIP password", dv.model)
			}
		})
	}
}

// TestProvisioningAutoCreate: with auto_create on, an unknown phone that
// presents its tenant's bootstrap credentials from a whitelisted network
// is created from its User-Agent and gets its file; anything less gets 404.
func TestProvisioningAutoCreate(t *testing.T) {
	f := provisioningFixture(t)
	g := f.g
	if code, out := g.apiCall(t, "PUT", "/api/v1/provisioning/settings", map[string]any{"sip_server_address": "1.1.1.1", "server_hostname": "prov.pbx.example.com",
		"auto_create": map[string]any{"enabled": true, "whitelist": []string{"127.0.0.10/32"}}}); code != 200 {
		t.Fatalf("settings: %d %s", code, compact(out))
	}
	boot := "boot-acme:" + f.bootAcme
	cases := []struct {
		name, src, mac, ua string
		want               int
	}{
		{"fail/user-agent-names-another-mac", "127.0.0.10", "805ec0aaaaa1", "Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:99", 404},
		{"fail/unknown-user-agent", "127.0.0.10", "805ec0aaaaa2", "curl/8.0", 404},
		{"ok/created", "127.0.0.10", "805ec0aaaaa3", "Yealink SIP-T46S 66.86.0.15 80:5e:c0:aa:aa:a3", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := curl(t, "--interface", tc.src, "--digest", "-u", boot, "-A", tc.ua, g.http+"/provision/"+tc.mac+".cfg")
			if code != tc.want {
				t.Fatalf("status %d, want %d: %s", code, tc.want, body)
			}
			getCode, dev := g.apiCall(t, "GET", "/api/v1/devices/"+tc.mac, nil)
			if tc.want == 200 {
				if getCode != 200 || dev["model"] != "yealink/t46s" || dev["domain"] != "acme.pbx.example.com" {
					t.Errorf("created device: %d %s", getCode, compact(dev))
				}
				if !strings.Contains(body, "static.auto_provision.server.username = dev-"+tc.mac) {
					t.Errorf("the first file does not give the phone its own credentials:\n%s", body)
				}
			} else if getCode != 404 {
				t.Errorf("device created anyway: %s", compact(dev))
			}
		})
	}
}
