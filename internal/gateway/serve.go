package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/realm"
	"github.com/pbxgate/pbxgate/internal/reqinfo"
	"github.com/pbxgate/pbxgate/internal/sessions"
)

// Gateway serves the current snapshot.
type Gateway struct {
	cur      atomic.Pointer[Snapshot]
	inflight sync.WaitGroup
	metrics  *Metrics
	events   event.Sink
	now      func() time.Time
	// Session finds the session of a request; nil disables session notes.
	Session func(r *http.Request) *sessions.Session
	// Banned tells whether a client is banned by the guard: its requests
	// get 403 without reaching any service (they arrive anyway when the
	// client is behind a trusted proxy, whose own address is admitted at
	// accept). Nil bans nobody.
	Banned func(ip netip.Addr) bool
}

// New returns a Gateway with no snapshot: it answers 503 until [Gateway.Swap].
func New(m *Metrics, events event.Sink) *Gateway {
	if events == nil {
		events = event.Discard
	}
	return &Gateway{metrics: m, events: events, now: time.Now}
}

// Swap installs s and retires the snapshot it replaces.
func (g *Gateway) Swap(s *Snapshot) {
	if old := g.cur.Swap(s); old != nil {
		old.Retire()
	}
}

// Wait waits until no request is being served, or ctx ends. Call it once
// the listeners no longer accept.
func (g *Gateway) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		g.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close retires the current snapshot.
func (g *Gateway) Close() {
	if old := g.cur.Swap(nil); old != nil {
		old.Retire()
	}
}

func (g *Gateway) acquire() *Snapshot {
	for {
		s := g.cur.Load()
		if s == nil || s.acquire() {
			return s
		}
	}
}

