package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/daemon"
)

// The certificate both servers present on HTTPS; it names localhost and
// 127.0.0.1, and the clients trust it alone.
const certName = "localhost"

// device is one phone of the loopback part, with its file as pbxgate
// renders it.
type device struct {
	mac, file string
	auth      []string // the Authorization header value
	user, pw  string
	body      []byte
}

// gateway is the pbxgate daemon of the loopback part.
type gateway struct {
	d           *daemon.Daemon
	http, https string // base URLs
	log         *logCounter
}

// makeCert writes a self-signed ECDSA P-256 certificate into dir (as
// server.key and server.crt) and returns the pool that trusts it.
func makeCert(dir string) (*x509.CertPool, error) {
	keyPEM, certPEM, err := certs.SelfSigned(certName, 2, time.Now())
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// nginx's master reads them before dropping privileges.
	if err := os.WriteFile(filepath.Join(dir, certs.KeyFile), keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, certs.CertFile), certPEM, 0o644); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return pool, nil
}

// startGateway runs the daemon in process with a fresh data directory
// under dir, an HTTPS listener with the certificate of certDir and a plain
// one, both on 127.0.0.1 ports chosen by the kernel.
func startGateway(ctx context.Context, dir, certDir string) (*gateway, error) {
	cfg := fmt.Sprintf(`master_domain: %s
listeners:
  - {name: https, address: "127.0.0.1:0", tls: true, certdir: %q}
  - {name: http, address: "127.0.0.1:0"}
http:
  shutdown_timeout: 2s
log:
  level: warn
`, masterDomain, certDir)
	path := filepath.Join(dir, "pbxgate.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	g := &gateway{log: &logCounter{entries: map[string]*logEntry{}}}
	d, err := daemon.New(daemon.Options{ConfigPath: path, DataDir: filepath.Join(dir, "data"), Log: slog.New(g.log), Version: "bench"})
	if err != nil {
		return nil, err
	}
	if err := d.Start(ctx); err != nil {
		return nil, err
	}
	g.d = d
	g.https, g.http = "https://"+d.Addr("https").String(), "http://"+d.Addr("http").String()
	return g, nil
}

func (g *gateway) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.d.Shutdown(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "pbxgate shutdown: %v\n", err)
	}
}

// api calls the REST API as the generated admin user; out, when not nil,
// receives the JSON answer.
func (g *gateway) api(ctx context.Context, c *http.Client, method, path string, in, out any, want int) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, g.https+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.SetBasicAuth(daemon.AdminUser, g.d.AdminPassword())
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(body))
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

// provisionDevices creates, through the REST API, one tenant with n
// extensions and n yealink/t46s devices, line 1 bound to its extension,
// then fetches every device's <mac>.cfg once over plain HTTP with the
// device's own Basic credentials.
func (g *gateway) provisionDevices(ctx context.Context, c *http.Client, n int) ([]device, error) {
	const tenant = "bench." + masterDomain
	if err := g.api(ctx, c, http.MethodPost, "/api/v1/domains", map[string]any{"name": tenant}, nil, http.StatusCreated); err != nil {
		return nil, err
	}
	settings := map[string]any{"sip_server_address": "sip." + masterDomain, "server_hostname": "prov." + masterDomain}
	if err := g.api(ctx, c, http.MethodPut, "/api/v1/provisioning/settings", settings, nil, http.StatusOK); err != nil {
		return nil, err
	}
	// One at a time, as an operator's script would.
	devs := make([]device, n)
	for i := range devs {
		if err := g.addDevice(ctx, c, tenant, i, &devs[i]); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return devs, nil
}

func (g *gateway) addDevice(ctx context.Context, c *http.Client, tenant string, i int, dev *device) error {
	num := strconv.Itoa(10000 + i)
	ext := map[string]any{"number": num, "display_name": "User " + num}
	if err := g.api(ctx, c, http.MethodPost, "/api/v1/domains/"+tenant+"/extensions", ext, nil, http.StatusCreated); err != nil {
		return err
	}
	dev.mac = fmt.Sprintf("001565%06x", i)
	in := map[string]any{"mac": dev.mac, "domain": tenant, "model": "yealink/t46s", "label": "desk " + num,
		"lines": []map[string]any{{"line": 1, "extension": num, "label": num}}}
	var out struct {
		User string `json:"http_username"`
		PW   string `json:"http_password"`
	}
	if err := g.api(ctx, c, http.MethodPost, "/api/v1/devices", in, &out, http.StatusCreated); err != nil {
		return err
	}
	if out.User == "" || out.PW == "" {
		return fmt.Errorf("device %s: no credentials in the answer", dev.mac)
	}
	dev.user, dev.pw, dev.file = out.User, out.PW, dev.mac+".cfg"
	dev.auth = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(out.User+":"+out.PW))}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.http+"/provision/"+dev.file, nil)
	if err != nil {
		return err
	}
	req.Header["Authorization"] = dev.auth
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if dev.body, err = io.ReadAll(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || len(dev.body) == 0 {
		return fmt.Errorf("first fetch of %s: %d, %d bytes", dev.file, resp.StatusCode, len(dev.body))
	}
	return nil
}

// loopbackDial refuses any address but a loopback one: the benchmark
// talks to nothing else.
func loopbackDial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing to dial %s: not a loopback address", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// newTransport is one keep-alive connection's transport: HTTP/1.1, no
// proxy, loopback only, trusting pool for HTTPS.
func newTransport(pool *x509.CertPool, conns int) *http.Transport {
	return &http.Transport{
		Proxy: nil, DialContext: loopbackDial, DisableCompression: true,
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns,
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: certName, MinVersion: tls.VersionTLS13},
	}
}

// logCounter is the daemon's log: warnings and errors counted by level
// and message, with the first one's attributes and the sum of their
// "rows" attribute (the audit rows dropped), reported after the run.
type logCounter struct {
	mu      sync.Mutex
	entries map[string]*logEntry
}

type logEntry struct {
	n     int
	rows  int64
	first string
}

func (l *logCounter) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }

func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := r.Level.String() + " " + r.Message
	e := l.entries[key]
	if e == nil {
		e = &logEntry{}
		l.entries[key] = e
	}
	e.n++
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "rows" {
			e.rows += a.Value.Int64()
		}
		if e.n == 1 {
			e.first += " " + a.String()
		}
		return true
	})
	return nil
}

func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler { return l }

func (l *logCounter) WithGroup(string) slog.Handler { return l }
