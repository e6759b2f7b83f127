package acme

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/domains"
)

// Domain states, as Status and the API show them.
const (
	// StateOff: ACME is not configured (no acme.directory).
	StateOff = "off"
	// StateIncomplete: acme_enabled without an acme_account_email.
	StateIncomplete = "incomplete"
	// StateManual: certificate_pem was written by someone else; nothing
	// renews until it is cleared.
	StateManual = "manual"
	// StatePending: no certificate yet; one is ordered at the next check.
	StatePending = "pending"
	// StateValid: an automatic certificate, renewed at NextRenewal.
	StateValid = "valid"
	// StateDue: the automatic certificate is due for renewal.
	StateDue = "due"
	// StateFailing: the last order failed; the next one waits for
	// NextAttempt.
	StateFailing = "failing"
	// StateQueued: the weekly order budget of the registered domain is
	// spent; the order waits for NextAttempt.
	StateQueued = "queued"
)

// Input is what Plan decides on: one domain and what the store knows of it.
type Input struct {
	Domain domains.Domain
	// State is the domain's renewal state from the store (zero if none).
	State DomainState
	// Configured is false when ACME has no directory.
	Configured bool
	// RenewRatio is the part of the lifetime after which to renew.
	RenewRatio float64
	Now        time.Time
}

// Decision is what Plan says to do with a domain.
type Decision struct {
	// State is one of the State constants.
	State string
	// Order is true when a certificate must be ordered now.
	Order bool
	// Reason explains State in a sentence, for the operator.
	Reason string
	// Leaf is the automatic certificate in use (nil if none): a renewal
	// names it as the certificate it replaces.
	Leaf *x509.Certificate
	// NotAfter is the expiry of the certificate in use, if any.
	NotAfter time.Time
	// NextRenewal is when the automatic certificate is renewed (zero
	// without one).
	NextRenewal time.Time
	// Overdue is set when the renewal of the automatic certificate should
	// have happened by now.
	Overdue bool
}

// Plan decides what to do with in.Domain now. It does no I/O.
//
// Only a domain with acme_enabled is planned at all; the caller skips the
// others. A certificate_pem without the marker of [certs.Marker], or whose
// leaf is not the one the client last wrote (the marker copied onto another
// certificate), is manual. An automatic certificate is renewed at
// RenewRatio of its lifetime, or at the time picked in the CA's ARI window
// if that is earlier. An order that failed waits for its backoff; one over
// the budget waits for the budget.
func Plan(in Input) Decision {
	d := in.Domain
	switch {
	case !in.Configured:
		return Decision{State: StateOff, Reason: "acme.directory is not set in the configuration: ACME is off"}
	case d.ACMEAccountEmail == "":
		return Decision{State: StateIncomplete, Reason: "acme_enabled needs acme_account_email"}
	}
	var out Decision
	if d.CertificatePEM != "" {
		m, err := certs.ParseMerged(d.CertificatePEM)
		if err != nil {
			return Decision{State: StateManual, Reason: "certificate_pem was written by hand and does not parse; clear it to let ACME issue one"}
		}
		leaf := m.Pairs[0].Cert.Leaf
		switch {
		case m.Marker == nil:
			return Decision{State: StateManual, NotAfter: leaf.NotAfter,
				Reason: "certificate_pem was written by hand (no pbxgate-acme marker): automatic renewal stopped; clear certificate_pem to let ACME issue one"}
		case in.State.LeafSHA256 != "" && in.State.LeafSHA256 != Fingerprint(leaf):
			return Decision{State: StateManual, NotAfter: leaf.NotAfter,
				Reason: "certificate_pem carries a pbxgate-acme marker but not the certificate pbxgate issued: automatic renewal stopped; clear certificate_pem to let ACME issue one"}
		}
		out.Leaf, out.NotAfter = leaf, leaf.NotAfter
		out.NextRenewal = RenewAt(leaf, in.RenewRatio)
		if t := in.State.ARISelected; !t.IsZero() && in.State.ARIFor == Fingerprint(leaf) && t.Before(out.NextRenewal) {
			out.NextRenewal = t
		}
		if in.Now.Before(out.NextRenewal) {
			out.State = StateValid
			out.Reason = fmt.Sprintf("automatic certificate, renewed from %s", out.NextRenewal.UTC().Format(time.RFC3339))
			return out
		}
		out.Overdue = in.Now.Sub(out.NextRenewal) > overdueAfter(leaf)
		out.State, out.Reason = StateDue, "automatic certificate due for renewal"
	} else {
		out.State, out.Reason = StatePending, "no certificate yet"
	}
	switch s := in.State; {
	case s.NextAttempt.After(in.Now) && s.Queued:
		out.State = StateQueued
		out.Reason = fmt.Sprintf("%s; the weekly order budget of %s is spent: next order at %s", out.Reason, s.QueuedFor, s.NextAttempt.UTC().Format(time.RFC3339))
		return out
	case s.NextAttempt.After(in.Now):
		out.State = StateFailing
		out.Reason = fmt.Sprintf("%s; %d failed attempt(s), next at %s: %s", out.Reason, s.Failures, s.NextAttempt.UTC().Format(time.RFC3339), s.LastError)
		return out
	}
	out.Order = true
	return out
}

// RenewAt is when a certificate is renewed: after ratio of its lifetime.
func RenewAt(leaf *x509.Certificate, ratio float64) time.Time {
	life := leaf.NotAfter.Sub(leaf.NotBefore)
	return leaf.NotBefore.Add(time.Duration(float64(life) * ratio))
}

// overdueAfter is how long after its renewal time a certificate counts as
// overdue: a tenth of its lifetime, at most a day. A renewal that works
// takes seconds; one still missing after that is worth an alarm.
func overdueAfter(leaf *x509.Certificate) time.Duration {
	return min(leaf.NotAfter.Sub(leaf.NotBefore)/10, 24*time.Hour)
}

// Fingerprint is the hex SHA-256 of a certificate's DER.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}
