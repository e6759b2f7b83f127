package proxy

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"

	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

// rewrite turns the inbound request into the upstream request.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	rel, _ := p.strip(pr.In.URL)
	pr.Out.URL.Path, pr.Out.URL.RawPath = rel.Path, rel.RawPath
	pr.SetURL(p.upstream)

	h := pr.Out.Header
	h.Del("Authorization")
	h.Del("Proxy-Authorization")
	h.Del("Forwarded")
	h.Del("X-Real-Ip")
	for k := range h {
		if strings.HasPrefix(k, "X-Forwarded-") {
			delete(h, k)
		}
	}
	if ip := clientIP(pr.In); ip.IsValid() {
		h.Set("X-Forwarded-For", ip.String())
	}
	h.Set("X-Forwarded-Host", pr.In.Host)
	info := reqinfo.From(pr.In.Context())
	if pr.In.TLS != nil || (info != nil && info.TLS) {
		h.Set("X-Forwarded-Proto", "https")
	} else {
		h.Set("X-Forwarded-Proto", "http")
	}
	if info != nil && info.User != "" {
		h.Set("X-Forwarded-User", info.User)
	}
}

// strip removes the prefix from u's path, keeping the leading slash: the
// prefix "/client/" turns /client/app/x into /app/x, and /client into /.
func (p *Proxy) strip(u *url.URL) (*url.URL, bool) {
	keep := len(p.prefix) - 1 // the prefix's trailing slash stays
	base := p.prefix[:keep]
	if u.Path == base {
		return &url.URL{Path: "/"}, true
	}
	if !strings.HasPrefix(u.Path, p.prefix) {
		return nil, false
	}
	out := &url.URL{Path: u.Path[keep:]}
	if u.RawPath != "" {
		// RawPath is only set when it is a valid encoding of Path; the
		// prefix has no escapes to compare, so it must match literally.
		if !strings.HasPrefix(u.RawPath, p.prefix) {
			return nil, false
		}
		out.RawPath = u.RawPath[keep:]
	}
	return out, true
}

// hasDotSegment reports whether the decoded path has a "." or ".." segment,
// counting backslashes as separators as some upstream servers do.
func hasDotSegment(p string) bool {
	for seg := range strings.FieldsFuncSeq(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// clientIP is the client the security middleware decided on, else the
// socket peer.
func clientIP(r *http.Request) netip.Addr {
	if info := reqinfo.From(r.Context()); info != nil && info.ClientIP.IsValid() {
		return info.ClientIP.Unmap()
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap()
		}
	}
	return netip.Addr{}
}
