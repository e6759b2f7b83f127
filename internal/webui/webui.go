// Package webui serves the administrator web UI under /admin/. For now it is
// a single page that tells who is signed in and where the API is; the UI
// grows with the features behind it.
package webui

import (
	"html/template"
	"net/http"

	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

var page = template.Must(template.New("admin").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>pbxgate administration</title></head>
<body>
<h1>pbxgate</h1>
<p>Signed in as <strong id="user">{{.User}}</strong> from <span id="ip">{{.IP}}</span>.</p>
<p>The REST API is at <a href="/api/v1/health">/api/v1/health</a>, the system state at
<a href="/api/v1/system/state">/api/v1/system/state</a>.</p>
</body>
</html>
`))

// Handler returns the administrator UI handler.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		data := struct{ User, IP string }{"nobody", ""}
		if info := reqinfo.From(r.Context()); info != nil {
			if info.User != "" {
				data.User = info.User
			}
			data.IP = info.ClientIP.String()
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		_ = page.Execute(w, data)
	})
}
