package api

import (
	"net/http"

	"github.com/pbxgate/pbxgate/internal/certs"
)

// Servable is one certificate the gateway can serve.
type Servable struct {
	// Source is "domain", "listener" or "default".
	Source string `json:"source"`
	// Name is the domain, the listener, or the master domain.
	Name        string     `json:"name"`
	Certificate certs.Info `json:"certificate"`
	Problems    []string   `json:"problems"`
}

// Resolution says which certificate a handshake would get and why.
type Resolution struct {
	SNI      string `json:"sni"`
	Listener string `json:"listener"`
	// Source is "domain", "listener", "default" or "none".
	Source      string      `json:"source"`
	Domain      string      `json:"domain,omitempty"`
	Certificate *certs.Info `json:"certificate,omitempty"`
	Steps       []string    `json:"steps"`
}

// TLS is what the API asks of the certificate selection.
type TLS interface {
	// Certificates lists every certificate the gateway can serve.
	Certificates() []Servable
	// Resolve answers which certificate a handshake with sni on the
	// listener would get; ok is false for an unknown or plain listener.
	Resolve(listener, sni string) (res Resolution, ok bool)
}

func (a *handler) certificates(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"certificates": a.d.TLS.Certificates()})
}

func (a *handler) resolve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	res, ok := a.d.TLS.Resolve(q.Get("listener"), q.Get("sni"))
	if !ok {
		writeError(w, http.StatusBadRequest, "listener: no TLS listener of that name")
		return
	}
	writeJSON(w, http.StatusOK, res)
}
