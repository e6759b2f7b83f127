// Package proxy is the reverse proxy of the client security context: it
// forwards HTTP requests and WebSocket connections under its prefix to one
// upstream URL.
//
// # Security rules
//
//   - The prefix is stripped and the rest of the path joined to the
//     upstream's path. A request path holding a "." or ".." segment (after
//     percent-decoding; a backslash counts as a separator) is refused with
//     400, so that no request can climb out of the upstream's path prefix.
//   - The gateway's realm credentials never reach the upstream: the
//     Authorization and Proxy-Authorization headers are removed.
//   - Client-supplied forwarding headers are never trusted: every incoming
//     Forwarded, X-Forwarded-* and X-Real-Ip header is removed. The proxy
//     then sets X-Forwarded-For to the client IP that the security middleware
//     decided (reqinfo; the socket peer when there is none), X-Forwarded-Host
//     to the requested host, X-Forwarded-Proto to https or http, and
//     X-Forwarded-User to the authenticated realm user when there is one.
//   - WebSocket upgrades are forwarded. A browser upgrade whose Origin
//     header names another host or port than the one requested is refused
//     with 403 (cross-site WebSocket hijacking: browsers replay cached realm
//     credentials on cross-site handshakes). Clients that send no Origin
//     (not browsers) are not affected.
//   - When the upstream cannot be reached the client gets 502 "bad gateway";
//     the cause is logged (component=proxy), never sent.
//   - Environment proxy variables are ignored: the upstream is dialled
//     directly, over HTTP/1.1.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// Config configures the proxy.
type Config struct {
	// Upstream is the URL requests are forwarded to: scheme http or https,
	// a host, optionally a path prefix; no user info, query or fragment.
	// Example "http://127.0.0.1:8088/".
	Upstream string
	// Prefix is stripped from the request path before forwarding, with a
	// leading and a trailing slash: with Prefix "/client/" and Upstream
	// "http://h/app/", /client/x/y is forwarded to http://h/app/x/y.
	Prefix string
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
	// Transport carries requests to the upstream; nil means a transport with
	// dial and TLS handshake timeouts of 10s and a response header timeout
	// of 60s (see [NewTransport]).
	Transport http.RoundTripper
}

// Proxy forwards requests under a prefix to one upstream. It is safe for
// concurrent use.
type Proxy struct {
	upstream  *url.URL
	prefix    string
	log       *slog.Logger
	transport http.RoundTripper
	rp        *httputil.ReverseProxy
}

// New validates cfg. It does no network I/O.
func New(cfg Config) (*Proxy, error) {
	up, err := parseUpstream(cfg.Upstream)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("prefix: %q must start and end with a slash", cfg.Prefix)
	}
	p := &Proxy{
		upstream:  up,
		prefix:    cfg.Prefix,
		log:       cfg.Log,
		transport: cfg.Transport,
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.log = p.log.With("component", "proxy")
	if p.transport == nil {
		p.transport = NewTransport()
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:      p.rewrite,
		Transport:    p.transport,
		ErrorHandler: p.upstreamFailed,
		ErrorLog:     slog.NewLogLogger(p.log.Handler(), slog.LevelWarn),
	}
	return p, nil
}

// Close drops the idle connections to the upstream. Requests in flight
// (WebSocket connections included) are not interrupted.
func (p *Proxy) Close() error {
	if c, ok := p.transport.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
	return nil
}

// ServeHTTP forwards r to the upstream.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.strip(r.URL); !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if hasDotSegment(r.URL.Path) {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if isUpgrade(r) && !sameOrigin(r) {
		p.log.Info("cross-origin upgrade refused", "remote_ip", clientIP(r))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	p.rp.ServeHTTP(w, r)
}

// upstreamFailed answers 502 and logs the cause.
func (p *Proxy) upstreamFailed(w http.ResponseWriter, r *http.Request, err error) {
	level := slog.LevelWarn
	if errors.Is(err, context.Canceled) {
		level = slog.LevelDebug // the client went away
	}
	p.log.Log(r.Context(), level, "upstream request failed", "remote_ip", clientIP(r), "error", err)
	http.Error(w, "bad gateway", http.StatusBadGateway)
}
