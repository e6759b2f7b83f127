package acme

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/mholt/acmez/v3/acme"

	"github.com/pbxgate/pbxgate/internal/domains"
)

// Alarm kinds of GET /api/v1/system/state.
const (
	AlarmFailing = "acme_failing"
	AlarmOverdue = "certificate_renewal_overdue"
)

// Status is what `pbxgate acme status` and the API show of one domain.
type Status struct {
	Domain string `json:"domain"`
	// State is one of the State constants; Reason says why in a sentence.
	State  string `json:"state"`
	Reason string `json:"reason"`
	// NotAfter is the expiry of the certificate in use (zero if none).
	NotAfter time.Time `json:"not_after,omitzero"`
	// NextRenewal is when the automatic certificate is renewed.
	NextRenewal time.Time `json:"next_renewal,omitzero"`
	// Overdue says that the renewal should have happened by now.
	Overdue bool `json:"overdue"`
	// NextAttempt is when an order waiting for its backoff or the budget
	// is placed.
	NextAttempt  time.Time `json:"next_attempt,omitzero"`
	Failures     int       `json:"failures"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	// Issued and Order describe the last certificate pbxgate wrote.
	Issued time.Time `json:"issued,omitzero"`
	Order  string    `json:"order,omitempty"`
}

// Status returns the status of every domain with acme_enabled, sorted by
// name. It reads the store only; it contacts no CA.
func (m *Manager) Status(ctx context.Context) ([]Status, error) {
	list, err := m.opts.Domains.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, d := range list {
		if !d.ACMEEnabled {
			continue
		}
		s, err := m.DomainStatus(ctx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// DomainStatus returns the status of d, which may not ask for ACME at all
// (state "" then).
func (m *Manager) DomainStatus(ctx context.Context, d domains.Domain) (Status, error) {
	if !d.ACMEEnabled {
		return Status{Domain: d.Name, Reason: "acme_enabled is false"}, nil
	}
	var st DomainState
	if _, err := loadJSON(ctx, m.opts.Store, stateKey(d.Name), &st); err != nil {
		return Status{}, fmt.Errorf("acme state of %s: %w", d.Name, err)
	}
	cfg := m.config()
	dec := Plan(Input{Domain: d, State: st, Configured: cfg.Directory != "", RenewRatio: cfg.RenewRatio, Now: m.now()})
	s := Status{
		Domain: d.Name, State: dec.State, Reason: dec.Reason,
		NotAfter: dec.NotAfter, NextRenewal: dec.NextRenewal, Overdue: dec.Overdue,
		Failures: st.Failures, FailingSince: st.FailingSince, LastError: st.LastError,
		Issued: st.Issued, Order: st.Order,
	}
	if st.NextAttempt.After(m.now()) {
		s.NextAttempt = st.NextAttempt
	}
	if dec.State == StateManual {
		// The failures of the automatic certificate no longer matter.
		s.Failures, s.FailingSince, s.LastError = 0, time.Time{}, ""
	}
	return s, nil
}

// refreshARI asks the CA for the renewal window of the automatic
// certificate leaf when the last answer is stale, and keeps the time picked
// in it. It returns the state as saved and whether the renewal time moved.
func (m *Manager) refreshARI(ctx context.Context, cfg *clientConfig, name string, leaf *x509.Certificate, st DomainState) (DomainState, bool) {
	fp := Fingerprint(leaf)
	now := m.now()
	if st.ARIFor == fp && now.Before(st.ARINext) {
		return st, false
	}
	client := &acme.Client{Directory: cfg.Directory, HTTPClient: cfg.http, UserAgent: m.opts.UserAgent}
	ri, err := client.GetRenewalInfo(ctx, leaf)
	next := now.Add(6 * time.Hour)
	var selected time.Time
	switch {
	case errors.Is(err, acme.ErrUnsupported):
		next = now.Add(24 * time.Hour)
	case err != nil:
		m.log.Debug("acme: renewal information unavailable", "domain", name, "err", err)
		next = now.Add(time.Hour)
	default:
		selected = ri.SelectedTime
		if ri.RetryAfter != nil && ri.RetryAfter.After(now) {
			next = *ri.RetryAfter
		}
	}
	moved := !selected.Equal(st.ARISelected)
	saved, err := updateJSON(ctx, m.opts.Store, stateKey(name), func(s *DomainState) error {
		if s.LeafSHA256 != st.LeafSHA256 {
			return errStale
		}
		s.ARISelected, s.ARIFor, s.ARINext = selected, fp, next
		return nil
	})
	if err != nil {
		if !errors.Is(err, errStale) {
			m.log.Warn("acme: cannot save the renewal information", "domain", name, "err", err)
		}
		return st, false
	}
	return saved, moved
}

// errStale stops a state update made for a certificate that was replaced
// meanwhile.
var errStale = errors.New("state changed meanwhile")