// ServeHTTP routes the request to its context, applies the context's
// security, then serves it.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.inflight.Add(1)
	defer g.inflight.Done()
	s := g.acquire()
	if s == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	defer s.release()

	rec := &statusWriter{ResponseWriter: w}
	w = rec
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// The body of every request is bounded in time, refused ones included
	// (slowloris); only a WebSocket upgrade admitted to the client context
	// is freed of it below.
	rc := http.NewResponseController(w)
	if s.readTimeout > 0 {
		_ = rc.SetReadDeadline(g.now().Add(s.readTimeout))
	}

	if !canonicalPath(r) {
		g.metrics.request("none", http.StatusBadRequest)
		info := &reqinfo.Info{ClientIP: s.clientIP(r), Context: "none", TLS: r.TLS != nil}
		g.emit(event.Traversal, info, "", r.URL.EscapedPath())
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	c := s.contextFor(r.URL.Path)
	name := "none"
	if c != nil {
		name = c.kind.name
	}
	defer func() { g.metrics.request(name, rec.status()) }()

	if g.Banned != nil && g.Banned(s.clientIP(r)) {
		g.metrics.refused(name, "banned")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}

	if c == nil {
		g.serveUnrouted(w, r, s)
		return
	}
	info := &reqinfo.Info{ClientIP: s.clientIP(r), Context: name, TLS: r.TLS != nil}
	var sess *sessions.Session
	if g.Session != nil {
		if sess = g.Session(r); sess != nil {
			sess.SetRequest(name, "")
		}
	}

	v := c.policy.Decide(Request{ClientIP: info.ClientIP, TLS: info.TLS, Browser: isBrowser(r)})
	switch v.Action {
	case RefuseIP:
		g.metrics.refused(name, v.Reason)
		g.emit(event.IPRefused, info, "", r.URL.Path)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	case RedirectTLS:
		target, ok := s.httpsURL(r)
		if !ok {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
		return
	case RefusePlain:
		g.metrics.refused(name, v.Reason)
		http.Error(w, "this service is served over HTTPS only", http.StatusForbidden)
		return
	case Authenticate:
		res := c.authenticate(r, info.TLS)
		if !res.OK {
			g.authFailed(w, r, c, info, res)
			return
		}
		info.User = res.User
		if sess != nil {
			sess.SetRequest(name, res.User)
		}
	}
	if c.handler == nil {
		http.NotFound(w, r)
		return
	}
	if c.kind.upgrades && isUpgrade(r) {
		_ = rc.SetReadDeadline(time.Time{})
	}
	c.handler.ServeHTTP(w, r.WithContext(reqinfo.With(r.Context(), info)))
}

// authenticate asks the context's authenticator. Where the scheme is "any",
// Basic is neither offered nor accepted over plain HTTP: the password would
// cross the network in clear when Digest could have been used.
func (c *secContext) authenticate(r *http.Request, tls bool) realm.Result {
	if !tls && c.scheme == realm.SchemeAny && hasBasic(r) {
		return realm.Result{Scheme: "basic", Fail: realm.FailSchemeNotAllowed}
	}
	return c.auth.Authenticate(r)
}

func hasBasic(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	return len(h) >= 6 && strings.EqualFold(h[:6], "basic ")
}

func (g *Gateway) authFailed(w http.ResponseWriter, r *http.Request, c *secContext, info *reqinfo.Info, res realm.Result) {
	// Missing credentials, an expired nonce and an unknown nonce checked
	// no password: they are the normal Digest dance, not failures.
	if kind, ok := res.Fail.Event(); ok {
		g.metrics.authFailure(info.Context, string(res.Fail))
		g.emit(kind, info, res.User, r.URL.Path)
	}
	stale := res.Fail == realm.FailStale
	if info.TLS || c.scheme != realm.SchemeAny {
		c.auth.Challenge(w, stale)
		return
	}
	hdrs, err := c.auth.ChallengeHeaders(stale)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	for _, h := range hdrs {
		if !strings.HasPrefix(h, "Basic ") {
			w.Header().Add("WWW-Authenticate", h)
		}
	}
	http.Error(w, "401 unauthorized", http.StatusUnauthorized)
}

func (g *Gateway) emit(k event.Kind, info *reqinfo.Info, user, target string) {
	g.events.Emit(event.Event{Kind: k, Time: g.now(), Context: info.Context, RemoteIP: info.ClientIP, User: user, Target: target})
}

// serveUnrouted answers paths outside every context: / and the bare context
// names redirect to their folder, everything else is 404.
func (g *Gateway) serveUnrouted(w http.ResponseWriter, r *http.Request, s *Snapshot) {
	if r.URL.Path == "/" && isBrowser(r) {
		http.Redirect(w, r, "/admin/", http.StatusFound)
		return
	}
	for _, c := range s.contexts {
		if r.URL.Path == strings.TrimSuffix(c.kind.prefix, "/") && c.handler != nil {
			http.Redirect(w, r, c.kind.prefix, http.StatusPermanentRedirect)
			return
		}
	}
	http.NotFound(w, r)
}

// clientIP is the socket peer, or the forwarded client when the peer is a
// trusted proxy.
func (s *Snapshot) clientIP(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return s.proxies.ClientIP(peer.Addr(), r.Header.Values("X-Forwarded-For"))
}

// httpsURL is the request's URL on the first TLS listener. The host comes
// from the request, so it must be a plain DNS name or IP address; anything
// else is refused rather than echoed into a Location header.
func (s *Snapshot) httpsURL(r *http.Request) (string, bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		host = s.masterDomain
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return "", false
		}
	} else if !isDNSName(host) {
		return "", false
	}
	if s.httpsPort != "" && s.httpsPort != "443" {
		host = net.JoinHostPort(host, s.httpsPort)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "https://" + host + r.URL.RequestURI(), true
}

// isDNSName reports whether s is a syntactically valid host name.
func isDNSName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// canonicalPath reports whether the request path is free of what could
// route one context's request to another's service: dot segments, empty
// segments, and encoded slashes, backslashes or dots. Each service checks
// its own paths too; this is the gateway's line of defence.
func canonicalPath(r *http.Request) bool {
	p := r.URL.Path
	if p == "" || p[0] != '/' || strings.Contains(p, "//") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	raw := strings.ToLower(r.URL.RawPath)
	return !strings.Contains(raw, "%2f") && !strings.Contains(raw, "%5c") && !strings.Contains(raw, "%2e") && !strings.Contains(raw, "%00")
}

// isUpgrade reports whether the request asks to switch protocols.
func isUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" && strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade")
}

// isBrowser reports whether the request looks like a browser navigation.
func isBrowser(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// statusWriter remembers the status code for metrics.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps the sendfile path of the underlying writer for file
// downloads.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return io.Copy(w.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach Flush, Hijack and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
