package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// mustParse parses YAML that must be accepted.
func mustParse(t *testing.T, yaml string) *Config {
	t.Helper()
	c, err := Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatalf("parse:\n%s\nerror: %v", yaml, err)
	}
	return c
}

// TestDefaultsSurvive checks how yaml.v3 decodes over Default(): absent keys
// keep their defaults at every depth, a given list replaces the default list.
func TestDefaultsSurvive(t *testing.T) {
	def := Default()
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c *Config)
	}{
		{"ok/empty", "", func(t *testing.T, c *Config) {
			if !sameConfig(c, def) {
				t.Errorf("empty file is not the defaults: %+v", c)
			}
		}},
		{"ok/comments-only", "# nothing\n\n# at all\n", func(t *testing.T, c *Config) {
			if !sameConfig(c, def) {
				t.Errorf("comment-only file is not the defaults")
			}
		}},
		{"ok/document-null", "~\n", func(t *testing.T, c *Config) {
			if !sameConfig(c, def) {
				t.Errorf("null document is not the defaults")
			}
		}},
		{"ok/trailing-document-marker", "data_dir: /x\n---\n", func(t *testing.T, c *Config) {
			if c.DataDir != "/x" {
				t.Errorf("DataDir = %q", c.DataDir)
			}
		}},
		{"ok/nested-partial", "contexts: {voicemail: {root: /x}}", func(t *testing.T, c *Config) {
			cm := c.Contexts.CommunicationManager
			if !cm.Enabled || !cm.RealmAuth.Enabled || cm.RealmAuth.Realm != "pbxgate" {
				t.Errorf("communication_manager lost its defaults: %+v", cm)
			}
			vm := c.Contexts.Voicemail
			if vm.Root != "/x" || vm.RealmAuth.Scheme != SchemeAny || vm.RealmAuth.Realm != "pbxgate" {
				t.Errorf("voicemail = %+v", vm)
			}
			if !reflect.DeepEqual(c.Listeners, def.Listeners) || c.HTTP != def.HTTP || c.Log != def.Log {
				t.Errorf("other sections changed")
			}
		}},
		{"ok/one-scalar-deep", "http:\n  read_timeout: 5s\n", func(t *testing.T, c *Config) {
			want := def.HTTP
			want.ReadTimeout = Duration(5 * time.Second)
			if c.HTTP != want {
				t.Errorf("HTTP = %+v, want %+v", c.HTTP, want)
			}
		}},
		{"ok/list-replaces", "listeners:\n  - name: only\n    address: \":9000\"\n", func(t *testing.T, c *Config) {
			// The item does not inherit tls: true from the default item 0.
			want := []Listener{{Name: "only", Address: ":9000"}}
			if !reflect.DeepEqual(c.Listeners, want) {
				t.Errorf("Listeners = %+v, want %+v", c.Listeners, want)
			}
		}},
		{"ok/list-replaces-users", "contexts:\n  administrator:\n    realm_auth:\n      users: [{username: a, password: b}]\n", func(t *testing.T, c *Config) {
			ra := c.Contexts.Administrator.RealmAuth
			if !ra.Enabled || len(ra.Users) != 1 || ra.Users[0] != (User{"a", "b"}) {
				t.Errorf("RealmAuth = %+v", ra)
			}
		}},
		{"ok/null-keeps-struct", "contexts:\nhttp:\n", func(t *testing.T, c *Config) {
			if !reflect.DeepEqual(c.Contexts, def.Contexts) || c.HTTP != def.HTTP {
				t.Errorf("null mapping changed the defaults")
			}
		}},
		{"ok/null-keeps-scalar", "data_dir:\ncontexts: {communication_manager: {enabled: }}\n", func(t *testing.T, c *Config) {
			if c.DataDir != def.DataDir || !c.Contexts.CommunicationManager.Enabled {
				t.Errorf("null scalar changed a default")
			}
		}},
		{"ok/null-empties-list", "listeners:\n", func(t *testing.T, c *Config) {
			if len(c.Listeners) != 0 {
				t.Errorf("Listeners = %+v, want none", c.Listeners)
			}
		}},
		{"ok/merge-key", "listeners:\n  - &a {name: a, address: \":1\", tls: true}\n  - {<<: *a, name: b, address: \":2\"}\n", func(t *testing.T, c *Config) {
			want := []Listener{{Name: "a", Address: ":1", TLS: true}, {Name: "b", Address: ":2", TLS: true}}
			if !reflect.DeepEqual(c.Listeners, want) {
				t.Errorf("Listeners = %+v, want %+v", c.Listeners, want)
			}
		}},
		{"ok/number-as-string", "contexts: {client: {realm_auth: {users: [{username: 1001, password: 0123}]}}}", func(t *testing.T, c *Config) {
			// yaml.v3 keeps the text as written for string fields.
			if u := c.Contexts.Client.RealmAuth.Users; len(u) != 1 || u[0] != (User{"1001", "0123"}) {
				t.Errorf("Users = %+v", u)
			}
		}},
		{"ok/durations", "http: {read_header_timeout: 1m30s, idle_timeout: 250ms, shutdown_timeout: 1h}", func(t *testing.T, c *Config) {
			h := c.HTTP
			if h.ReadHeaderTimeout.Std() != 90*time.Second || h.IdleTimeout.Std() != 250*time.Millisecond || h.ShutdownTimeout.Std() != time.Hour {
				t.Errorf("HTTP = %+v", h)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.yaml))
		})
	}
}

// sameConfig compares configurations, ignoring where they were read from.
func sameConfig(a, b *Config) bool {
	a, b = normalized(a), normalized(b)
	return reflect.DeepEqual(a, b)
}

