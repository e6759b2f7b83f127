package integration

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// upstream is the PBX's own web client: it answers plain requests with what
// it received and echoes bytes on an upgraded connection.
func upstream(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			c, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer c.Close()
			fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: %s\r\nConnection: Upgrade\r\n\r\n", r.Header.Get("Upgrade"))
			_ = brw.Flush()
			_, _ = io.Copy(c, brw)
			return
		}
		fmt.Fprintf(w, "path=%s auth=%q xff=%s user=%s", r.URL.Path, r.Header.Get("Authorization"),
			r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Forwarded-User"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestClientContext: the client context proxies to its upstream without the
// gateway's credentials, and a WebSocket through it is ended by shutdown.
func TestClientContext(t *testing.T) {
	needCurl(t)
	up := upstream(t)
	g := start(t, fmt.Sprintf(`
contexts:
  client:
    enabled: true
    upstream: %q
    realm_auth: {enabled: true, scheme: digest, users: [{username: agent, password: "agent-pw-1"}]}
`, up.URL+"/web/"))
	code, body := curl(t, "--digest", "-u", "agent:agent-pw-1", "--interface", "127.0.0.7", g.https+"/client/app/index.html")
	if code != 200 || !strings.Contains(body, "path=/web/app/index.html") || !strings.Contains(body, `auth=""`) ||
		!strings.Contains(body, "xff=127.0.0.7") || !strings.Contains(body, "user=agent") {
		t.Errorf("proxied request: %d %s", code, body)
	}
	if code, _ := curl(t, g.https+"/client/app/index.html"); code != 401 {
		t.Errorf("without credentials: %d, want 401", code)
	}

	// A WebSocket-style upgrade through the gateway, authenticated.
	c := client()
	d := newDigest(t, c, g.http+"/client/ws")
	conn, err := net.Dial("tcp", strings.TrimPrefix(g.http, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hdr := d.header(t, "agent", "agent-pw-1", "SHA-256", 1)
	fmt.Fprintf(conn, "GET /client/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nAuthorization: %s\r\n\r\n", hdr)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	if _, err := io.WriteString(conn, "ping"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo through the upgraded connection: %q %v", buf, err)
	}

	// Shutdown ends the upgraded connection instead of leaving it behind.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.d.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = br.ReadByte()
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("upgraded connection still open after Shutdown (read: %v)", err)
	}
}
