package proxy

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"strings"
	"testing"
)

// FuzzForwardPath: whatever request target a client sends, a request that
// the proxy forwards lands under the upstream's path prefix, even for an
// upstream that resolves dot segments or treats backslashes as separators.
func FuzzForwardPath(f *testing.F) {
	for _, s := range []string{
		"/client/app/x", "/client/", "/client", "/client/../admin", "/client/%2e%2e/admin",
		"/client/..%2fadmin", `/client/..\admin`, "/client/%5c..%5cadmin", "/client/a%2Fb?q=1",
		"/client/./x", "/clientx", "/client//..//x",
	} {
		f.Add(s)
	}
	p, err := New(Config{Upstream: "http://127.0.0.1:9/base/", Prefix: "/client/"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") {
			return // the HTTP server refuses it before any handler
		}
		if _, ok := p.strip(u); !ok || hasDotSegment(u.Path) {
			return // ServeHTTP answers 404 or 400
		}
		in := httptest.NewRequest(http.MethodGet, "http://gw.example/", nil)
		in.URL = u
		pr := &httputil.ProxyRequest{In: in, Out: in.Clone(in.Context())}
		p.rewrite(pr)

		out := pr.Out.URL
		if out.Host != "127.0.0.1:9" || out.Scheme != "http" {
			t.Fatalf("%q forwarded to %s", target, out)
		}
		for _, form := range []string{out.Path, strings.ReplaceAll(out.Path, `\`, "/")} {
			if !strings.HasPrefix(form, "/base/") || !strings.HasPrefix(path.Clean(form)+"/", "/base/") {
				t.Fatalf("%q forwarded as %q, outside /base/", target, out.Path)
			}
		}
	})
}
