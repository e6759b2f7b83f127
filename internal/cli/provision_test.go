package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

// The tests run against the real vendors the daemon package registers.
const (
	testTenant = "t1.example.com"
	testModel  = "yealink/t46s"
	testMAC    = "001565a1b2c3"
	// extPW is the password given to extension 101; it may show only in
	// the answer to its add.
	extPW = "Sip-Secret-101"
)

// provStep is one run of the command line against the data directory its
// test shares between steps.
type provStep struct {
	name  string
	stdin string
	// args are the command line; --data DIR is appended unless noData.
	args     []string
	noData   bool
	wantCode int
	// wantOut and wantErr are substrings of standard output and error.
	wantOut, wantErr []string
	// secretOK names the secrets this step may print: those its write
	// made. Every other secret seen so far must not show.
	secretOK []string
	// setup runs before the command, on the data directory.
	setup func(t *testing.T, dir string)
	// check looks further at the result; it may record secrets in s.
	check func(t *testing.T, s provSecrets, r cliResult)
}

// provSecrets are the secrets the steps have seen, by name.
type provSecrets map[string]string

// runSteps runs the steps in order on a fresh data directory holding the
// tenant testTenant.
func runSteps(t *testing.T, steps []provStep) {
	t.Helper()
	dir := t.TempDir()
	if r := runCLI(t, "", "domain", "add", testTenant, "--data", dir); r.code != 0 {
		t.Fatalf("domain add: exit status %d\n%s", r.code, r.stderr)
	}
	secrets := provSecrets{"ext-101": extPW}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.setup != nil {
				st.setup(t, dir)
			}
			args := st.args
			if !st.noData {
				args = append(append([]string(nil), args...), "--data", dir)
			}
			r := runCLI(t, st.stdin, args...)
			if r.code != st.wantCode {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, st.wantCode, r.stdout, r.stderr)
			}
			for _, s := range st.wantOut {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout does not contain %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range st.wantErr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr does not contain %q:\n%s", s, r.stderr)
				}
			}
			if st.check != nil {
				st.check(t, secrets, r)
			}
			for name, secret := range secrets {
				if secret == "" || slices.Contains(st.secretOK, name) {
					continue
				}
				if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
					t.Errorf("the output shows the secret %s:\nstdout:\n%s\nstderr:\n%s", name, r.stdout, r.stderr)
				}
			}
		})
	}
}

// decodeJSON decodes standard output into a map.
func decodeJSON(t *testing.T, r cliResult) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, r.stdout)
	}
	return m
}

// record keeps the string at key of the JSON answer as secret name; it
// fails when the key is missing or empty.
func record(name, key string) func(*testing.T, provSecrets, cliResult) {
	return func(t *testing.T, s provSecrets, r cliResult) {
		t.Helper()
		m := decodeJSON(t, r)
		v, _ := m[key].(string)
		if v == "" {
			t.Fatalf("no %s in the answer:\n%s", key, r.stdout)
		}
		if old := s[name]; old == v {
			t.Errorf("%s did not change", name)
		}
		s[name] = v
	}
}

// noKey fails when key shows anywhere in the JSON answer.
func noKey(key string) func(*testing.T, provSecrets, cliResult) {
	return func(t *testing.T, _ provSecrets, r cliResult) {
		t.Helper()
		decodeJSON(t, r)
		if strings.Contains(r.stdout, `"`+key+`"`) {
			t.Errorf("the answer has %q:\n%s", key, r.stdout)
		}
	}
}

