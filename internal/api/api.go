// Package api is pbxgate's REST API, served under /api/v1/ in the
// communication_manager security context. Every answer is JSON; errors are
// {"error": "..."} with a public message only.
package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/alarm"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/provision"
	"github.com/pbxgate/pbxgate/internal/sessions"
)

// Status is what the daemon tells about itself.
type Status struct {
	Node    string    `json:"node"`
	Version string    `json:"version"`
	Started time.Time `json:"started"`
	// Config describes the configuration being served.
	Config ConfigStatus `json:"config"`
}

// ConfigStatus describes the configuration being served.
type ConfigStatus struct {
	Source     string    `json:"source"`
	Generation int64     `json:"generation"`
	LoadedAt   time.Time `json:"loaded_at"`
}

// Deps are what the API reads.
type Deps struct {
	Status   func() Status
	Alarms   interface{ List() []alarm.Alarm }
	Sessions interface{ List() []sessions.Snapshot }
	// Nodes lists the gateway nodes sharing the store (the cluster).
	Nodes func(ctx context.Context) ([]Node, error)
	// Domains returns the domain tree's rules over the store.
	Domains func() *domains.Service
	// DomainsChanged is called after a write to the domain tree.
	DomainsChanged func(ctx context.Context)
	TLS            TLS
	// ACME reads the ACME client's state of the domains.
	ACME ACME
	// Provisioning returns the provisioning model (nil while it is not
	// running).
	Provisioning func() *provision.Service
	// Bans are the guard's bans (nil when the guard is off).
	Bans Bans
	Now  func() time.Time
}

// ACME is the ACME client as the API reads it.
type ACME interface {
	Status(ctx context.Context) ([]acme.Status, error)
	DomainStatus(ctx context.Context, d domains.Domain) (acme.Status, error)
}

// Node is one gateway node seen in the store.
type Node struct {
	ID        string    `json:"id"`
	Hostname  string    `json:"hostname"`
	Version   string    `json:"version"`
	StartedAt time.Time `json:"started_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// New returns the API handler, to be mounted at /api/.
func New(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	a := &handler{d: d}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/health", a.health)
	mux.HandleFunc("GET /api/v1/system/state", a.systemState)
	mux.HandleFunc("GET /api/v1/sessions", a.sessions)
	if d.Domains != nil {
		mux.HandleFunc("GET /api/v1/domains", a.listDomains)
		mux.HandleFunc("POST /api/v1/domains", a.addDomain)
		mux.HandleFunc("GET /api/v1/domains/{name}", a.getDomain)
		mux.HandleFunc("PATCH /api/v1/domains/{name}", a.patchDomain)
		mux.HandleFunc("DELETE /api/v1/domains/{name}", a.deleteDomain)
	}
	if d.ACME != nil {
		mux.HandleFunc("GET /api/v1/acme", a.acmeStatus)
	}
	if d.Provisioning != nil {
		a.routeProvisioning(mux)
	}
	if d.Bans != nil {
		a.routeBans(mux)
	}
	if d.TLS != nil {
		mux.HandleFunc("GET /api/v1/certificates", a.certificates)
		mux.HandleFunc("GET /api/v1/tls/resolve", a.resolve)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	})
	return mux
}

type handler struct{ d Deps }

// acmeStatus lists the ACME state of every domain with acme_enabled.
func (a *handler) acmeStatus(w http.ResponseWriter, r *http.Request) {
	list, err := a.d.ACME.Status(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "the ACME state cannot be read now")
		return
	}
	if list == nil {
		list = []acme.Status{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"domains": list})
}

func (a *handler) health(w http.ResponseWriter, r *http.Request) {
	st := a.d.Status()
	writeJSON(w, http.StatusOK, map[string]any{
		"status":         "ok",
		"node":           st.Node,
		"version":        st.Version,
		"uptime_seconds": int64(a.d.Now().Sub(st.Started).Seconds()),
	})
}

func (a *handler) systemState(w http.ResponseWriter, r *http.Request) {
	doc := map[string]any{
		"status": a.d.Status(),
		"alarms": a.d.Alarms.List(),
	}
	if a.d.Nodes != nil {
		nodes, err := a.d.Nodes(r.Context())
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, "the store is unavailable")
			return
		}
		doc["nodes"] = nodes
	}
	writeJSON(w, http.StatusOK, doc)
}

func (a *handler) sessions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"sessions": a.d.Sessions.List()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
