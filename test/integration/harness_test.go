// Package integration tests pbxgate as its users meet it: the daemon runs
// in-process on loopback ports and the tests talk to it with curl from
// different loopback source addresses, with Go's TLS client, and with
// hand-made Digest responses.
package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/daemon"
)

// gw is one running daemon under test.
type gw struct {
	t       *testing.T
	d       *daemon.Daemon
	dir     string
	cfgPath string
	https   string // base URL of the IPv4 TLS listener
	http    string // base URL of the IPv4 plain listener
	https6  string
	http6   string
	pw      string
	logs    *bytes.Buffer
}

// listenersYAML binds every listener on an ephemeral loopback port.
const listenersYAML = `
listeners:
  - {name: https, address: "127.0.0.1:0", tls: true}
  - {name: http, address: "127.0.0.1:0"}
  - {name: https6, address: "[::1]:0", tls: true}
  - {name: http6, address: "[::1]:0"}
`

// start runs a daemon on the given YAML (listenersYAML is prepended unless
// the YAML has its own listeners) in a fresh data directory; opts adjust
// the daemon's options (its clock, say).
func start(t *testing.T, yaml string, opts ...func(*daemon.Options)) *gw {
	t.Helper()
	dir := t.TempDir()
	g := &gw{t: t, dir: dir, cfgPath: filepath.Join(dir, "pbxgate.yaml"), logs: new(bytes.Buffer)}
	g.writeConfig(yaml)
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: g.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o := daemon.Options{ConfigPath: g.cfgPath, DataDir: filepath.Join(dir, "data"), Log: log, Version: "test"}
	for _, f := range opts {
		f(&o)
	}
	d, err := daemon.New(o)
	if err != nil {
		t.Fatalf("daemon.New: %v", err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatalf("daemon.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := d.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", g.logs.String())
		}
	})
	g.d = d
	g.pw = d.AdminPassword()
	base := func(name, scheme string) string {
		if a := d.Addr(name); a != nil {
			return scheme + "://" + a.String()
		}
		return ""
	}
	g.https, g.http = base("https", "https"), base("http", "http")
	g.https6, g.http6 = base("https6", "https"), base("http6", "http")
	return g
}

// writeConfig writes the daemon's configuration file.
func (g *gw) writeConfig(yaml string) {
	g.t.Helper()
	// The tests of other features make many failed requests from one
	// address on purpose: they run without the guard, which guard_test.go
	// tests on its own. The line replaces the empty first line of
	// listenersYAML, so that the line numbers of errors stay the same.
	switch {
	case strings.Contains(yaml, "listeners:"):
	case strings.Contains(yaml, "guard:"):
		yaml = listenersYAML + yaml
	default:
		yaml = "guard: {enabled: false}" + listenersYAML + yaml
	}
	if err := os.WriteFile(g.cfgPath, []byte(yaml), 0o600); err != nil {
		g.t.Fatal(err)
	}
}

// curl runs curl with args and returns the HTTP status and the body.
func curl(t *testing.T, args ...string) (int, string) {
	t.Helper()
	full := append([]string{"-sS", "-k", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"}, args...)
	out, err := exec.Command("curl", full...).Output()
	if err != nil {
		var stderr string
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("curl %s: %v %s", strings.Join(args, " "), err, stderr)
	}
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	var code int
	fmt.Sscanf(s[i+1:], "%d", &code)
	return code, s[:i]
}

// client is a Go HTTP client that trusts any certificate (the daemon's is
// self-signed) and does not follow redirects.
func client() *http.Client {
	return &http.Client{
		Timeout:   20 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func get(t *testing.T, c *http.Client, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed (scripts/test installs it)")
	}
}
