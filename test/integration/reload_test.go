package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReloadUnderLoad: clients hammer the gateway while 100 reloads happen,
// half of them invalid. No request may fail; every invalid configuration is
// refused with its reason; the valid ones take effect.
func TestReloadUnderLoad(t *testing.T) {
	root := t.TempDir()
	valid := func(i int) string {
		return fmt.Sprintf(`
log: {level: warn}
contexts:
  communication_manager:
    realm_auth: {enabled: true, scheme: any}
    ip_access: {enabled: true, whitelist: ["127.0.0.0/8", "::1"], blacklist: ["127.0.%d.1"]}
  voicemail: {enabled: true, root: %q, realm_auth: {enabled: false}}
`, 100+i, root)
	}
	invalid := []struct{ yaml, reason string }{
		{`contexts: {communication_manager: {ip_access: {enabled: true, whitelist: ["10.0.0.300"]}}}`, `"10.0.0.300"`},
		{`contexts: {communication_manager: {realm_auth: {enabled: true, scheme: kerberos}}}`, `kerberos`},
		{"contexts:\n  voicemail: {enabled: true, root: \"/nonexistent/pbxgate-test\"}\n", `contexts.voicemail.root`},
		{"contexts: [\n", `pbxgate.yaml:8: invalid YAML`},
		{`listeners: [{name: https, address: "127.0.0.1:1", tls: true}]`, `restart`},
	}
	g := start(t, valid(0))

	ctx, cancel := context.WithCancel(context.Background())
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			c := client()
			if w%2 == 1 {
				c.Transport.(*http.Transport).DisableKeepAlives = true
			}
			for ctx.Err() == nil {
				// Basic over TLS to the API; the plain listener serves the
				// voicemail listing (no realm auth there: Basic is not
				// accepted over plain HTTP).
				url := g.https + "/api/v1/health"
				if w%4 == 3 {
					url = g.http + "/voicemail/"
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				req.SetBasicAuth("admin", g.pw)
				resp, err := c.Do(req)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, resp.Status)
					continue
				}
				ok.Add(1)
			}
		})
	}

	gen0 := generation(t, g)
	refused := 0
	for i := range 100 {
		if i%2 == 0 {
			g.writeConfig(valid(i))
			if err := g.d.Reload(context.Background()); err != nil {
				t.Errorf("reload %d of a valid configuration: %v", i, err)
			}
		} else {
			bad := invalid[(i/2)%len(invalid)]
			if strings.Contains(bad.yaml, "listeners:") {
				g.writeConfig(bad.yaml)
			} else {
				g.writeConfig(listenersYAML + bad.yaml)
			}
			err := g.d.Reload(context.Background())
			switch {
			case err == nil:
				t.Errorf("reload %d of an invalid configuration succeeded:\n%s", i, bad.yaml)
			case !strings.Contains(err.Error(), bad.reason):
				t.Errorf("reload %d refused with %q, want the reason to mention %q", i, err, bad.reason)
			default:
				refused++
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	wg.Wait()

	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d requests failed during reloads; first: %v", n, n+ok.Load(), firstErr.Load())
	}
	if ok.Load() == 0 {
		t.Fatal("the load generator made no successful request")
	}
	if refused != 50 {
		t.Errorf("%d invalid configurations refused, want 50", refused)
	}
	if got := generation(t, g) - gen0; got != 50 {
		t.Errorf("configuration generation advanced by %d, want 50", got)
	}
	t.Logf("%d requests during 100 reloads, %d failed", ok.Load(), failed.Load())

	// The last reload (i=99) was invalid: the alarm says so until a valid one.
	_, body := curl(t, "--basic", "-u", "admin:"+g.pw, g.https+"/api/v1/system/state")
	if !strings.Contains(body, `"hostname"`) {
		t.Errorf("system state lists no node:\n%s", body)
	}
	if !strings.Contains(body, `"kind": "config_reload_failed"`) {
		t.Errorf("system state has no config_reload_failed alarm:\n%s", body)
	}
	g.writeConfig(valid(150))
	if err := g.d.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, body = curl(t, "--basic", "-u", "admin:"+g.pw, g.https+"/api/v1/system/state")
	if strings.Contains(body, "config_reload_failed") {
		t.Errorf("alarm still raised after a good reload:\n%s", body)
	}
	_, metrics := curl(t, "--basic", "-u", "admin:"+g.pw, g.https+"/metrics")
	if !strings.Contains(metrics, `pbxgate_config_reloads_total{result="failure"} 50`) {
		t.Errorf("metrics:\n%s", grepLines(metrics, "reload"))
	}
}

// TestReloadTakesEffect: a reload changes the rules for the next request,
// on connections that were open before it.
func TestReloadTakesEffect(t *testing.T) {
	needCurl(t)
	g := start(t, `contexts: {communication_manager: {realm_auth: {enabled: false}}}`)
	c := client()
	if resp, _ := get(t, c, g.https+"/api/v1/health"); resp.StatusCode != 200 {
		t.Fatalf("before reload: %d", resp.StatusCode)
	}
	g.writeConfig(`contexts: {communication_manager: {realm_auth: {enabled: false}, ip_access: {enabled: true, blacklist: ["127.0.0.1"]}}}`)
	if err := g.d.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, c, g.https+"/api/v1/health"); resp.StatusCode != 403 {
		t.Errorf("after reload, same keep-alive client from the blacklisted IP: %d, want 403", resp.StatusCode)
	}
	if code, _ := curl(t, "--interface", "127.0.0.2", g.https+"/api/v1/health"); code != 200 {
		t.Errorf("after reload, another IP: %d, want 200", code)
	}
}

func generation(t *testing.T, g *gw) int64 {
	t.Helper()
	return g.d.Status().Config.Generation
}
