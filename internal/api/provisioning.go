package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pbxgate/pbxgate/internal/provision"
	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// Secrets (device HTTP passwords, extension passwords, bootstrap
// passwords) are shown once: in the answer to the write that made them.
// Reads show that they are set, never what they are.

// routeProvisioning adds the provisioning model's endpoints.
func (a *handler) routeProvisioning(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/provisioning/models", a.provModels)
	mux.HandleFunc("GET /api/v1/provisioning/settings", a.provGetSettings)
	mux.HandleFunc("PUT /api/v1/provisioning/settings", a.provPutSettings)
	mux.HandleFunc("GET /api/v1/domains/{name}/provisioning", a.provGetTenant)
	mux.HandleFunc("PUT /api/v1/domains/{name}/provisioning", a.provPutTenant)
	mux.HandleFunc("GET /api/v1/domains/{name}/extensions", a.provListExtensions)
	mux.HandleFunc("POST /api/v1/domains/{name}/extensions", a.provAddExtension)
	mux.HandleFunc("DELETE /api/v1/domains/{name}/extensions/{number}", a.provDeleteExtension)
	mux.HandleFunc("GET /api/v1/templates", a.provListTemplates)
	mux.HandleFunc("POST /api/v1/templates", a.provPutTemplate)
	mux.HandleFunc("DELETE /api/v1/templates/{domain}/{vendor}/{model}/{name}", a.provDeleteTemplate)
	mux.HandleFunc("GET /api/v1/devices", a.provListDevices)
	mux.HandleFunc("POST /api/v1/devices", a.provAddDevice)
	mux.HandleFunc("GET /api/v1/devices/{mac}", a.provGetDevice)
	mux.HandleFunc("PUT /api/v1/devices/{mac}", a.provUpdateDevice)
	mux.HandleFunc("DELETE /api/v1/devices/{mac}", a.provDeleteDevice)
	mux.HandleFunc("POST /api/v1/devices/{mac}/rotate-credentials", a.provRotate)
	mux.HandleFunc("GET /api/v1/ipdns", a.provListIPDNS)
	mux.HandleFunc("POST /api/v1/ipdns", a.provAddIPDNS)
	mux.HandleFunc("DELETE /api/v1/ipdns/{domain}/{ip}", a.provDeleteIPDNS)
}

// ModelView is one supported phone model and the files it requests.
type ModelView struct {
	Model string         `json:"model"`
	Name  string         `json:"name"`
	Lines int            `json:"lines"`
	Files []vendors.File `json:"files"`
}

// Models lists every supported vendor/model, with its file names for the
// example MAC 001565a1b2c3.
func Models() []ModelView {
	out := []ModelView{}
	for _, v := range vendors.All() {
		for _, m := range v.Models() {
			out = append(out, ModelView{Model: v.ID() + "/" + m.ID, Name: v.Name() + " " + m.Name, Lines: m.Lines, Files: v.Files(m.ID, "001565a1b2c3")})
		}
	}
	return out
}

func (a *handler) provModels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"models": Models()})
}

func (a *handler) prov(w http.ResponseWriter) *provision.Service {
	s := a.d.Provisioning()
	if s == nil {
		writeError(w, http.StatusServiceUnavailable, "the provisioning server is not running")
	}
	return s
}

