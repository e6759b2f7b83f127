package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/bench/internal/cpu"
)

// errCertMismatch is a handshake whose leaf certificate is not the expected one.
var errCertMismatch = errors.New("certificate sha256 differs from -expect-sha256")

// handshaker makes full TLS 1.3 handshakes with one server.
type handshaker struct {
	addr    string
	cfg     *tls.Config
	dialer  net.Dialer
	timeout time.Duration
}

// newHandshaker prepares handshakes with addr. The chain is not verified (the
// certificate is self-signed); when expect is not nil, the leaf certificate's
// SHA-256 must equal it.
func newHandshaker(addr, sni string, expect []byte, timeout time.Duration) *handshaker {
	cfg := &tls.Config{
		ServerName:         sni,
		MinVersion:         tls.VersionTLS13,
		MaxVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true,
		CurvePreferences:   []tls.CurveID{tls.X25519},
		// A nil ClientSessionCache: no ticket is asked for or kept, so every
		// handshake is a full one.
		ClientSessionCache: nil,
	}
	if expect != nil {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errCertMismatch
			}
			if sum := sha256.Sum256(cs.PeerCertificates[0].Raw); !bytes.Equal(sum[:], expect) {
				return errCertMismatch
			}
			return nil
		}
	}
	return &handshaker{addr: addr, cfg: cfg, dialer: net.Dialer{Timeout: timeout}, timeout: timeout}
}

// handshake dials, completes one handshake and closes the connection.
func (h *handshaker) handshake() error {
	_, err := h.connect(false)
	return err
}

// connect dials and handshakes; with state it returns the connection state.
func (h *handshaker) connect(state bool) (tls.ConnectionState, error) {
	var cs tls.ConnectionState
	raw, err := h.dialer.Dial("tcp", h.addr)
	if err != nil {
		return cs, fmt.Errorf("dial: %w", err)
	}
	defer raw.Close()
	if err := raw.SetDeadline(time.Now().Add(h.timeout)); err != nil {
		return cs, fmt.Errorf("set deadline: %w", err)
	}
	c := tls.Client(raw, h.cfg)
	if err := c.Handshake(); err != nil {
		return cs, fmt.Errorf("handshake: %w", err)
	}
	if state {
		cs = c.ConnectionState()
	}
	// Sends close_notify; the deferred Close of raw is then a no-op.
	_ = c.Close()
	return cs, nil
}

// probe is what the first handshake with a target showed.
type probe struct {
	version, suite, curve string
	certSHA256            string
	certKey, certSubject  string
}

// probe makes one handshake and describes it.
func (h *handshaker) probe() (probe, error) {
	cs, err := h.connect(true)
	if err != nil {
		return probe{}, err
	}
	leaf := cs.PeerCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	return probe{
		version:     tls.VersionName(cs.Version),
		suite:       tls.CipherSuiteName(cs.CipherSuite),
		curve:       cs.CurveID.String(),
		certSHA256:  hex.EncodeToString(sum[:]),
		certKey:     keyName(leaf),
		certSubject: leaf.Subject.CommonName,
	}, nil
}

// keyName names the certificate's public key: algorithm and curve or size.
func keyName(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	}
	return c.PublicKeyAlgorithm.String()
}

// parseSHA256 reads a hex SHA-256, with or without colons.
func parseSHA256(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err != nil {
		return nil, err
	}
	if len(b) != sha256.Size {
		return nil, fmt.Errorf("%d bytes, want %d", len(b), sha256.Size)
	}
	return b, nil
}

// result is one measured window of one target.
type result struct {
	ok, fails      int64
	failures       map[string]int64 // by kind
	window         time.Duration
	client, server time.Duration // CPU time used in the window; server 0 if not measured
	serverMeasured bool
}

func (r result) rate() float64 { return float64(r.ok) / r.window.Seconds() }

// Phases of a round: only what ends while measuring counts.
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseDone
)

// runRound loads h with clients workers for warmup, then measures for
// duration: handshakes and errors that end in that window, and the CPU time
// of this process and of the server process pid (0: not measured).
func runRound(h *handshaker, pid, clients int, warmup, duration time.Duration) result {
	var (
		phase    atomic.Int32
		ok, bad  atomic.Int64
		mu       sync.Mutex
		failures = map[string]int64{}
		wg       sync.WaitGroup
	)
	for range clients {
		wg.Go(func() {
			for {
				err := h.handshake()
				switch p := phase.Load(); {
				case p == phaseDone:
					return
				case p == phaseWarmup:
				case err == nil:
					ok.Add(1)
				default:
					bad.Add(1)
					mu.Lock()
					failures[errorKind(err)]++
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(warmup)

	serverCPU := func() (time.Duration, bool) {
		if pid == 0 {
			return 0, false
		}
		d, err := cpu.Tree(pid)
		return d, err == nil
	}
	s0, sOK0 := serverCPU()
	c0 := cpu.Self()
	t0 := time.Now()
	phase.Store(phaseMeasure)
	time.Sleep(duration)
	phase.Store(phaseDone)
	window := time.Since(t0)
	c1 := cpu.Self()
	s1, sOK1 := serverCPU()
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	return result{
		ok: ok.Load(), fails: bad.Load(), failures: failures, window: window,
		client: c1 - c0, server: s1 - s0, serverMeasured: sOK0 && sOK1,
	}
}

// errorKind names an error without what varies between connections
// (addresses, ports).
func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errCertMismatch):
		return "certificate mismatch"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Op + ": " + oe.Err.Error()
	}
	return err.Error()
}
