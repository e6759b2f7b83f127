package proxy

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

// isUpgrade reports whether r asks to switch protocols (WebSocket).
func isUpgrade(r *http.Request) bool {
	if r.Header.Get("Upgrade") == "" {
		return false
	}
	for _, v := range r.Header.Values("Connection") {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "upgrade") {
				return true
			}
		}
	}
	return false
}

// sameOrigin reports whether r carries no Origin header (not a browser) or
// one that names the host and port the request was sent to; a missing port
// is the scheme's default. The scheme itself is not compared: behind a
// TLS-terminating proxy the gateway may not know which one the browser
// used, and one port does not serve both. "null" and unparsable origins are
// foreign.
func sameOrigin(r *http.Request) bool {
	origins := r.Header.Values("Origin")
	if len(origins) == 0 {
		return true
	}
	if len(origins) > 1 {
		return false
	}
	o, err := url.Parse(origins[0])
	if err != nil || o.Host == "" || (o.Scheme != "http" && o.Scheme != "https") {
		return false
	}
	reqScheme := "http"
	if info := reqinfo.From(r.Context()); r.TLS != nil || (info != nil && info.TLS) {
		reqScheme = "https"
	}
	oHost, oPort := splitHostPort(o.Host, o.Scheme)
	rHost, rPort := splitHostPort(r.Host, reqScheme)
	return oHost != "" && strings.EqualFold(oHost, rHost) && oPort == rPort
}

// splitHostPort splits hostport, filling in the scheme's default port.
func splitHostPort(hostport, scheme string) (host, port string) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), ""
	}
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return host, port
}
