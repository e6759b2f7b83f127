package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds adds every file matching the patterns as a seed.
func addSeeds(f *testing.F, patterns ...string) {
	f.Helper()
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// checkErrors checks that err is a non-empty Errors list of messages.
func checkErrors(t *testing.T, err error) {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) || len(es) == 0 {
		t.Fatalf("error %T %v is not Errors", err, err)
	}
	for _, e := range es {
		if e.Msg == "" {
			t.Fatalf("empty message in %v", err)
		}
	}
}

func FuzzParseYAML(f *testing.F) {
	addSeeds(f, "testdata/*.yaml")
	f.Add([]byte("listeners: [&a {name: a, address: ':1'}, {<<: *a, name: b}]"))
	f.Add([]byte("contexts: {client: {realm_auth: {users: [{username: \"\\xff\", password: !!binary AAE=}]}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml")
		if err != nil {
			checkErrors(t, err)
			return
		}
		verr := c.Validate()
		if verr != nil {
			checkErrors(t, verr)
		}
		if _, err := c.Redacted().YAML(); err != nil {
			t.Fatalf("YAML of the redacted config: %v", err)
		}
		if verr != nil || isXML(data) {
			return
		}
		// A valid configuration written out reads back the same.
		out, err := c.YAML()
		if err != nil {
			t.Fatalf("YAML: %v", err)
		}
		back, err := Parse(out, "back.yaml")
		if err != nil {
			t.Fatalf("YAML() output does not parse: %v\n%s", err, out)
		}
		if !sameConfig(back, c) {
			t.Fatalf("round trip changed the config:\n%s", out)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("YAML() output of a valid config does not validate: %v\n%s", err, out)
		}
	})
}

func FuzzSecurityXML(f *testing.F) {
	addSeeds(f, "testdata/*.xml", "testdata/include/*.xml")
	f.Add([]byte(`<S><SecurityContext name="client" enabled="true"><IPAccess enabled="true"><WhiteList>192.0.2.1;<IP ip="2001:db8::1"/></WhiteList></IPAccess></SecurityContext></S>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sx, errs := parseSecurityXML(data, "fuzz.xml")
		if (sx == nil) == (len(errs) == 0) {
			t.Fatalf("result %v with errors %v", sx, errs)
		}
		for _, e := range errs {
			if e.Pos == "" || !strings.HasPrefix(e.Pos, "fuzz.xml:") {
				t.Fatalf("XML error without a line: %v", e)
			}
		}
		if sx == nil {
			return
		}
		for _, x := range sx.contexts {
			if !x.ok {
				t.Fatalf("context %q accepted but not applicable", x.name)
			}
			for _, l := range []*xmlList{xIP(x).white, xIP(x).black} {
				if l == nil {
					continue
				}
				for _, e := range l.entries {
					if e.s == "" || strings.ContainsAny(e.s, ",; \t\r\n") || e.line < 1 {
						t.Fatalf("bad entry %+v", e)
					}
				}
			}
		}
		c := Default()
		c.applySecurityXML(sx, "conf")
		if err := c.Validate(); err != nil {
			checkErrors(t, err)
		}
		if _, err := c.Redacted().YAML(); err != nil {
			t.Fatalf("YAML: %v", err)
		}
	})
}

// xIP returns the IPAccess of x, empty when absent.
func xIP(x *xmlContext) *xmlIP {
	if x.ip == nil {
		return &xmlIP{}
	}
	return x.ip
}
