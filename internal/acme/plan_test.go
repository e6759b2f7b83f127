package acme

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/domains"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// testCert makes a merged PEM for name valid from nb for life, with the
// marker when auto, and returns it with its leaf.
func testCert(t *testing.T, name string, nb time.Time, life time.Duration, auto bool) (string, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    nb,
		NotAfter:     nb.Add(life),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	text := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	if auto {
		text = certs.FormatMarker(certs.Marker{Issuer: "https://ca.test/dir", Order: "https://ca.test/order/1", IssuedAt: nb}) + text
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return text, leaf
}

func TestPlan(t *testing.T) {
	const day = 24 * time.Hour
	auto90, leaf90 := testCert(t, "a.pbx.test", t0, 90*day, true)
	auto45, leaf45 := testCert(t, "a.pbx.test", t0, 45*day, true)
	manual, _ := testCert(t, "a.pbx.test", t0, 90*day, false)
	ours := DomainState{LeafSHA256: Fingerprint(leaf90)}
	dom := func(pem string) domains.Domain {
		return domains.Domain{Name: "a.pbx.test", Parent: "pbx.test", CertificatePEM: pem, ACMEEnabled: true, ACMEAccountEmail: "ops@pbx.test"}
	}
	tests := []struct {
		name        string
		in          Input
		state       string
		order       bool
		overdue     bool
		nextRenewal time.Time
		reason      string // a part of Reason
	}{
		{name: "off/no-directory", in: Input{Domain: dom("")}, state: StateOff, reason: "acme.directory"},
		{name: "incomplete/no-email", in: Input{Configured: true, Domain: domains.Domain{Name: "a.pbx.test", ACMEEnabled: true}}, state: StateIncomplete, reason: "acme_account_email"},
		{name: "pending/no-certificate", in: Input{Configured: true, Domain: dom(""), Now: t0}, state: StatePending, order: true},
		{name: "manual/no-marker", in: Input{Configured: true, Domain: dom(manual), Now: t0}, state: StateManual, reason: "no pbxgate-acme marker"},
		{name: "manual/unparsable", in: Input{Configured: true, Domain: dom("garbage"), Now: t0}, state: StateManual, reason: "does not parse"},
		{name: "manual/marker-on-another-certificate", in: Input{Configured: true, Domain: dom(auto45), State: ours, Now: t0}, state: StateManual, reason: "not the certificate pbxgate issued"},
		{name: "manual/even-when-overdue", in: Input{Configured: true, Domain: dom(manual), Now: t0.Add(89 * day)}, state: StateManual},
		{name: "valid/fresh", in: Input{Configured: true, Domain: dom(auto90), State: ours, RenewRatio: 2.0 / 3, Now: t0.Add(day)},
			state: StateValid, nextRenewal: t0.Add(60 * day)},
		{name: "valid/marker-without-state", in: Input{Configured: true, Domain: dom(auto90), RenewRatio: 2.0 / 3, Now: t0.Add(day)},
			state: StateValid, nextRenewal: t0.Add(60 * day)},
		{name: "valid/just-before-two-thirds", in: Input{Configured: true, Domain: dom(auto90), State: ours, RenewRatio: 2.0 / 3, Now: t0.Add(60*day - time.Second)},
			state: StateValid, nextRenewal: t0.Add(60 * day)},
		{name: "due/90-day-at-60", in: Input{Configured: true, Domain: dom(auto90), State: ours, RenewRatio: 2.0 / 3, Now: t0.Add(60 * day)},
			state: StateDue, order: true, nextRenewal: t0.Add(60 * day)},
		{name: "due/45-day-at-30", in: Input{Configured: true, Domain: dom(auto45), State: DomainState{LeafSHA256: Fingerprint(leaf45)}, RenewRatio: 2.0 / 3, Now: t0.Add(30 * day)},
			state: StateDue, order: true, nextRenewal: t0.Add(30 * day)},
		{name: "due/ratio-half", in: Input{Configured: true, Domain: dom(auto90), State: ours, RenewRatio: 0.5, Now: t0.Add(45 * day)},
			state: StateDue, order: true, nextRenewal: t0.Add(45 * day)},
		{name: "due/ari-earlier", in: Input{Configured: true, Domain: dom(auto90),
			State: DomainState{LeafSHA256: Fingerprint(leaf90), ARIFor: Fingerprint(leaf90), ARISelected: t0.Add(10 * day)}, RenewRatio: 2.0 / 3, Now: t0.Add(11 * day)},
			state: StateDue, order: true, nextRenewal: t0.Add(10 * day)},
		{name: "due/ari-later-does-not-delay", in: Input{Configured: true, Domain: dom(auto90),
			State: DomainState{LeafSHA256: Fingerprint(leaf90), ARIFor: Fingerprint(leaf90), ARISelected: t0.Add(80 * day)}, RenewRatio: 2.0 / 3, Now: t0.Add(61*day - time.Hour)},
			state: StateDue, order: true, nextRenewal: t0.Add(60 * day)},
		{name: "valid/ari-of-another-certificate-is-ignored", in: Input{Configured: true, Domain: dom(auto90),
			State: DomainState{LeafSHA256: Fingerprint(leaf90), ARIFor: "00", ARISelected: t0.Add(10 * day)}, RenewRatio: 2.0 / 3, Now: t0.Add(11 * day)},
			state: StateValid, nextRenewal: t0.Add(60 * day)},
		{name: "due/overdue-after-a-day", in: Input{Configured: true, Domain: dom(auto90), State: ours, RenewRatio: 2.0 / 3, Now: t0.Add(61*day + time.Second)},
			state: StateDue, order: true, overdue: true, nextRenewal: t0.Add(60 * day)},
		{name: "failing/backoff-waits", in: Input{Configured: true, Domain: dom(auto90),
			State: DomainState{LeafSHA256: Fingerprint(leaf90), Failures: 3, LastError: "HTTP 403 unauthorized", NextAttempt: t0.Add(62 * day)}, RenewRatio: 2.0 / 3, Now: t0.Add(61*day + time.Hour)},
			state: StateFailing, overdue: true, nextRenewal: t0.Add(60 * day), reason: "HTTP 403 unauthorized"},
		{name: "failing/backoff-over", in: Input{Configured: true, Domain: dom(""),
			State: DomainState{Failures: 3, LastError: "x", NextAttempt: t0}, Now: t0},
			state: StatePending, order: true},
		{name: "queued/budget", in: Input{Configured: true, Domain: dom(""),
			State: DomainState{Queued: true, QueuedFor: "pbx.test", NextAttempt: t0.Add(day)}, Now: t0},
			state: StateQueued, reason: "budget of pbx.test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Plan(tc.in)
			if got.State != tc.state || got.Order != tc.order || got.Overdue != tc.overdue {
				t.Errorf("Plan = state %q order %v overdue %v (%s), want %q %v %v", got.State, got.Order, got.Overdue, got.Reason, tc.state, tc.order, tc.overdue)
			}
			if !got.NextRenewal.Equal(tc.nextRenewal) {
				t.Errorf("NextRenewal = %v, want %v", got.NextRenewal, tc.nextRenewal)
			}
			if !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to say %q", got.Reason, tc.reason)
			}
			if got.Order && got.Reason == "" {
				t.Error("an order without a reason")
			}
		})
	}
}
