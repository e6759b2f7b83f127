package integration

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSlowClientsAreCut: a client that never finishes its TLS handshake or
// its request header is disconnected after read_header_timeout (slowloris).
func TestSlowClientsAreCut(t *testing.T) {
	g := start(t, `
http: {read_header_timeout: 1s, read_timeout: 1s}
contexts:
  communication_manager: {realm_auth: {enabled: false}}
  administrator: {ip_access: {enabled: true, whitelist: ["192.0.2.1"]}}
`)
	tests := []struct {
		name, addr, send string
	}{
		{"fail/tls-handshake-never-sent", strings.TrimPrefix(g.https, "https://"), ""},
		{"fail/tls-hello-half-sent", strings.TrimPrefix(g.https, "https://"), "\x16\x03\x01\x00\xa0\x01\x00"},
		{"fail/header-never-finished", strings.TrimPrefix(g.http, "http://"), "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: "},
		{"fail/slow-body-allowed-path", strings.TrimPrefix(g.http, "http://"), "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"},
		{"fail/slow-body-ip-refused-path", strings.TrimPrefix(g.http, "http://"), "POST /admin/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"},
		{"fail/slow-body-unrouted-path", strings.TrimPrefix(g.http, "http://"), "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"},
		{"fail/slow-body-with-upgrade-header", strings.TrimPrefix(g.http, "http://"), "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nUpgrade: x\r\nConnection: upgrade\r\nContent-Length: 100\r\n\r\nab"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if tc.send != "" {
				if _, err := io.WriteString(c, tc.send); err != nil {
					t.Fatal(err)
				}
			}
			// The server must close the connection on its own; the client
			// waits far longer than the timeout before giving up.
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, err = io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept a slow client's connection open")
			}
		})
	}
}
