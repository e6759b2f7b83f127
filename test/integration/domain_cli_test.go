package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDomainCLI: `pbxgate domain …` changes the tree in the store; the
// running gateway serves the change within seconds, without restart.
func TestDomainCLI(t *testing.T) {
	g := start(t, "master_domain: pbx.example.com\n")
	data := filepath.Join(g.dir, "data")
	args := func(a ...string) []string { return append(a, "--config", g.cfgPath, "--data", data) }
	now := time.Now()
	certFile := filepath.Join(g.dir, "t3.pem")
	if err := os.WriteFile(certFile, []byte(mergedPEM(t, "t3", []string{"t3.pbx.example.com"}, now.Add(-time.Hour), now.AddDate(1, 0, 0))), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, "", args("domain", "add", "t3.pbx.example.com", "--cert", certFile)...); code != 0 {
		t.Fatalf("domain add: %d %s", code, stderr)
	}
	if _, stderr, code := run(t, "", args("domain", "add", "a.t3.pbx.example.com")...); code != 0 {
		t.Fatalf("domain add child: %d %s", code, stderr)
	}
	// The daemon picks the change up by polling the tree's revision.
	deadline := time.Now().Add(20 * time.Second)
	for g.served(t, "a.t3.pbx.example.com") != "t3" {
		if time.Now().After(deadline) {
			t.Fatal("the running gateway never served the certificate added by the command line")
		}
		time.Sleep(100 * time.Millisecond)
	}

	stdout, _, code := run(t, "", args("domain", "list", "--json")...)
	var doc struct {
		Domains []struct {
			Name, Parent string
			Certificate  struct {
				Present bool
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != 0 {
		t.Fatalf("domain list --json: %d %v\n%s", code, err, stdout)
	}
	parents := map[string]string{}
	for _, d := range doc.Domains {
		parents[d.Name] = d.Parent
	}
	if parents["a.t3.pbx.example.com"] != "t3.pbx.example.com" || parents["t3.pbx.example.com"] != "pbx.example.com" {
		t.Errorf("parents: %v", parents)
	}
	if strings.Contains(stdout, "PRIVATE KEY") {
		t.Error("domain list prints the private key")
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"fail/bad-name", args("domain", "add", "Bad_Name.example.com"), 1, "name:"},
		{"fail/garbage-cert", args("domain", "set", "t3.pbx.example.com", "--cert", "/dev/null"), 1, "certificate_pem"},
		{"fail/rm-with-children", args("domain", "rm", "t3.pbx.example.com"), 1, "--recursive"},
		{"fail/rm-master", args("domain", "rm", "pbx.example.com"), 1, "name:"},
		{"ok/rm-recursive", args("domain", "rm", "t3.pbx.example.com", "--recursive"), 0, "removed a.t3.pbx.example.com"},
		{"fail/show-removed", args("domain", "show", "t3.pbx.example.com"), 1, "no such domain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.contains) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s%s", code, tc.code, tc.contains, stdout, stderr)
			}
		})
	}
}