// provError answers a provisioning error with its status and a public
// message.
func provError(w http.ResponseWriter, err error) {
	var fes provision.FieldErrors
	var fe *provision.FieldError
	switch {
	case errors.As(err, &fes):
		list := make([]map[string]string, len(fes))
		for i, e := range fes {
			list[i] = map[string]string{"field": e.Field, "error": e.Msg}
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": fes.Error(), "fields": list})
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": fe.Error(), "fields": []map[string]string{{"field": fe.Field, "error": fe.Msg}}})
	case errors.Is(err, provision.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, provision.ErrExists):
		writeError(w, http.StatusConflict, "already exists")
	case errors.Is(err, provision.ErrConflict):
		writeError(w, http.StatusConflict, "changed concurrently; retry")
	default:
		writeError(w, http.StatusInternalServerError, "the store is unavailable")
	}
}

func (a *handler) provGetSettings(w http.ResponseWriter, r *http.Request) {
	if s := a.prov(w); s != nil {
		writeJSON(w, http.StatusOK, s.Settings())
	}
}

func (a *handler) provPutSettings(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	var in provision.Settings
	if s == nil || !decode(w, r, &in) {
		return
	}
	out, err := s.PutSettings(r.Context(), in)
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// TenantView hides the bootstrap password.
func TenantView(t provision.TenantSettings) provision.TenantSettings {
	if t.Bootstrap.Password != "" {
		t.Bootstrap.Password = provision.HiddenSecret
	}
	return t
}

func (a *handler) provGetTenant(w http.ResponseWriter, r *http.Request) {
	if s := a.prov(w); s != nil {
		writeJSON(w, http.StatusOK, TenantView(s.Tenant(r.PathValue("name"))))
	}
}

func (a *handler) provPutTenant(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	var in provision.TenantSettings
	if s == nil || !decode(w, r, &in) {
		return
	}
	in.Domain = r.PathValue("name")
	out, err := s.PutTenant(r.Context(), in)
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// ExtensionView hides the SIP password.
func ExtensionView(e provision.Extension) provision.Extension {
	e.Password = ""
	return e
}

func (a *handler) provListExtensions(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	list := []provision.Extension{}
	for _, e := range s.Extensions(r.PathValue("name")) {
		list = append(list, ExtensionView(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"extensions": list})
}

func (a *handler) provAddExtension(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	var in provision.Extension
	if s == nil || !decode(w, r, &in) {
		return
	}
	in.Domain = r.PathValue("name")
	out, err := s.AddExtension(r.Context(), in)
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *handler) provDeleteExtension(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	if err := s.DeleteExtension(r.Context(), r.PathValue("name"), r.PathValue("number")); err != nil {
		provError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *handler) provListTemplates(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	list := s.Templates(r.URL.Query().Get("domain"))
	if list == nil {
		list = []provision.Template{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": list})
}

func (a *handler) provPutTemplate(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	var in provision.Template
	if s == nil || !decode(w, r, &in) {
		return
	}
	out, err := s.PutTemplate(r.Context(), in)
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *handler) provDeleteTemplate(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	err := s.DeleteTemplate(r.Context(), r.PathValue("domain"), r.PathValue("vendor")+"/"+r.PathValue("model"), r.PathValue("name"))
	if err != nil {
		provError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// DeviceView is a device as reads show it: credentials' user name, never
// the password, and the last fetches.
type DeviceView struct {
	provision.Device
	HTTPPassword string            `json:"http_password,omitempty"`
	Fetches      []provision.Fetch `json:"fetches,omitempty"`
}

func (a *handler) provListDevices(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	list := []DeviceView{}
	for _, d := range s.Devices(r.URL.Query().Get("domain")) {
		list = append(list, DeviceView{Device: d})
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": list})
}

func (a *handler) provAddDevice(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	var in provision.Device
	if s == nil || !decode(w, r, &in) {
		return
	}
	out, err := s.AddDevice(r.Context(), in)
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// fetchesShown is how many fetches a device's view lists.
const fetchesShown = 20

func (a *handler) provGetDevice(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	mac, err := model.ParseMAC(r.PathValue("mac"))
	d, ok := s.Device(mac)
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	n := fetchesShown
	if v, err := strconv.Atoi(r.URL.Query().Get("fetches")); err == nil && v > 0 && v <= 1000 {
		n = v
	}
	fetches, err := s.DeviceFetches(r.Context(), mac, n)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "the store is unavailable")
		return
	}
	if fetches == nil {
		fetches = []provision.Fetch{}
	}
	writeJSON(w, http.StatusOK, DeviceView{Device: d, Fetches: fetches})
}

func (a *handler) provUpdateDevice(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	var in provision.Device
	if s == nil || !decode(w, r, &in) {
		return
	}
	mac, err := model.ParseMAC(r.PathValue("mac"))
	if err != nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	in.MAC = mac
	out, err := s.UpdateDevice(r.Context(), in)
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, DeviceView{Device: out})
}

func (a *handler) provDeleteDevice(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	if err := s.DeleteDevice(r.Context(), model.MAC(r.PathValue("mac"))); err != nil {
		provError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *handler) provRotate(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	out, err := s.RotateCredentials(r.Context(), model.MAC(r.PathValue("mac")))
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *handler) provListIPDNS(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	list := s.IPDNSList(r.URL.Query().Get("domain"))
	if list == nil {
		list = []provision.IPDNS{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ipdns": list})
}

func (a *handler) provAddIPDNS(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	var in provision.IPDNS
	if s == nil || !decode(w, r, &in) {
		return
	}
	out, err := s.AddIPDNS(r.Context(), in)
	if err != nil {
		provError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *handler) provDeleteIPDNS(w http.ResponseWriter, r *http.Request) {
	s := a.prov(w)
	if s == nil {
		return
	}
	if err := s.DeleteIPDNS(r.Context(), r.PathValue("domain"), r.PathValue("ip")); err != nil {
		provError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
