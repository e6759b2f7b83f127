package proxy

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

// wsGUID is RFC 6455's fixed key suffix.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func wsAccept(key string) string {
	sum := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// writeFrame writes one final frame; mask nil sends it unmasked.
func writeFrame(w io.Writer, opcode byte, payload []byte, mask []byte) error {
	hdr := []byte{0x80 | opcode}
	maskBit := byte(0)
	if mask != nil {
		maskBit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, maskBit|byte(n))
	case n <= 0xffff:
		hdr = append(hdr, maskBit|126)
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(n))
	default:
		return errors.New("frame too long for this test")
	}
	body := append([]byte(nil), payload...)
	if mask != nil {
		hdr = append(hdr, mask...)
		for i := range body {
			body[i] ^= mask[i%4]
		}
	}
	_, err := w.Write(append(hdr, body...))
	return err
}

// readFrame reads one frame and unmasks it.
func readFrame(r *bufio.Reader) (opcode byte, payload []byte, masked bool, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, false, err
	}
	opcode, masked = h[0]&0x0f, h[1]&0x80 != 0
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return 0, nil, false, err
		}
		n = int(binary.BigEndian.Uint16(ext[:]))
	case 127:
		return 0, nil, false, errors.New("64-bit frame length not supported by this test")
	}
	var mask [4]byte
	if masked {
		if _, err := io.ReadFull(r, mask[:]); err != nil {
			return 0, nil, false, err
		}
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, false, err
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	return opcode, payload, masked, nil
}

// wsSeen is what the WebSocket upstream observed in the handshake.
type wsSeen struct {
	path   string
	header http.Header
	err    error
}

// wsEchoUpstream completes the handshake by hand and echoes every frame
// (unmasked, as a server must) until the connection closes.
func wsEchoUpstream(t *testing.T) (*httptest.Server, chan wsSeen) {
	t.Helper()
	seen := make(chan wsSeen, 8)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Sec-Websocket-Key")
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || key == "" {
			seen <- wsSeen{err: fmt.Errorf("not an upgrade: %v", r.Header)}
			http.Error(w, "upgrade required", http.StatusUpgradeRequired)
			return
		}
		seen <- wsSeen{path: r.URL.Path, header: r.Header.Clone()}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", wsAccept(key))
		if err := rw.Flush(); err != nil {
			return
		}
		for {
			op, payload, masked, err := readFrame(rw.Reader)
			if err != nil {
				return
			}
			if !masked {
				return // clients must mask; a proxy must not unmask
			}
			if writeFrame(conn, op, payload, nil) != nil {
				return
			}
		}
	}))
	t.Cleanup(ts.Close)
	return ts, seen
}

func TestWebSocketRoundTrip(t *testing.T) {
	up, seen := wsEchoUpstream(t)
	p := newProxy(t, Config{Upstream: up.URL + "/ws-base/", Prefix: "/client/"})
	info := &reqinfo.Info{ClientIP: netip.MustParseAddr("203.0.113.7"), User: "alice"}
	front := frontend(t, withInfo(p, info))
	addr := front.Listener.Addr().String()

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	req := "GET /client/socket?room=1 HTTP/1.1\r\n" +
		"Host: " + addr + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"Origin: http://" + addr + "\r\n" +
		"Authorization: Basic YWxpY2U6c2VjcmV0\r\n" +
		"X-Forwarded-For: 198.51.100.66\r\n" +
		"\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("status = %d (%q), want 101", res.StatusCode, body)
	}
	if got, want := res.Header.Get("Sec-Websocket-Accept"), wsAccept(key); got != want {
		t.Fatalf("Sec-WebSocket-Accept = %q, want %q", got, want)
	}
	if !strings.EqualFold(res.Header.Get("Upgrade"), "websocket") {
		t.Fatalf("Upgrade = %q", res.Header.Get("Upgrade"))
	}

	s := <-seen
	if s.err != nil {
		t.Fatal(s.err)
	}
	if s.path != "/ws-base/socket" {
		t.Errorf("upstream path = %q, want /ws-base/socket", s.path)
	}
	if a := s.header.Get("Authorization"); a != "" {
		t.Errorf("upstream received Authorization %q", a)
	}
	if xff := s.header.Get("X-Forwarded-For"); xff != "203.0.113.7" {
		t.Errorf("upstream X-Forwarded-For = %q, want 203.0.113.7", xff)
	}
	if u := s.header.Get("X-Forwarded-User"); u != "alice" {
		t.Errorf("upstream X-Forwarded-User = %q, want alice", u)
	}

	for _, msg := range []string{"hello through the gateway", strings.Repeat("x", 300)} {
		if err := writeFrame(conn, 0x1, []byte(msg), []byte{0x37, 0xfa, 0x21, 0x3d}); err != nil {
			t.Fatal(err)
		}
		op, payload, masked, err := readFrame(br)
		if err != nil {
			t.Fatal(err)
		}
		if op != 0x1 || masked || string(payload) != msg {
			t.Fatalf("echo = opcode %d masked %v %q, want text %q unmasked", op, masked, payload, msg)
		}
	}
}

func TestWebSocketOrigin(t *testing.T) {
	up, seen := wsEchoUpstream(t)
	p := newProxy(t, Config{Upstream: up.URL, Prefix: "/client/"})
	front := frontend(t, p)
	addr := front.Listener.Addr().String()
	upgrade := map[string]string{
		"Upgrade": "websocket", "Connection": "Upgrade",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13",
	}
	tests := []struct {
		name   string
		origin string
		status int
	}{
		{name: "ok/same-origin", origin: "http://" + addr, status: http.StatusSwitchingProtocols},
		{name: "ok/no-origin", status: http.StatusSwitchingProtocols},
		{name: "fail/other-host", origin: "http://evil.example", status: http.StatusForbidden},
		{name: "fail/other-port", origin: "http://127.0.0.1:1", status: http.StatusForbidden},
		// Host and port decide, not the scheme: behind a TLS-terminating
		// proxy the gateway may not know the browser's scheme.
		{name: "ok/other-scheme-same-port", origin: "https://" + addr, status: http.StatusSwitchingProtocols},
		{name: "fail/default-port-differs", origin: "https://127.0.0.1", status: http.StatusForbidden},
		{name: "fail/null", origin: "null", status: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			for k, v := range upgrade {
				h[k] = v
			}
			if tt.origin != "" {
				h["Origin"] = tt.origin
			}
			res := rawRequest(t, addr, "/client/socket", h)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status == http.StatusSwitchingProtocols {
				if s := <-seen; s.err != nil {
					t.Fatal(s.err)
				}
			}
		})
	}
	select {
	case s := <-seen:
		t.Fatalf("a refused upgrade reached the upstream: %+v", s)
	default:
	}
}
