package listen

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/sessions"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// countingResolver counts handshakes that reached certificate selection.
type countingResolver struct {
	n    atomic.Int64
	cert *tls.Certificate
}

func (c *countingResolver) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.n.Add(1)
	return c.cert, nil
}

func testCert(t *testing.T) *tls.Certificate {
	t.Helper()
	keyPEM, certPEM, err := certs.SelfSigned("localhost", 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

// serveEcho accepts on l and echoes one line per connection until l closes.
func serveEcho(l net.Listener) chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				n, _ := c.Read(buf)
				_, _ = c.Write(buf[:n])
			}()
		}
	}()
	return done
}

func TestAdmissionBeforeTLS(t *testing.T) {
	res := &countingResolver{cert: testCert(t)}
	reg := sessions.New(nil)
	l, err := Listen(context.Background(), Options{Name: "https", Address: "127.0.0.1:0", Resolver: res, Sessions: reg})
	if err != nil {
		t.Fatal(err)
	}
	refused := netip.MustParseAddr("127.0.0.9")
	l.SetAdmitter(AdmitFunc(func(ip netip.Addr) bool { return ip != refused }))
	done := serveEcho(l)
	defer func() { l.Close(); <-done }()

	dial := func(src string) (string, error) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
		c, err := tls.DialWithDialer(&d, "tcp", l.Addr().String(), &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
		if err != nil {
			return "", err
		}
		defer c.Close()
		if _, err := c.Write([]byte("ping")); err != nil {
			return "", err
		}
		b, err := io.ReadAll(c)
		return string(b), err
	}
	tests := []struct {
		name       string
		src        string
		wantOK     bool
		handshakes int64
	}{
		{"ok/admitted", "127.0.0.1", true, 1},
		{"fail/refused-costs-no-handshake", "127.0.0.9", false, 1},
		{"ok/other-admitted", "127.0.0.10", true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dial(tc.src)
			if tc.wantOK && (err != nil || got != "ping") {
				t.Fatalf("dial from %s: %q %v, want echo", tc.src, got, err)
			}
			if !tc.wantOK && err == nil {
				t.Fatalf("dial from %s succeeded, want refused", tc.src)
			}
			if n := res.n.Load(); n != tc.handshakes {
				t.Errorf("certificate selections = %d, want %d", n, tc.handshakes)
			}
		})
	}
	// Tracked connections leave the session table when closed.
	deadline := time.Now().Add(5 * time.Second)
	for reg.Len() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := reg.Len(); n != 0 {
		t.Errorf("%d sessions left after every connection closed", n)
	}
}

func TestPlainListenerTracksBytes(t *testing.T) {
	reg := sessions.New(nil)
	l, err := Listen(context.Background(), Options{Name: "http", Address: "127.0.0.1:0", Sessions: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(sc, buf); err != nil {
		t.Fatal(err)
	}
	sessions.FromConn(sc).SetRequest("voicemail", "alice")
	list := reg.List()
	if len(list) != 1 {
		t.Fatalf("sessions = %d, want 1", len(list))
	}
	s := list[0]
	if s.Listener != "http" || s.Context != "voicemail" || s.User != "alice" || s.BytesIn != 5 || s.TLS {
		t.Errorf("session = %+v", s)
	}
	sc.Close()
	if reg.Len() != 0 {
		t.Error("session not removed on Close")
	}
}
