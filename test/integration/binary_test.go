package integration

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pbxgateBinary builds cmd/pbxgate once for the tests that run it as a
// process, as an operator does.
var pbxgateBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pbxgate-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pbxgate")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/pbxgate").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
})

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := pbxgateBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// proc is a pbxgate serve process.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func serve(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve"}, args...)...)
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("pbxgate stderr:\n%s", p.stderr.String())
		}
	})
	return p
}

// waitLog waits until the process has logged a line matching re.
func (p *proc) waitLog(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(p.stderr.String()); m != nil {
			return m
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("pbxgate exited (%v) before logging %q", err, re)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("pbxgate did not log %q", re)
	return nil
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Errorf("pbxgate exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("pbxgate did not stop on SIGTERM")
	}
}

func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestServeEmbeddedDefaults is the README's first command: `pbxgate serve`
// with no configuration answers on https://localhost:8443 with the admin
// password it printed and wrote to the data directory.
func TestServeEmbeddedDefaults(t *testing.T) {
	needCurl(t)
	for _, addr := range []string{"127.0.0.1:8443", "127.0.0.1:8080"} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("port %s is taken on this machine: %v", addr, err)
		}
		l.Close()
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "pbxgate-data")
	cmd := exec.Command(binary(t), "serve")
	cmd.Dir = dir
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done })

	m := p.waitLog(t, `user "admin", password (\S+) `)
	p.waitLog(t, `msg=listening listener=http `)
	pw := m[1]
	b, err := os.ReadFile(filepath.Join(data, "admin-password"))
	if err != nil || strings.TrimSpace(string(b)) != pw {
		t.Fatalf("admin-password file = %q, %v; printed %q", b, err, pw)
	}
	if fi, _ := os.Stat(filepath.Join(data, "admin-password")); fi.Mode().Perm() != 0o600 {
		t.Errorf("admin-password mode %v, want 0600", fi.Mode().Perm())
	}
	if code, body := curl(t, "-u", "admin:"+pw, "https://localhost:8443/api/v1/health"); code != 200 {
		t.Errorf("curl -k https://localhost:8443/api/v1/health = %d %s", code, body)
	}
	if code, _ := curl(t, "https://localhost:8443/api/v1/health"); code != 401 {
		t.Errorf("without the password: %d, want 401", code)
	}
	if code, _ := curl(t, "--digest", "-u", "admin:"+pw, "http://localhost:8080/api/v1/health"); code != 200 {
		t.Errorf("plain listener :8080 with Digest: %d, want 200", code)
	}
	// The certificate is the default one for localhost, ECDSA P-256.
	out, err := exec.Command("openssl", "s_client", "-connect", "127.0.0.1:8443", "-servername", "localhost").CombinedOutput()
	if err != nil && !strings.Contains(string(out), "CONNECTED") {
		t.Fatalf("openssl s_client: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "CN=localhost") && !strings.Contains(string(out), "CN = localhost") {
		t.Errorf("openssl s_client does not show CN=localhost:\n%s", out)
	}
	p.stop(t)

	// Second start: same password, not printed again.
	p2 := serve(t, "--data", data)
	p2.waitLog(t, `msg=listening listener=http `)
	if strings.Contains(p2.stderr.String(), pw) {
		t.Error("the admin password was printed again on the second start")
	}
	if code, _ := curl(t, "-u", "admin:"+pw, "https://localhost:8443/api/v1/health"); code != 200 {
		t.Errorf("after restart: %d, want 200", code)
	}
	p2.stop(t)
}