// recordFetches writes two fetches of testMAC to the audit trail, as the
// provisioning server does, the second a minute after the first.
func recordFetches(t *testing.T, dir string) {
	t.Helper()
	db, err := store.Open(t.Context(), "", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = db.RecordFetches(t.Context(), []store.Fetch{
		{MAC: testMAC, Time: at, IP: "192.0.2.7", UserAgent: "Yealink SIP-T46S", File: "y000000000066.cfg", Result: "ok"},
		{MAC: testMAC, Time: at.Add(time.Minute), IP: "192.0.2.7", UserAgent: "Yealink SIP-T46S", File: testMAC + ".cfg", Result: "unauthorized"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestProvisioningCommands(t *testing.T) {
	tpl := `{"name": "default", "domain": "localhost", "model": "` + testModel + `", "settings": {"language": "fr", "tones": "FR"}}`
	settings := `{"sip_server_address": "sip.example.com", "tftp_server_address": "192.0.2.10", "server_hostname": "prov.example.com",
		"auto_create": {"enabled": true, "whitelist": ["10.0.0.0/8"]}, "unprovisioned_pin": "4321"}`
	runSteps(t, []provStep{
		{name: "ok/extension-add-generated", args: []string{"extension", "add", testTenant, "100", "--display-name", "Alice", "--json"},
			wantOut: []string{`"number": "100"`, `"auth_username": "100"`, `"display_name": "Alice"`}, secretOK: []string{"ext-100"},
			check: record("ext-100", "password")},
		{name: "ok/extension-add-given", args: []string{"extension", "add", testTenant, "101", "--auth-username", "u101", "--password", extPW},
			wantOut: []string{"number:        101", "auth username: u101", "password:      " + extPW}, secretOK: []string{"ext-101"}},
		{name: "ok/extension-list", args: []string{"extension", "list", testTenant},
			wantOut: []string{"NUMBER", "100     Alice", "101     -"}},
		{name: "ok/extension-list-json", args: []string{"extension", "list", testTenant, "--json"},
			wantOut: []string{`"extensions"`, `"number": "101"`}, check: noKey("password")},
		{name: "ok/device-add-lines", args: []string{"device", "add", "00:15:65:A1:B2:C3", "--domain", testTenant, "--model", testModel,
			"--label", "Desk", "--line", "1=100:Reception", "--line", "2=101", "--json"},
			wantOut:  []string{`"mac": "` + testMAC + `"`, `"http_username": "dev-` + testMAC + `"`, `"label": "Reception"`, `"extension": "101"`},
			secretOK: []string{"dev"}, check: record("dev", "http_password")},
		{name: "ok/device-add-file", stdin: `{"mac": "0015.65a1.b2c4", "domain": "` + testTenant + `", "model": "` + testModel + `", "lines": [{"line": 1, "extension": "101"}]}`,
			args: []string{"device", "add", "--file", "-"}, wantOut: []string{"mac:           001565a1b2c4", "line 1:        101", "http password: "},
			check: func(t *testing.T, _ provSecrets, r cliResult) {
				if strings.Contains(r.stdout, "http password: (set)") {
					t.Errorf("the answer to add does not show the password:\n%s", r.stdout)
				}
			}},
		{name: "ok/device-list", args: []string{"device", "list", "--domain", testTenant},
			wantOut: []string{"MAC", testMAC + "  " + testTenant, "1=100 2=101", "001565a1b2c4"}},
		{name: "ok/device-list-json", args: []string{"device", "list", "--json"}, wantOut: []string{`"devices"`}, check: noKey("http_password")},
		{name: "ok/device-show", args: []string{"device", "show", "00-15-65-a1-b2-c3"},
			wantOut: []string{"mac:           " + testMAC, "label:         Desk", `line 1:        100 (label "Reception")`, "http password: (set)", "fetches:       none"}},
		{name: "ok/device-show-json", args: []string{"device", "show", testMAC, "--fetches", "5", "--json"},
			wantOut: []string{`"http_username": "dev-` + testMAC + `"`}, check: noKey("http_password")},
		{name: "ok/device-show-fetches", setup: recordFetches, args: []string{"device", "show", testMAC},
			wantOut: []string{"fetches:\n", "TIME", "2026-01-02T03:05:05Z  192.0.2.7  " + testMAC + ".cfg", "unauthorized", "Yealink SIP-T46S"},
			check: func(t *testing.T, _ provSecrets, r cliResult) {
				if newest, oldest := strings.Index(r.stdout, testMAC+".cfg"), strings.Index(r.stdout, "y000000000066.cfg"); oldest < newest {
					t.Errorf("the fetches are not newest first:\n%s", r.stdout)
				}
			}},
		{name: "ok/device-show-last-fetch", args: []string{"device", "show", testMAC, "--fetches", "1", "--json"},
			check: func(t *testing.T, _ provSecrets, r cliResult) {
				fetches, _ := decodeJSON(t, r)["fetches"].([]any)
				if len(fetches) != 1 || !strings.Contains(r.stdout, `"result": "unauthorized"`) {
					t.Errorf("want the newest fetch only:\n%s", r.stdout)
				}
			}},
		{name: "ok/device-set", stdin: `{"domain": "` + testTenant + `", "model": "` + testModel + `", "label": "Hall", "lines": [{"line": 3, "extension": "100"}], "settings": {"language": "de"}}`,
			args: []string{"device", "set", testMAC, "--file", "-", "--json"}, wantOut: []string{`"label": "Hall"`, `"line": 3`, `"language": "de"`}, check: noKey("http_password")},
		{name: "ok/device-rotate", args: []string{"device", "rotate", testMAC, "--json"}, wantOut: []string{`"http_username": "dev-` + testMAC + `"`},
			secretOK: []string{"dev"}, check: record("dev", "http_password")},
		{name: "ok/device-show-after-rotate", args: []string{"device", "show", testMAC}, wantOut: []string{"http password: (set)", "label:         Hall"}},
		{name: "fail/extension-in-use", args: []string{"extension", "rm", testTenant, "100"}, wantCode: 1, wantErr: []string{"number: line of device " + testMAC + " uses it"}},
		{name: "ok/device-rm", args: []string{"device", "rm", testMAC}, wantOut: []string{"removed " + testMAC}},
		{name: "fail/device-show-removed", args: []string{"device", "show", testMAC}, wantCode: 1, wantErr: []string{"no such device"}},
		{name: "ok/extension-rm", args: []string{"extension", "rm", testTenant, "100"}, wantOut: []string{"removed 100"}},
		{name: "fail/extension-rm-again", args: []string{"extension", "rm", testTenant, "100"}, wantCode: 1, wantErr: []string{"no such extension"}},

		{name: "ok/template-put", stdin: tpl, args: []string{"template", "put", "--file", "-"},
			wantOut: []string{"name:     default", "domain:   localhost", "model:    " + testModel, `"language":"fr"`}},
		{name: "ok/template-list", args: []string{"template", "list"}, wantOut: []string{"DOMAIN", "localhost  " + testModel + "  default"}},
		{name: "ok/template-list-json", args: []string{"template", "list", "--domain", "localhost", "--json"}, wantOut: []string{`"templates"`, `"tones": "FR"`}},
		{name: "ok/template-list-other-domain", args: []string{"template", "list", "--domain", testTenant, "--json"}, wantOut: []string{`"templates": []`}},
		{name: "ok/template-rm", args: []string{"template", "rm", "localhost", testModel, "default"}, wantOut: []string{"removed localhost " + testModel + " default"}},
		{name: "fail/template-rm-again", args: []string{"template", "rm", "localhost", testModel, "default"}, wantCode: 1, wantErr: []string{"no such template"}},

		{name: "ok/ipdns-add", args: []string{"ipdns", "add", testTenant, "192.0.2.1", "pbx.example.com"}, wantOut: []string{testTenant + ": 192.0.2.1 -> pbx.example.com"}},
		{name: "ok/ipdns-add-master", args: []string{"ipdns", "add", "localhost", "192.0.2.2", "sbc.example.com", "--json"}, wantOut: []string{`"fqdn": "sbc.example.com"`}},
		{name: "fail/ipdns-add-twice", args: []string{"ipdns", "add", testTenant, "192.0.2.1", "other.example.com"}, wantCode: 1, wantErr: []string{"the IP/DNS mapping exists"}},
		{name: "ok/ipdns-list", args: []string{"ipdns", "list"}, wantOut: []string{"localhost", "192.0.2.2", testTenant, "pbx.example.com"}},
		{name: "ok/ipdns-list-domain", args: []string{"ipdns", "list", "--domain", testTenant, "--json"},
			check: func(t *testing.T, _ provSecrets, r cliResult) {
				if list, _ := decodeJSON(t, r)["ipdns"].([]any); len(list) != 1 {
					t.Errorf("want one mapping:\n%s", r.stdout)
				}
			}},
		{name: "ok/ipdns-rm", args: []string{"ipdns", "rm", testTenant, "192.0.2.1"}, wantOut: []string{"removed " + testTenant + " 192.0.2.1"}},
		{name: "fail/ipdns-rm-again", args: []string{"ipdns", "rm", testTenant, "192.0.2.1"}, wantCode: 1, wantErr: []string{"no such IP/DNS mapping"}},

		{name: "ok/settings-empty", args: []string{"provisioning", "settings"}, wantOut: []string{"sip server address:  -", "auto create:         off"}},
		{name: "ok/settings-put", stdin: settings, args: []string{"provisioning", "settings", "--file", "-"},
			wantOut: []string{"sip server address:  sip.example.com", "auto create from:    10.0.0.0/8", "unprovisioned pin:   4321"}},
		{name: "ok/settings-show", args: []string{"provisioning", "settings", "--json"},
			check: func(t *testing.T, _ provSecrets, r cliResult) {
				var got, want map[string]any
				_ = json.Unmarshal([]byte(settings), &want)
				got = decodeJSON(t, r)
				gb, _ := json.Marshal(got)
				wb, _ := json.Marshal(want)
				if string(gb) != string(wb) {
					t.Errorf("settings did not round-trip:\n got %s\nwant %s", gb, wb)
				}
			}},
		{name: "ok/tenant-empty", args: []string{"provisioning", "tenant", testTenant}, wantOut: []string{"bootstrap username: -", "lock bootstrap:     false"}},
		{name: "ok/tenant-put", stdin: `{"bootstrap": {"username": "boot-t1"}, "allow": ["192.0.2.0/24"], "lock_bootstrap": true}`,
			args: []string{"provisioning", "tenant", testTenant, "--file", "-", "--json"}, wantOut: []string{`"username": "boot-t1"`, `"lock_bootstrap": true`},
			secretOK: []string{"bootstrap"}, check: func(t *testing.T, s provSecrets, r cliResult) {
				b, _ := decodeJSON(t, r)["bootstrap"].(map[string]any)
				pw, _ := b["password"].(string)
				if len(pw) < 12 {
					t.Fatalf("no generated bootstrap password:\n%s", r.stdout)
				}
				s["bootstrap"] = pw
			}},
		{name: "ok/tenant-show", args: []string{"provisioning", "tenant", testTenant},
			wantOut: []string{"bootstrap username: boot-t1", "bootstrap password: (set)", "allow:              192.0.2.0/24", "lock bootstrap:     true"}},
		{name: "ok/tenant-show-json", args: []string{"provisioning", "tenant", testTenant, "--json"}, wantOut: []string{`"password": "(set)"`, `"domain": "` + testTenant + `"`}},
		{name: "ok/models", args: []string{"provisioning", "models"}, noData: true, wantOut: []string{"MODEL", testModel, "SIP-T46S"}},
		{name: "ok/models-json", args: []string{"provisioning", "models", "--json"}, noData: true, wantOut: []string{`"model": "` + testModel + `"`, `"lines": 16`}},
	})
}

func TestProvisioningErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantErr  []string
	}{
		{"fail/device-bad-mac", "", []string{"device", "add", "00:15:65", "--domain", testTenant, "--model", testModel}, 1, []string{`mac: "00:15:65" is not a MAC address`}},
		{"fail/device-show-bad-mac", "", []string{"device", "show", "xyz"}, 1, []string{`mac: "xyz" is not a MAC address`}},
		{"fail/device-unknown-extension", "", []string{"device", "add", testMAC, "--domain", testTenant, "--model", testModel, "--line", "1=999"}, 1,
			[]string{`lines[0].extension: "999" is not an extension of ` + testTenant}},
		{"fail/device-several-fields", "", []string{"device", "add", testMAC, "--domain", testTenant, "--model", "nokia/3310", "--line", "0=100"}, 1,
			[]string{`model: "nokia/3310" is not a supported vendor/model`, "\nlines[0].line: 0 is not a line"}},
		{"fail/device-master-domain", "", []string{"device", "add", testMAC, "--domain", "localhost", "--model", testModel}, 1,
			[]string{`domain: "localhost" is the master domain`}},
		{"fail/device-bad-line-flag", "", []string{"device", "add", testMAC, "--domain", testTenant, "--model", testModel, "--line", "one=100"}, 2,
			[]string{`--line "one=100": want N=EXTENSION[:LABEL]`}},
		{"fail/device-file-and-flags", "{}", []string{"device", "add", "--file", "-", "--domain", testTenant}, 2, []string{"--file and --domain exclude each other"}},
		{"fail/device-no-mac", "", []string{"device", "add", "--domain", testTenant}, 2, []string{"give the MAC address"}},
		{"fail/device-file-unknown-field", `{"mac": "` + testMAC + `", "colour": "red"}`, []string{"device", "add", "--file", "-"}, 1, []string{`invalid JSON: json: unknown field "colour"`}},
		{"fail/device-file-two-values", `{} {}`, []string{"device", "add", "--file", "-"}, 1, []string{"invalid JSON: more than one value"}},
		{"fail/device-set-unknown", `{}`, []string{"device", "set", testMAC, "--file", "-"}, 1, []string{"no such device"}},
		{"fail/device-rotate-unknown", "", []string{"device", "rotate", testMAC}, 1, []string{"no such device"}},
		{"fail/device-show-fetches", "", []string{"device", "show", testMAC, "--fetches", "0"}, 2, []string{"--fetches: 0 is not between 1 and 1000"}},
		{"fail/extension-master-domain", "", []string{"extension", "add", "localhost", "100"}, 1, []string{`domain: "localhost" is the master domain`}},
		{"fail/extension-unknown-domain", "", []string{"extension", "add", "nowhere.example.com", "100"}, 1, []string{`domain: "nowhere.example.com" is not a domain of the tree`}},
		{"fail/extension-short-password", "", []string{"extension", "add", testTenant, "100", "--password", "short"}, 1, []string{"password: must be 8 to 128 characters"}},
		{"fail/extension-bad-number", "", []string{"extension", "add", testTenant, "1 0"}, 1, []string{`number: "1 0" is not an extension number`}},
		{"fail/tenant-master-domain", `{"allow": []}`, []string{"provisioning", "tenant", "localhost", "--file", "-"}, 1, []string{`domain: "localhost" is the master domain`}},
		{"fail/tenant-bad-allow", `{"allow": ["10.0.0.300"]}`, []string{"provisioning", "tenant", testTenant, "--file", "-"}, 1, []string{`allow[0]: "10.0.0.300" is not an IP address or CIDR`}},
		{"fail/settings-auto-create", `{"auto_create": {"enabled": true}}`, []string{"provisioning", "settings", "--file", "-"}, 1, []string{"auto_create.whitelist: required"}},
		{"fail/template-bad", `{"name": "a b", "domain": "localhost", "model": "` + testModel + `"}`, []string{"template", "put", "--file", "-"}, 1, []string{`name: "a b" is not a template name`}},
		{"fail/template-no-file", "", []string{"template", "put"}, 1, []string{`required flag(s) "file" not set`}},
		{"fail/ipdns-bad-ip", "", []string{"ipdns", "add", testTenant, "192.0.2.300", "pbx.example.com"}, 1, []string{`ip: "192.0.2.300" is not an IP address`}},
		{"fail/missing-file", "", []string{"template", "put", "--file", "does-not-exist.json"}, 1, []string{"does-not-exist.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, args := range [][]string{{"domain", "add", testTenant}, {"extension", "add", testTenant, "100"}} {
				if r := runCLI(t, "", append(args, "--data", dir)...); r.code != 0 {
					t.Fatalf("%s: exit status %d\n%s", args, r.code, r.stderr)
				}
			}
			r := runCLI(t, tc.stdin, append(tc.args, "--data", dir)...)
			if r.code != tc.wantCode {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr does not contain %q:\n%s", s, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
		})
	}
}
