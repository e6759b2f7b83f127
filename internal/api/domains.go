package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/domains"
)

// maxBody bounds a request body: a domain with its certificate_pem.
const maxBody = domains.MaxCertificatePEMLen + 64<<10

// DomainView is a domain as the API shows it. The certificate_pem is write
// only: it holds a private key, so responses describe the certificate and
// never return the text.
type DomainView struct {
	Name             string    `json:"name"`
	Parent           string    `json:"parent"`
	ACMEEnabled      bool      `json:"acme_enabled"`
	ACMEAccountEmail string    `json:"acme_account_email"`
	Created          time.Time `json:"created"`
	Updated          time.Time `json:"updated"`
	Revision         int64     `json:"revision"`
	Certificate      CertView  `json:"certificate"`
	// ACME is the ACME client's view of a domain with acme_enabled: its
	// state, next renewal, last error, and why nothing renews.
	ACME *acme.Status `json:"acme,omitempty"`
}

// CertView describes a domain's certificate_pem.
type CertView struct {
	Present bool `json:"present"`
	// AutoIssued: the text carries the marker of an automatically issued
	// certificate.
	AutoIssued   bool          `json:"auto_issued"`
	Marker       *certs.Marker `json:"marker,omitempty"`
	Certificates []certs.Info  `json:"certificates"`
	Problems     []string      `json:"problems"`
	Warnings     []string      `json:"warnings,omitempty"`
	// Error says why the text cannot be used at all.
	Error string `json:"error,omitempty"`
}

func (a *handler) view(ctx context.Context, d domains.Domain) DomainView {
	v := ViewDomain(d, a.d.Now())
	if a.d.ACME != nil && d.ACMEEnabled {
		if st, err := a.d.ACME.DomainStatus(ctx, d); err == nil {
			v.ACME = &st
		}
	}
	return v
}

// ViewDomain describes d as the API and the command line show it at now.
func ViewDomain(d domains.Domain, now time.Time) DomainView {
	v := DomainView{
		Name: d.Name, Parent: d.Parent, ACMEEnabled: d.ACMEEnabled, ACMEAccountEmail: d.ACMEAccountEmail,
		Created: d.Created.UTC(), Updated: d.Updated.UTC(), Revision: d.Revision,
		Certificate: CertView{Certificates: []certs.Info{}, Problems: []string{}},
	}
	if d.CertificatePEM == "" {
		return v
	}
	cv := &v.Certificate
	cv.Present = true
	m, err := certs.ParseMerged(d.CertificatePEM)
	if err != nil {
		cv.Error = err.Error()
		cv.Problems = append(cv.Problems, err.Error())
		return v
	}
	cv.Marker, cv.AutoIssued, cv.Warnings = m.Marker, m.Marker != nil, m.Warnings
	for _, p := range m.Pairs {
		cv.Certificates = append(cv.Certificates, certs.Describe(p.Cert))
		cv.Problems = append(cv.Problems, certs.Check(p.Cert, d.Name, now)...)
	}
	return v
}

// domainInput is the body of POST and PATCH: absent fields are nil.
type domainInput struct {
	Name             *string `json:"name"`
	Parent           *string `json:"parent"`
	CertificatePEM   *string `json:"certificate_pem"`
	ACMEEnabled      *bool   `json:"acme_enabled"`
	ACMEAccountEmail *string `json:"acme_account_email"`
	Revision         int64   `json:"revision"`
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
		} else {
			writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		}
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "invalid JSON: more than one value")
		return false
	}
	return true
}

// checkPEM refuses a certificate_pem that could not be served.
func checkPEM(w http.ResponseWriter, pem *string) bool {
	if pem == nil || *pem == "" {
		return true
	}
	if _, err := certs.ParseMerged(*pem); err != nil {
		writeFields(w, []fieldMsg{{"certificate_pem", err.Error()}})
		return false
	}
	return true
}