// TestServeReloadSignals: SIGHUP, a change of the file and `pbxgate reload`
// reload; a broken file is refused by `pbxgate reload` with its reason.
func TestServeReloadSignals(t *testing.T) {
	needCurl(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pbxgate.yaml")
	data := filepath.Join(dir, "data")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(cfg+".tmp", []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(cfg+".tmp", cfg); err != nil {
			t.Fatal(err)
		}
	}
	base := `
listeners: [{name: http, address: "127.0.0.1:0"}]
contexts:
  communication_manager:
    realm_auth: {enabled: false}
`
	write(base)
	p := serve(t, "--config", cfg, "--data", data)
	m := p.waitLog(t, `msg=listening listener=http address=(\S+)`)
	url := "http://" + m[1] + "/api/v1/health"
	if code, _ := curl(t, "--interface", "127.0.0.3", url); code != 200 {
		t.Fatalf("before reload: %d", code)
	}

	// SIGHUP after an edit (the watcher may see the edit first; either way
	// the generation moves on and the rule applies).
	write(base + `    ip_access: {enabled: true, blacklist: ["127.0.0.3"]}` + "\n")
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, `msg="configuration reloaded".*generation=2`)
	if code, _ := curl(t, "--interface", "127.0.0.3", url); code != 403 {
		t.Errorf("after SIGHUP with 127.0.0.3 blacklisted: %d, want 403", code)
	}

	// `pbxgate reload` on a broken file: refused, reason printed, old rules
	// keep serving.
	write(base + `    ip_access: {enabled: true, blacklist: ["127.0.0.300"]}` + "\n")
	_, stderr, code := run(t, "", "reload", "--config", cfg, "--data", data)
	if code != 1 || !strings.Contains(stderr, `contexts.communication_manager.ip_access.blacklist[0]: "127.0.0.300"`) ||
		!strings.Contains(stderr, "pbxgate.yaml:6") {
		t.Errorf("pbxgate reload of a broken file: exit %d, stderr %q", code, stderr)
	}
	if code, _ := curl(t, "--interface", "127.0.0.3", url); code != 403 {
		t.Errorf("after a refused reload: %d, want 403 (old rules)", code)
	}
	if code, _ := curl(t, "--interface", "127.0.0.4", url); code != 200 {
		t.Errorf("after a refused reload, another IP: %d, want 200", code)
	}

	// An edit alone, no signal: the file watcher reloads.
	write(base + `    ip_access: {enabled: true, blacklist: ["127.0.0.4"]}` + "\n")
	p.waitLog(t, `msg="configuration reloaded".*generation=3`)
	if code, _ := curl(t, "--interface", "127.0.0.4", url); code != 403 {
		t.Errorf("after an edit picked up by the watcher: %d, want 403", code)
	}

	// Fixed file: `pbxgate reload` succeeds.
	write(base)
	stdout, stderr, code := run(t, "", "reload", "--config", cfg, "--data", data)
	if code != 0 || !strings.Contains(stdout, "serving") {
		t.Errorf("pbxgate reload: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _ := curl(t, "--interface", "127.0.0.3", url); code != 200 {
		t.Errorf("after a good reload: %d, want 200", code)
	}
	p.stop(t)
}

// TestServeGracefulShutdown: a request in flight when SIGTERM arrives
// completes.
func TestServeGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "vm")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 8<<20)
	if err := os.WriteFile(filepath.Join(root, "big.wav"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "pbxgate.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`
listeners: [{name: http, address: "127.0.0.1:0"}]
contexts:
  voicemail: {enabled: true, root: %q, realm_auth: {enabled: false}}
`, root)), 0o600); err != nil {
		t.Fatal(err)
	}
	p := serve(t, "--config", cfg, "--data", filepath.Join(dir, "data"))
	m := p.waitLog(t, `msg=listening listener=http address=(\S+)`)
	c, err := net.Dial("tcp", m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /voicemail/big.wav HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	r := bufio.NewReader(c)
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, "200") {
		t.Fatalf("status line %q %v", status, err)
	}
	// Read slowly so the response is still in flight at SIGTERM.
	if _, err := io.CopyN(io.Discard, r, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := io.Copy(io.Discard, r)
	if err != nil || ctx.Err() != nil {
		t.Fatalf("reading the rest after SIGTERM: %d bytes, %v", n, err)
	}
	if n < int64(len(big))-(1<<20) {
		t.Errorf("got %d more bytes after SIGTERM, want the whole file", n)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Errorf("pbxgate exited with %v after SIGTERM, want 0", err)
		}
	case <-ctx.Done():
		t.Fatal("pbxgate did not stop after SIGTERM")
	}
}