// normalized is a copy of c without origin, and with empty lists nil (YAML
// cannot tell them apart).
func normalized(c *Config) *Config {
	n := c.Clone()
	n.Source, n.lines = "", nil
	nilIfEmpty := func(s *[]string) {
		if len(*s) == 0 {
			*s = nil
		}
	}
	nilIfEmpty(&n.TrustedProxies)
	nilIfEmpty(&n.ACME.CARoots)
	nilIfEmpty(&n.Guard.Allowlist)
	if len(n.Guard.Contexts) == 0 {
		n.Guard.Contexts = nil
	}
	if len(n.Listeners) == 0 {
		n.Listeners = nil
	}
	for _, name := range ContextNames {
		ctx := n.Contexts.ByName(name)
		if len(ctx.RealmAuth.Users) == 0 {
			ctx.RealmAuth.Users = nil
		}
		nilIfEmpty(&ctx.IPAccess.Whitelist)
		nilIfEmpty(&ctx.IPAccess.Blacklist)
	}
	return n
}

func TestDefaultValidates(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestPositions(t *testing.T) {
	const yaml = `# line 1
listeners:
  - name: https
    address: ":8443"
contexts:
  voicemail:
    ip_access:
      whitelist:
        - 192.0.2.1
        - 192.0.2.2
        - 192.0.2.3
  recording:
    ip_access: {blacklist: [192.0.2.9,
      192.0.2.10]}
  communication_manager:
    realm_auth:
      users:
        - username: a
          password: x
        - username: b
          password: |
            a block scalar
`
	c := mustParse(t, yaml)
	tests := []struct {
		path, want string
	}{
		{"listeners", "test.yaml:2"},
		{"listeners[0]", "test.yaml:3"},
		{"listeners[0].address", "test.yaml:4"},
		{"contexts.voicemail.ip_access.whitelist", "test.yaml:8"},
		{"contexts.voicemail.ip_access.whitelist[2]", "test.yaml:11"},
		{"contexts.recording.ip_access.blacklist[0]", "test.yaml:13"},
		{"contexts.recording.ip_access.blacklist[1]", "test.yaml:14"},
		{"contexts.communication_manager.realm_auth.users[1]", "test.yaml:20"},
		{"contexts.communication_manager.realm_auth.users[1].password", "test.yaml:21"},
		{"contexts.voicemail.ip_access.whitelist[3]", ""},
		{"data_dir", ""},
		{"contexts.administrator", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := c.Pos(tt.path); got != tt.want {
				t.Errorf("Pos(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestErrorf(t *testing.T) {
	c := mustParse(t, "listeners:\n  - name: a\n    address: \":1\"\n    tls: true\n")
	tests := []struct {
		name, path, want string
	}{
		{"ok/exact", "listeners[0].name", "test.yaml:2: listeners[0].name: bad"},
		{"ok/parent", "listeners[0].keystore.file", "test.yaml:2: listeners[0].keystore.file: bad"},
		{"ok/unknown", "log.level", "log.level: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Errorf(tt.path, "%s", "bad").Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorsSortedAndJoined(t *testing.T) {
	es := Errors{
		at("", 0, "z", "no position"),
		at("other.xml", 3, "b", "xml"),
		at("main.yaml", 9, "c", "late"),
		at("main.yaml", 2, "a", "early"),
	}
	es.sortByPos("main.yaml")
	want := "main.yaml:2: a: early\nmain.yaml:9: c: late\nother.xml:3: b: xml\nz: no position"
	if got := es.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var fe *FieldError
	if !errors.As(error(es), &fe) || fe.Path != "a" {
		t.Errorf("errors.As did not find the first FieldError: %v", fe)
	}
	if (Errors{}).err() != nil {
		t.Error("empty Errors is a non-nil error")
	}
}

func TestLoad(t *testing.T) {
	t.Run("fail/missing-file", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want ErrNotExist", err)
		}
	})
	t.Run("fail/missing-security-xml", func(t *testing.T) {
		dir := t.TempDir()
		path := writeFile(t, dir, "pbxgate.yaml", "security_xml: nope.xml\n")
		_, err := Load(path)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want ErrNotExist", err)
		}
		if err == nil || !strings.HasPrefix(err.Error(), "pbxgate.yaml:1: security_xml: ") {
			t.Errorf("err = %v, want it located", err)
		}
	})
	t.Run("ok/xml-detected", func(t *testing.T) {
		for name, data := range map[string]string{
			"bom.conf":   "\xEF\xBB\xBF<Security><SecurityContext name=\"voicemail\" enabled=\"true\"/></Security>",
			"space.yaml": "\n\n  \t<Security><SecurityContext name=\"voicemail\" enabled=\"true\"/></Security>",
		} {
			c, err := Load(writeFile(t, t.TempDir(), name, data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !c.Contexts.Voicemail.Enabled {
				t.Errorf("%s: the XML was not applied", name)
			}
		}
	})
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFieldNamesMatchWalker(t *testing.T) {
	// Every key of the Config written out by YAML() is known to the walker
	// (and round-trips), so the walker and the yaml tags cannot drift.
	out, err := Default().YAML()
	if err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, string(out))
	if !sameConfig(c, Default()) {
		t.Errorf("YAML() of the defaults does not parse back to the defaults:\n%s", out)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("YAML() of the defaults does not validate: %v\n%s", err, out)
	}
	keys := fieldNames(reflect.TypeFor[Config]())
	want := []string{"data_dir", "database", "master_domain", "trusted_proxies", "listeners", "http", "contexts", "security_xml", "log", "alarms", "acme", "guard"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}
