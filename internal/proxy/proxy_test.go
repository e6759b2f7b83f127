package proxy

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

func TestForwarding(t *testing.T) {
	up, hits := echoUpstream(t)
	upHost := strings.TrimPrefix(up.URL, "http://")
	alice := &reqinfo.Info{ClientIP: netip.MustParseAddr("203.0.113.7"), User: "alice", Context: "client"}

	tests := []struct {
		name     string
		upstream string // path and after, appended to the upstream's URL
		target   string
		header   map[string]string
		info     *reqinfo.Info
		status   int
		path     string // upstream's r.URL.Path
		rawPath  string // upstream's escaped path, when it differs
		query    string
		wantHdr  map[string]string // "" means absent
	}{
		{name: "ok/strip-and-join", upstream: "/base/", target: "/client/app/x?a=1&b=two", status: 200,
			path: "/base/app/x", query: "a=1&b=two"},
		{name: "ok/upstream-without-path", upstream: "", target: "/client/app/x", status: 200, path: "/app/x"},
		{name: "ok/upstream-path-without-slash", upstream: "/base", target: "/client/app/x", status: 200, path: "/base/app/x"},
		{name: "ok/prefix-alone", upstream: "/base/", target: "/client/", status: 200, path: "/base/"},
		{name: "ok/prefix-without-slash", upstream: "/base/", target: "/client", status: 200, path: "/base/"},
		{name: "ok/encoded-slash-kept", upstream: "/base/", target: "/client/a%2Fb", status: 200,
			path: "/base/a/b", rawPath: "/base/a%2Fb"},
		{name: "ok/query-kept-raw", upstream: "/", target: "/client/s?q=a%20b&x", status: 200, path: "/s", query: "q=a%20b&x"},
		{name: "ok/credentials-stripped", upstream: "/", target: "/client/x", status: 200, path: "/x",
			header:  map[string]string{"Authorization": "Basic YWxpY2U6c2VjcmV0", "Proxy-Authorization": "Basic eDp5"},
			wantHdr: map[string]string{"Authorization": "", "Proxy-Authorization": ""}},
		{name: "ok/xff-from-reqinfo-not-client", upstream: "/", target: "/client/x", status: 200, path: "/x", info: alice,
			header: map[string]string{
				"X-Forwarded-For": "198.51.100.66", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
				"X-Forwarded-User": "root", "X-Forwarded-Prefix": "/evil", "Forwarded": "for=198.51.100.66",
				"X-Real-Ip": "198.51.100.66", "Cookie": "session=1", "X-App": "kept",
			},
			wantHdr: map[string]string{
				"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "http", "X-Forwarded-User": "alice",
				"X-Forwarded-Prefix": "", "Forwarded": "", "X-Real-Ip": "", "Cookie": "session=1", "X-App": "kept",
			}},
		{name: "ok/xff-from-peer-without-reqinfo", upstream: "/", target: "/client/x", status: 200, path: "/x",
			header:  map[string]string{"X-Forwarded-For": "198.51.100.66", "X-Forwarded-User": "root"},
			wantHdr: map[string]string{"X-Forwarded-For": "127.0.0.1", "X-Forwarded-User": ""}},
		{name: "ok/tls-from-reqinfo", upstream: "/", target: "/client/x", status: 200, path: "/x",
			info:    &reqinfo.Info{ClientIP: netip.MustParseAddr("2001:db8::5"), TLS: true},
			wantHdr: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "2001:db8::5", "X-Forwarded-User": ""}},
		{name: "fail/dotdot", upstream: "/base/", target: "/client/../admin/", status: 400},
		{name: "fail/encoded-dotdot", upstream: "/base/", target: "/client/%2e%2e/admin/", status: 400},
		{name: "fail/encoded-slash-dotdot", upstream: "/base/", target: "/client/..%2fadmin/", status: 400},
		{name: "fail/backslash-dotdot", upstream: "/base/", target: "/client/%5c..%5cadmin", status: 400},
		{name: "fail/dot", upstream: "/base/", target: "/client/./x", status: 400},
		{name: "fail/outside-prefix", upstream: "/base/", target: "/admin/x", status: 404},
		{name: "fail/prefix-lookalike", upstream: "/base/", target: "/clientx/y", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProxy(t, Config{Upstream: up.URL + tt.upstream, Prefix: "/client/"})
			front := frontend(t, withInfo(p, tt.info))
			before := hits.Load()

			res := rawRequest(t, front.Listener.Addr().String(), tt.target, tt.header)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", res.StatusCode, tt.status, body)
			}
			if tt.status != 200 {
				if hits.Load() != before {
					t.Fatal("a refused request reached the upstream")
				}
				return
			}
			var got echoed
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("upstream answer %q: %v", body, err)
			}
			wantRaw := tt.rawPath
			if wantRaw == "" {
				wantRaw = tt.path
			}
			if got.Path != tt.path || got.RawPath != wantRaw || got.Query != tt.query {
				t.Errorf("upstream saw path %q raw %q query %q; want %q, %q, %q",
					got.Path, got.RawPath, got.Query, tt.path, wantRaw, tt.query)
			}
			if got.Host != upHost {
				t.Errorf("upstream Host = %q, want %q", got.Host, upHost)
			}
			if h := got.Header.Get("X-Forwarded-Host"); h != front.Listener.Addr().String() {
				t.Errorf("X-Forwarded-Host = %q, want the requested host %q", h, front.Listener.Addr())
			}
			for k, want := range tt.wantHdr {
				if vs := got.Header.Values(k); strings.Join(vs, ",") != want {
					t.Errorf("upstream header %s = %q, want %q", k, vs, want)
				}
			}
		})
	}
}

// rawRequest sends target verbatim in the request line, so that no client
// cleans dot segments away.
func rawRequest(t *testing.T, addr, target string, header map[string]string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var b strings.Builder
	b.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n")
	for k, v := range header {
		b.WriteString(k + ": " + v + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(newReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestMethodAndBody(t *testing.T) {
	up, _ := echoUpstream(t)
	p := newProxy(t, Config{Upstream: up.URL, Prefix: "/client/"})
	front := frontend(t, p)
	res, err := front.Client().Post(front.URL+"/client/api/save", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got echoed
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.Path != "/api/save" || got.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("upstream saw %s %s (%s), want POST /api/save text/plain", got.Method, got.Path, got.Header.Get("Content-Type"))
	}
}

func TestUpstreamDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/"
	l.Close()

	var logs logBuffer
	p := newProxy(t, Config{Upstream: dead, Prefix: "/client/", Log: logs.logger()})
	front := frontend(t, p)
	res, err := front.Client().Get(front.URL + "/client/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway || string(body) != "bad gateway\n" {
		t.Fatalf("answer = %d %q, want 502 \"bad gateway\"", res.StatusCode, body)
	}
	out := logs.String()
	for _, want := range []string{"component=proxy", "connection refused", "remote_ip=127.0.0.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
