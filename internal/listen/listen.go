// Package listen binds pbxgate's named listeners and admits connections.
//
// Every accepted connection first meets the [Admitter] (the guard plugs in
// here): a refused peer is closed at once, before any TLS handshake, so it
// costs a socket accept and nothing more. Admitted connections are tracked in
// the sessions table and, on TLS listeners, wrapped in a server-side TLS
// connection whose certificate is asked of a [certs.Resolver] during the
// handshake; tls.Config.Certificates stays empty so that clients without SNI
// reach the resolver too.
package listen

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/sessions"
)

// Admitter decides at accept time whether a peer may connect at all.
type Admitter interface {
	Admit(ip netip.Addr) bool
}

// AdmitFunc adapts a function to [Admitter].
type AdmitFunc func(netip.Addr) bool

// Admit calls f(ip).
func (f AdmitFunc) Admit(ip netip.Addr) bool { return f(ip) }

// Options describe one listener.
type Options struct {
	Name    string
	Address string
	// Resolver gives the certificate of each handshake; nil makes a plain
	// listener.
	Resolver certs.Resolver
	Sessions *sessions.Registry
	Metrics  *Metrics
	Log      *slog.Logger
}

// Metrics counts connections per listener.
type Metrics struct {
	accepted *prometheus.CounterVec
	refused  *prometheus.CounterVec
}

// NewMetrics registers the listener metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_connections_accepted_total", Help: "Connections admitted, per listener.",
		}, []string{"listener"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_connections_refused_total", Help: "Connections refused at accept by the admission hook, per listener.",
		}, []string{"listener"}),
	}
	reg.MustRegister(m.accepted, m.refused)
	return m
}

// Listener is a bound, named listener.
type Listener struct {
	name     string
	inner    net.Listener
	tls      *tls.Config
	sessions *sessions.Registry
	log      *slog.Logger
	admit    atomic.Pointer[Admitter]

	accepted, refused prometheus.Counter
}

// Listen binds the address of o.
func Listen(ctx context.Context, o Options) (*Listener, error) {
	if o.Sessions == nil {
		o.Sessions = sessions.New(nil)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(prometheus.NewRegistry())
	}
	var lc net.ListenConfig
	inner, err := lc.Listen(ctx, "tcp", o.Address)
	if err != nil {
		return nil, fmt.Errorf("listener %s: %w", o.Name, err)
	}
	l := &Listener{
		name: o.Name, inner: inner, sessions: o.Sessions, log: o.Log.With("component", "listen", "listener", o.Name),
		accepted: o.Metrics.accepted.WithLabelValues(o.Name), refused: o.Metrics.refused.WithLabelValues(o.Name),
	}
	if o.Resolver != nil {
		l.tls = &tls.Config{
			MinVersion:     tls.VersionTLS12,
			GetCertificate: o.Resolver.GetCertificate,
			NextProtos:     []string{"h2", "http/1.1"},
		}
	}
	return l, nil
}

// SetAdmitter installs the admission hook; nil admits every peer.
func (l *Listener) SetAdmitter(a Admitter) {
	if a == nil {
		l.admit.Store(nil)
		return
	}
	l.admit.Store(&a)
}

// Name returns the listener's name.
func (l *Listener) Name() string { return l.name }

// TLS reports whether the listener speaks TLS.
func (l *Listener) TLS() bool { return l.tls != nil }

// Addr returns the bound address.
func (l *Listener) Addr() net.Addr { return l.inner.Addr() }

// Close stops accepting.
func (l *Listener) Close() error { return l.inner.Close() }

// Accept waits for the next admitted connection. Refused peers are closed
// here and never returned.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.inner.Accept()
		if err != nil {
			return nil, err
		}
		if !l.admitted(c) {
			l.refused.Inc()
			// Reset rather than FIN: the peer learns nothing and we keep no
			// TIME_WAIT for it.
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = c.Close()
			continue
		}
		l.accepted.Inc()
		tracked := l.sessions.Track(c, l.name, l.tls != nil)
		if l.tls != nil {
			return tls.Server(tracked, l.tls), nil
		}
		return tracked, nil
	}
}

func (l *Listener) admitted(c net.Conn) bool {
	a := l.admit.Load()
	if a == nil {
		return true
	}
	ta, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return true
	}
	return (*a).Admit(ta.AddrPort().Addr().Unmap())
}

// ErrClosed is returned by Accept after Close.
var ErrClosed = net.ErrClosed

var _ net.Listener = (*Listener)(nil)

// IsClosed reports whether err means the listener was closed.
func IsClosed(err error) bool { return errors.Is(err, net.ErrClosed) }
