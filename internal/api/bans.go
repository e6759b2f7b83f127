package api

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"time"
)

// BanView is one ban as the API shows it.
type BanView struct {
	IP     string    `json:"ip"`
	Since  time.Time `json:"since"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
	// Count is the number of bans of this address within a day, this one
	// included (ban times grow with it).
	Count  int  `json:"count"`
	Manual bool `json:"manual"`
}

// Bans are the guard's bans as the API changes them.
type Bans interface {
	List(ctx context.Context) ([]BanView, error)
	Add(ctx context.Context, ip netip.Addr, d time.Duration, reason string) (BanView, error)
	Remove(ctx context.Context, ip netip.Addr) (bool, error)
}

// ErrAllowlisted is returned by Bans.Add for an address of the guard's
// allowlist.
var ErrAllowlisted = errors.New("the address is in the guard's allowlist")

// maxBanTime bounds a manual ban.
const maxBanTime = 10 * 365 * 24 * time.Hour

func (a *handler) routeBans(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/bans", a.listBans)
	mux.HandleFunc("POST /api/v1/bans", a.addBan)
	mux.HandleFunc("DELETE /api/v1/bans/{ip}", a.removeBan)
}

func (a *handler) listBans(w http.ResponseWriter, r *http.Request) {
	list, err := a.d.Bans.List(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "the bans cannot be read now")
		return
	}
	if list == nil {
		list = []BanView{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"bans": list})
}

func (a *handler) addBan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IP       string `json:"ip"`
		Duration string `json:"duration"`
		Reason   string `json:"reason"`
	}
	if !decode(w, r, &in) {
		return
	}
	ip, err := netip.ParseAddr(in.IP)
	if err != nil || ip.Zone() != "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "ip: not an IP address", "fields": []map[string]string{{"field": "ip", "error": "not an IP address"}}})
		return
	}
	d := time.Hour
	if in.Duration != "" {
		if d, err = time.ParseDuration(in.Duration); err != nil || d <= 0 || d > maxBanTime {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "duration: not a positive duration like 1h30m (at most ten years)",
				"fields": []map[string]string{{"field": "duration", "error": "not a positive duration like 1h30m (at most ten years)"}}})
			return
		}
	}
	if in.Reason == "" {
		in.Reason = "banned by an operator"
	}
	if len(in.Reason) > 256 {
		in.Reason = in.Reason[:256]
	}
	b, err := a.d.Bans.Add(r.Context(), ip.Unmap(), d, in.Reason)
	switch {
	case errors.Is(err, ErrAllowlisted):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "the ban cannot be stored now")
	default:
		writeJSON(w, http.StatusCreated, b)
	}
}

func (a *handler) removeBan(w http.ResponseWriter, r *http.Request) {
	ip, err := netip.ParseAddr(r.PathValue("ip"))
	if err != nil {
		writeError(w, http.StatusNotFound, "no such ban")
		return
	}
	ok, err := a.d.Bans.Remove(r.Context(), ip.Unmap())
	switch {
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "the ban cannot be removed now")
	case !ok:
		writeError(w, http.StatusNotFound, "no such ban")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
