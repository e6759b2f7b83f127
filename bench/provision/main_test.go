package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestRender: every device file of every model is served, 200, in the
// three full passes.
func TestRender(t *testing.T) {
	const n = 40 // ten of each model: 50 files
	r, err := renderBench(context.Background(), n, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.passes) != 4 {
		t.Fatalf("%d passes, want 4", len(r.passes))
	}
	for _, p := range r.passes[:3] {
		if p.files != 50 || len(p.bad) > 0 {
			t.Errorf("%s: %d files, failures %v; want 50 files, no failure", p.name, p.files, p.bad)
		}
	}
	if w := r.passes[0].writes; w != n {
		t.Errorf("first fetch: %d store writes, want %d (one per device)", w, n)
	}
}

// TestLoopback: the clients get each device's exact file from pbxgate and,
// when it is installed, from nginx, over HTTP and HTTPS, without a single
// failure.
func TestLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon")
	}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "pbxgate-bench-provision-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o711); err != nil {
		t.Fatal(err)
	}
	certDir := filepath.Join(tmp, "cert")
	pool, err := makeCert(certDir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := startGateway(ctx, tmp, certDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.close)
	devs, err := g.provisionDevices(ctx, &http.Client{Transport: newTransport(pool, 1), Timeout: 10 * time.Second}, 10)
	if err != nil {
		t.Fatal(err)
	}
	bases := map[string][2]string{"pbxgate": {g.http, g.https}}
	pids := map[string]int{}
	if bin, err := exec.LookPath("nginx"); err == nil {
		ngx, err := startNginx(bin, filepath.Join(tmp, "nginx"), certDir, devs)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ngx.stop)
		bases["nginx"], pids["nginx"] = [2]string{ngx.http, ngx.https}, ngx.pid()
	} else {
		t.Log("nginx not installed: pbxgate alone")
	}
	for name, b := range bases {
		for i, scheme := range []string{"http", "https"} {
			s, err := newSide(name, scheme, b[i], devs, pids[name])
			if err != nil {
				t.Fatal(err)
			}
			res, err := runSide(ctx, s, devs, pool, 4, 100*time.Millisecond, 300*time.Millisecond, 1)
			if err != nil {
				t.Fatal(err)
			}
			if res.ok == 0 || len(res.fails) > 0 {
				t.Errorf("%s: %d answers right, failures %v", s.label(), res.ok, res.fails)
			}
		}
	}
}