type fieldMsg struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func writeFields(w http.ResponseWriter, fs []fieldMsg) {
	msg := fs[0].Field + ": " + fs[0].Message
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": msg, "fields": fs})
}

// domainError answers an error of the domains service.
func domainError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, domains.ErrInvalid):
		var fs []fieldMsg
		for _, fe := range domains.FieldErrors(err) {
			fs = append(fs, fieldMsg{fe.Field, fe.Msg})
		}
		if len(fs) == 0 {
			fs = []fieldMsg{{"", "invalid domain"}}
		}
		writeFields(w, fs)
	case errors.Is(err, domains.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such domain")
	case errors.Is(err, domains.ErrExists):
		writeError(w, http.StatusConflict, "the domain exists")
	case errors.Is(err, domains.ErrHasChildren):
		writeError(w, http.StatusConflict, "the domain has children: delete with ?recursive=true")
	case errors.Is(err, domains.ErrConflict):
		writeError(w, http.StatusConflict, "the domain changed since the given revision")
	default:
		writeError(w, http.StatusServiceUnavailable, "the store is unavailable")
	}
}

func (a *handler) listDomains(w http.ResponseWriter, r *http.Request) {
	list, err := a.d.Domains().List(r.Context())
	if err != nil {
		domainError(w, err)
		return
	}
	out := make([]DomainView, len(list))
	for i, d := range list {
		out[i] = a.view(r.Context(), d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"domains": out})
}

func (a *handler) getDomain(w http.ResponseWriter, r *http.Request) {
	d, err := a.d.Domains().Get(r.Context(), r.PathValue("name"))
	if err != nil {
		domainError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a.view(r.Context(), d))
}

func (a *handler) addDomain(w http.ResponseWriter, r *http.Request) {
	var in domainInput
	if !decode(w, r, &in) || !checkPEM(w, in.CertificatePEM) {
		return
	}
	d := domains.Domain{Name: deref(in.Name), Parent: deref(in.Parent), CertificatePEM: deref(in.CertificatePEM), ACMEAccountEmail: deref(in.ACMEAccountEmail)}
	if in.ACMEEnabled != nil {
		d.ACMEEnabled = *in.ACMEEnabled
	}
	out, err := a.d.Domains().Add(r.Context(), d)
	if err != nil {
		domainError(w, err)
		return
	}
	a.changed(r.Context())
	w.Header().Set("Location", "/api/v1/domains/"+out.Name)
	writeJSON(w, http.StatusCreated, a.view(r.Context(), out))
}

func (a *handler) patchDomain(w http.ResponseWriter, r *http.Request) {
	var in domainInput
	if !decode(w, r, &in) || !checkPEM(w, in.CertificatePEM) {
		return
	}
	if in.Name != nil && *in.Name != r.PathValue("name") {
		writeFields(w, []fieldMsg{{"name", "renaming is not supported: delete and add"}})
		return
	}
	out, err := a.d.Domains().Update(r.Context(), r.PathValue("name"), domains.Patch{
		Parent: in.Parent, CertificatePEM: in.CertificatePEM, ACMEEnabled: in.ACMEEnabled,
		ACMEAccountEmail: in.ACMEAccountEmail, Revision: in.Revision,
	})
	if err != nil {
		domainError(w, err)
		return
	}
	a.changed(r.Context())
	writeJSON(w, http.StatusOK, a.view(r.Context(), out))
}

func (a *handler) deleteDomain(w http.ResponseWriter, r *http.Request) {
	recursive := r.URL.Query().Get("recursive") == "true"
	names, err := a.d.Domains().Remove(r.Context(), r.PathValue("name"), recursive)
	if err != nil {
		domainError(w, err)
		return
	}
	a.changed(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"deleted": names})
}

// changed tells the daemon the tree changed, so that the next handshake
// already sees it.
func (a *handler) changed(ctx context.Context) {
	if a.d.DomainsChanged != nil {
		a.d.DomainsChanged(ctx)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
