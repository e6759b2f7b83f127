package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/daemon"
)

const guardYAML = `
trusted_proxies: ["127.0.0.2"]
guard:
  max_retry: 5
  unknown_mac_max: 10
  allowlist: ["127.0.0.11"]
  log_file: guard.log
  sweep: {sources: 20, window: 10m, tight_max: 1, hold: 1h}
`

// sourceClient is an HTTP client whose connections come from src.
func sourceClient(src string, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
	}}
}

// refusedAtAccept tells whether a new connection from src is closed before
// it gets any answer.
func refusedAtAccept(t *testing.T, src, base string) bool {
	t.Helper()
	c := sourceClient(src, 1)
	defer c.CloseIdleConnections()
	resp, err := c.Get(base + "/provision/y000000000066.cfg")
	if err != nil {
		return true
	}
	resp.Body.Close()
	return false
}

// TestGuardScanner: a scanner asking for random MACs of one OUI at full
// speed gets no file and is refused at accept after unknown_mac_max misses,
// while a phone fetching its file with its credentials never fails; the
// ban survives a restart.
func TestGuardScanner(t *testing.T) {
	f := provisioningFixtureYAML(t, guardYAML)
	g := f.g
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()

	var phoneOK, phoneFail atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		c := sourceClient("127.0.0.10", 1)
		for ctx.Err() == nil {
			code, body := digestGet(t, c, g.http+"/provision/"+yealinkMAC+".cfg", f.yealinkUser, f.yealPW)
			if code == 200 && strings.Contains(body, f.sipPW201) {
				phoneOK.Add(1)
			} else if ctx.Err() == nil {
				phoneFail.Add(1)
			}
		}
	})
	var unauthorized, forbidden, files, netErrs atomic.Int64
	const scanners = 4
	for range scanners {
		wg.Go(func() {
			c := sourceClient("127.0.0.9", scanners)
			for ctx.Err() == nil {
				mac := fmt.Sprintf("001565%06x", rand.IntN(1<<24))
				resp, err := c.Get(g.http + "/provision/" + mac + ".cfg")
				if err != nil {
					netErrs.Add(1)
					continue
				}
				switch resp.StatusCode {
				case 401:
					unauthorized.Add(1)
				case 403:
					forbidden.Add(1)
				case 200:
					files.Add(1)
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	t.Logf("scanner: %d unauthorized, %d forbidden, %d refused; phone: %d ok, %d failed",
		unauthorized.Load(), forbidden.Load(), netErrs.Load(), phoneOK.Load(), phoneFail.Load())
	if files.Load() != 0 {
		t.Errorf("the scanner got %d files", files.Load())
	}
	// Requests already past the ban check when it fell may still be
	// answered 401: at most one per scanner connection.
	if n := unauthorized.Load(); n > 10+scanners {
		t.Errorf("the scanner got %d answers before the ban, want at most %d", n, 10+scanners)
	}
	if netErrs.Load() == 0 && forbidden.Load() == 0 {
		t.Error("the scanner was never stopped")
	}
	if phoneFail.Load() != 0 || phoneOK.Load() == 0 {
		t.Errorf("phone: %d ok, %d failed", phoneOK.Load(), phoneFail.Load())
	}
	if !refusedAtAccept(t, "127.0.0.9", g.http) {
		t.Error("a new connection of the banned scanner was accepted")
	}
	if refusedAtAccept(t, "127.0.0.10", g.http) {
		t.Error("the phone's address was refused")
	}
	_, list := g.apiCall(t, "GET", "/api/v1/bans", nil)
	if !strings.Contains(compact(list), `"ip":"127.0.0.9"`) {
		t.Errorf("bans: %s", compact(list))
	}
	logText, _ := os.ReadFile(filepath.Join(g.dir, "data", "guard.log"))
	if !strings.Contains(string(logText), "pbxgate-guard: ban ip=127.0.0.9 ") || !strings.Contains(string(logText), "event=unknown_mac context=provisioning ip=127.0.0.9") {
		t.Errorf("guard log lacks the ban or the events:\n%.2000s", logText)
	}

	// The fail2ban filter of docs/ reads the log: one ban, many events.
	for _, tc := range []struct {
		mode string
		min  int
	}{{"", 1}, {"[mode=events]", 10}} {
		out, err := exec.Command("fail2ban-regex", filepath.Join(g.dir, "data", "guard.log"), "../../docs/fail2ban/pbxgate.conf"+tc.mode).CombinedOutput()
		if err != nil {
			t.Fatalf("fail2ban-regex%s: %v\n%s", tc.mode, err, out)
		}
		m := regexp.MustCompile(`Failregex: (\d+) total`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("fail2ban-regex%s: %s", tc.mode, out)
		}
		if n, _ := strconv.Atoi(string(m[1])); n < tc.min || tc.mode == "" && n != 1 {
			t.Errorf("fail2ban-regex%s matched %d lines, want %d or more (exactly 1 ban)", tc.mode, n, tc.min)
		}
	}

	// A restart on the same data directory keeps the ban.
	ctxStop, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := g.d.Shutdown(ctxStop); err != nil {
		t.Fatal(err)
	}
	d2, err := daemon.New(daemon.Options{ConfigPath: g.cfgPath, DataDir: filepath.Join(g.dir, "data"), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d2.Shutdown(context.Background()) }()
	base := "http://" + d2.Addr("http").String()
	if !refusedAtAccept(t, "127.0.0.9", base) {
		t.Error("the ban did not survive the restart")
	}
	if refusedAtAccept(t, "127.0.0.10", base) {
		t.Error("the phone is refused after the restart")
	}
}

// digestGet fetches url with Digest credentials (one challenge, one
// answer), as a phone does.
func digestGet(t *testing.T, c *http.Client, url, user, pw string) (int, string) {
	t.Helper()
	d := newDigest(t, c, url)
	resp, body := d.doBody(t, c, user, pw, "MD5", 1)
	return resp.StatusCode, body
}

// TestGuardSweep: many sources with a few unknown MACs each trip the OUI
// alarm, and then the next source is banned after tight_max misses.
func TestGuardSweep(t *testing.T) {
	f := provisioningFixtureYAML(t, guardYAML)
	g := f.g
	for i := range 25 {
		c := sourceClient(fmt.Sprintf("127.0.1.%d", i+1), 1)
		resp, err := c.Get(fmt.Sprintf("%s/provision/001565%06x.cfg", g.http, 0x100000+i))
		if err != nil {
			t.Fatalf("source %d: %v", i, err)
		}
		resp.Body.Close()
		c.CloseIdleConnections()
	}
	waitFor(t, 5*time.Second, "provisioning_scan alarm", func() bool {
		return g.alarm(t, "provisioning_scan", "001565") != ""
	})
	// Another OUI is not tightened: 3 misses from a fresh source pass.
	other := sourceClient("127.0.2.1", 1)
	for i := range 3 {
		resp, err := other.Get(fmt.Sprintf("%s/provision/805ec0%06x.cfg", g.http, i))
		if err != nil || resp.StatusCode != 401 {
			t.Fatalf("other OUI, miss %d: %v", i, err)
		}
		resp.Body.Close()
	}
	// The swept OUI is: the second miss from a fresh source bans it.
	src := "127.0.2.2"
	c := sourceClient(src, 1)
	for i := range 2 {
		resp, err := c.Get(fmt.Sprintf("%s/provision/001565%06x.cfg", g.http, 0x200000+i))
		if err == nil {
			resp.Body.Close()
		}
	}
	if !refusedAtAccept(t, src, g.http) {
		t.Error("a new source was not banned after tight_max misses during the sweep")
	}
	// A known device with valid credentials is never affected.
	if code, _ := digestGet(t, sourceClient("127.0.2.3", 1), g.http+"/provision/"+yealinkMAC+".cfg", f.yealinkUser, f.yealPW); code != 200 {
		t.Errorf("the known phone got %d during the sweep", code)
	}
}

// TestGuardBansAPIAndCLI: bans made and lifted by the API and the command
// line, a banned client behind a trusted proxy answered 403, and the
// allowlist winning.
func TestGuardBansAPIAndCLI(t *testing.T) {
	f := provisioningFixtureYAML(t, guardYAML)
	g := f.g
	if code, out := g.apiCall(t, "POST", "/api/v1/bans", map[string]any{"ip": "198.51.100.7", "duration": "1h", "reason": "test"}); code != 201 {
		t.Fatalf("POST ban: %d %s", code, compact(out))
	}
	code, _ := curl(t, "--interface", "127.0.0.2", "-H", "X-Forwarded-For: 198.51.100.7", g.http+"/provision/y000000000066.cfg")
	if code != 403 {
		t.Errorf("banned client behind the trusted proxy: %d, want 403", code)
	}
	if code, _ := curl(t, "--interface", "127.0.0.2", g.http+"/provision/y000000000066.cfg"); code != 200 {
		t.Errorf("the proxy itself: %d, want 200", code)
	}
	if code, _ := g.apiCall(t, "POST", "/api/v1/bans", map[string]any{"ip": "127.0.0.11"}); code != 409 {
		t.Errorf("ban of an allowlisted address: %d, want 409", code)
	}
	for i := range 30 {
		if code, _ := curl(t, "--interface", "127.0.0.11", fmt.Sprintf("%s/provision/001565%06x.cfg", g.http, i)); code != 401 {
			t.Fatalf("allowlisted scanner, request %d: %d", i, code)
		}
	}
	if code, _ := g.apiCall(t, "DELETE", "/api/v1/bans/198.51.100.7", nil); code != 204 {
		t.Errorf("DELETE ban: %d", code)
	}
	if code, _ := curl(t, "--interface", "127.0.0.2", "-H", "X-Forwarded-For: 198.51.100.7", g.http+"/provision/y000000000066.cfg"); code != 200 {
		t.Errorf("after the ban was lifted: %d", code)
	}

	// The command line, on the same store: the gateway follows.
	data := filepath.Join(g.dir, "data")
	if out, errOut, code := run(t, "", "ban", "add", "127.0.0.77", "--duration", "1h", "--config", g.cfgPath, "--data", data); code != 0 {
		t.Fatalf("ban add: %d %s %s", code, out, errOut)
	}
	waitFor(t, 5*time.Second, "the CLI ban applied", func() bool { return refusedAtAccept(t, "127.0.0.77", g.http) })
	if out, _, _ := run(t, "", "ban", "list", "--config", g.cfgPath, "--data", data); !strings.Contains(out, "127.0.0.77") {
		t.Errorf("ban list: %s", out)
	}
	if _, errOut, code := run(t, "", "ban", "add", "127.0.0.11", "--config", g.cfgPath, "--data", data); code != 1 || !strings.Contains(errOut, "allowlist") {
		t.Errorf("ban add of an allowlisted address: %d %s", code, errOut)
	}
	if out, errOut, code := run(t, "", "ban", "rm", "127.0.0.77", "--config", g.cfgPath, "--data", data); code != 0 {
		t.Fatalf("ban rm: %d %s %s", code, out, errOut)
	}
	waitFor(t, 5*time.Second, "the CLI unban applied", func() bool { return !refusedAtAccept(t, "127.0.0.77", g.http) })
}
