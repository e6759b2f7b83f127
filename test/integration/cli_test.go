package integration

import (
	"fmt"
	"strings"
	"testing"
)

// TestPasswdForms: every form `pbxgate passwd` prints is accepted by the
// gateway for the scheme it is meant for.
func TestPasswdForms(t *testing.T) {
	needCurl(t)
	stdout, stderr, code := run(t, "s3cret-Pa55\n", "passwd", "--user", "ops", "--realm", "pbxgate")
	if code != 0 {
		t.Fatalf("passwd: exit %d %s", code, stderr)
	}
	if strings.Contains(stdout, "s3cret-Pa55") {
		t.Fatal("passwd printed the plaintext password")
	}
	forms := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, "#") {
			forms[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	for _, k := range []string{"bcrypt", "argon2id", "ha1-md5", "ha1-sha256"} {
		if forms[k] == "" {
			t.Fatalf("passwd output lacks %s:\n%s", k, stdout)
		}
	}
	cases := []struct {
		name, form, scheme, curlAuth string
	}{
		{"ok/bcrypt-basic", "bcrypt", "basic", "--basic"},
		{"ok/argon2id-basic", "argon2id", "basic", "--basic"},
		{"ok/ha1-sha256-digest", "ha1-sha256", "digest", "--digest"},
		{"ok/ha1-md5-basic", "ha1-md5", "any", "--basic"},
	}
	yaml := "contexts:\n"
	for i, c := range cases {
		users := fmt.Sprintf(`[{username: ops, password: %q}]`, forms[c.form])
		ctx := []string{"communication_manager", "administrator", "voicemail", "recording"}[i]
		root := ""
		if i >= 2 {
			root = fmt.Sprintf(", root: %q", t.TempDir())
		}
		yaml += fmt.Sprintf("  %s: {enabled: true%s, realm_auth: {enabled: true, scheme: %s, users: %s}}\n", ctx, root, c.scheme, users)
	}
	g := start(t, yaml)
	paths := []string{"/api/v1/health", "/admin/", "/voicemail/", "/recording/"}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, body := curl(t, c.curlAuth, "-u", "ops:s3cret-Pa55", g.https+paths[i]); code != 200 {
				t.Errorf("%s with %s: %d %s", c.form, c.curlAuth, code, body)
			}
			if code, _ := curl(t, c.curlAuth, "-u", "ops:wrong", g.https+paths[i]); code != 401 {
				t.Errorf("%s with a wrong password: %d, want 401", c.form, code)
			}
		})
	}
}
