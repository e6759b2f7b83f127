package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/daemon"
)

const (
	master = "pbx.example.net"
	tenant = "office." + master
	model  = "yealink/t46s"
)

// phoneDevice is a device that can fetch its own file: its MAC, its
// credentials and the file pbxgate rendered for it.
type phoneDevice struct {
	mac, user, pw string
	body          []byte
}

func (p phoneDevice) path() string { return "/provision/" + p.mac + ".cfg" }

// pbx is the daemon of side (a), in this process: a plain HTTP listener for
// the phones and the scanner, an HTTPS one for the REST API (which wants
// TLS), both on loopback.
type pbx struct {
	d     *daemon.Daemon
	base  string // plain HTTP
	admin string // HTTPS
	api   *http.Client
	tr    *http.Transport // the API client's
	log   *banLog
}

// pbxYAML is the configuration: the guard's defaults but unknown_mac_max.
const pbxYAML = `master_domain: %s
listeners:
  - {name: phones, address: "127.0.0.1:0"}
  - {name: admin, address: "127.0.0.1:0", tls: true}
http:
  shutdown_timeout: 2s
log:
  level: warn
guard:
  unknown_mac_max: %d
`

func startPBX(ctx context.Context, dir string, unknownMACMax int) (*pbx, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "pbxgate.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, pbxYAML, master, unknownMACMax), 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	bl := &banLog{}
	d, err := daemon.New(daemon.Options{ConfigPath: cfgPath, DataDir: data, Log: slog.New(bl), Version: "bench-scan"})
	if err != nil {
		return nil, err
	}
	if err := d.Start(ctx); err != nil {
		return nil, err
	}
	p := &pbx{d: d, log: bl, base: "http://" + d.Addr("phones").String(), admin: "https://" + d.Addr("admin").String()}
	// With no certdir, the TLS listener presents the daemon's own
	// self-signed certificate for the master domain: trust that one alone.
	pem, err := os.ReadFile(filepath.Join(data, certs.DefaultDirName, certs.CertFile))
	if err != nil {
		p.close()
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	tr := clientTransport("127.0.0.1", 8)
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, ServerName: master, MinVersion: tls.VersionTLS13}
	p.api, p.tr = &http.Client{Transport: tr, Timeout: 30 * time.Second}, tr
	return p, nil
}

func (p *pbx) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.d.Shutdown(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "pbxgate shutdown: %v\n", err)
	}
}

// call sends one REST API request as the admin user and decodes the answer
// into out (when not nil); any status but want is an error.
func (p *pbx) call(ctx context.Context, method, path string, body, out any, want int) error {
	js, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, p.admin+path, bytes.NewReader(js))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(daemon.AdminUser, p.d.AdminPassword())
	resp, err := p.api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return err
	case resp.StatusCode != want:
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(raw))
	case out == nil:
		return nil
	}
	return json.Unmarshal(raw, out)
}

// populate makes the tenant and n devices, each with an extension on line
// 1, through the REST API (workers at a time), then fetches every device's
// file once with its own credentials: the files nginx will serve.
func (p *pbx) populate(ctx context.Context, n, workers int) ([]phoneDevice, error) {
	if err := p.call(ctx, http.MethodPost, "/api/v1/domains", map[string]string{"name": tenant}, nil, http.StatusCreated); err != nil {
		return nil, err
	}
	prov := map[string]string{"sip_server_address": "sip." + master, "server_hostname": "prov." + master}
	if err := p.call(ctx, http.MethodPut, "/api/v1/provisioning/settings", prov, nil, http.StatusOK); err != nil {
		return nil, err
	}
	devs := make([]phoneDevice, n)
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if err := p.addOne(ctx, i, &devs[i]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case err := <-errs:
			errs <- err
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	return devs, ctx.Err()
}

// addOne makes device i (extension 2000+i on its line 1) and takes its
// file, as the device itself would, over the phones' listener.
func (p *pbx) addOne(ctx context.Context, i int, dev *phoneDevice) error {
	ext := fmt.Sprint(2000 + i)
	extension := map[string]string{"number": ext, "display_name": "Desk " + ext}
	if err := p.call(ctx, http.MethodPost, "/api/v1/domains/"+tenant+"/extensions", extension, nil, http.StatusCreated); err != nil {
		return err
	}
	dev.mac = macOf(i)
	line := map[string]any{"line": 1, "extension": ext, "label": ext}
	spec := map[string]any{"mac": dev.mac, "domain": tenant, "model": model, "label": "desk " + ext, "lines": []any{line}}
	var made map[string]any
	if err := p.call(ctx, http.MethodPost, "/api/v1/devices", spec, &made, http.StatusCreated); err != nil {
		return err
	}
	dev.user, _ = made["http_username"].(string)
	dev.pw, _ = made["http_password"].(string)
	code, file, err := get(ctx, p.tr, p.base+dev.path(), dev.user, dev.pw)
	if err == nil && (code != http.StatusOK || len(file) == 0) {
		err = fmt.Errorf("status %d, %d bytes", code, len(file))
	}
	if err != nil {
		return fmt.Errorf("first fetch of %s: %w", dev.path(), err)
	}
	dev.body = file
	return nil
}

// banLog is the daemon's logger: it keeps the time and reason of the
// guard's first "banned" record of each address, and counts the other
// warnings and errors by message, with the first one's attributes.
type banLog struct {
	mu     sync.Mutex
	bans   map[string]banSeen
	others map[string]string
	count  map[string]int
}

type banSeen struct {
	at     time.Time
	reason string
}

func (b *banLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (b *banLog) Handle(_ context.Context, r slog.Record) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.Message != "banned" {
		if b.others == nil {
			b.others, b.count = map[string]string{}, map[string]int{}
		}
		key := r.Level.String() + " " + r.Message
		if _, seen := b.others[key]; !seen {
			var first strings.Builder
			r.Attrs(func(a slog.Attr) bool { first.WriteString(" " + a.String()); return true })
			b.others[key] = first.String()
		}
		b.count[key]++
		return nil
	}
	var ip, reason string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "remote_ip":
			ip = a.Value.String()
		case "reason":
			reason = a.Value.String()
		}
		return true
	})
	if b.bans == nil {
		b.bans = map[string]banSeen{}
	}
	if _, seen := b.bans[ip]; !seen {
		b.bans[ip] = banSeen{r.Time, reason}
	}
	return nil
}

func (b *banLog) WithAttrs([]slog.Attr) slog.Handler { return b }
func (b *banLog) WithGroup(string) slog.Handler      { return b }

// firstBan returns when the guard first banned ip, and why.
func (b *banLog) firstBan(ip string) (time.Time, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.bans[ip]
	return s.at, s.reason
}

// noise returns the other warnings and errors, as "N x LEVEL message;
// first: attributes", sorted.
func (b *banLog) noise() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, k := range slices.Sorted(maps.Keys(b.count)) {
		out = append(out, fmt.Sprintf("%d x %s; first:%s", b.count[k], k, b.others[k]))
	}
	return out
}
