package gateway

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/realm"
	"github.com/pbxgate/pbxgate/internal/reqinfo"
	"github.com/pbxgate/pbxgate/internal/sessions"
)

// Gateway serves the current snapshot.
type Gateway struct {
	cur     atomic.Pointer[Snapshot]
	metrics *Metrics
	events  event.Sink
	now     func() time.Time
	// Session finds the session of a request; nil disables session notes.
	Session func(r *http.Request) *sessions.Session
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
	s := g.acquire()
	if s == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	defer s.release()

	rec := &statusWriter{ResponseWriter: w}
	w = rec
	w.Header().Set("X-Content-Type-Options", "nosniff")

	c := s.contextFor(r.URL.Path)
	name := "none"
	if c != nil {
		name = c.kind.name
	}
	defer func() { g.metrics.request(name, rec.status()) }()

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
		http.Redirect(w, r, s.httpsURL(r), http.StatusPermanentRedirect)
		return
	case RefusePlain:
		g.metrics.refused(name, v.Reason)
		http.Error(w, "this service is served over HTTPS only", http.StatusForbidden)
		return
	case Authenticate:
		res := c.auth.Authenticate(r)
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
	if s.readTimeout > 0 && r.Header.Get("Upgrade") == "" {
		_ = http.NewResponseController(w).SetReadDeadline(g.now().Add(s.readTimeout))
	}
	c.handler.ServeHTTP(w, r.WithContext(reqinfo.With(r.Context(), info)))
}

func (g *Gateway) authFailed(w http.ResponseWriter, r *http.Request, c *secContext, info *reqinfo.Info, res realm.Result) {
	// Missing credentials, an expired nonce and an unknown nonce checked
	// no password: they are the normal Digest dance, not failures.
	if kind, ok := res.Fail.Event(); ok {
		g.metrics.authFailure(info.Context, string(res.Fail))
		g.emit(kind, info, res.User, r.URL.Path)
	}
	c.auth.Challenge(w, res.Fail == realm.FailStale)
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

// httpsURL is the request's URL on the first TLS listener.
func (s *Snapshot) httpsURL(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if s.httpsPort != "" && s.httpsPort != "443" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), s.httpsPort)
	}
	return "https://" + host + r.URL.RequestURI()
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

// Unwrap lets http.ResponseController reach Flush, Hijack and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
