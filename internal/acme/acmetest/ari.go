package acmetest

import (
	"crypto/x509"
	"encoding/json"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/core"
)

// SetRenewalWindow makes Pebble's renewalInfo (ARI) answer for leaf, a
// certificate this CA issued, suggest the window [start, end] from now on,
// in place of the one Pebble computes. It is Pebble's own hook (what its
// management endpoint /set-renewal-info does), called in process; the
// answer still carries Retry-After: 21600 (6 h), like every ARI answer
// from Pebble.
//
// Without it, Pebble suggests a window centred two thirds into the
// certificate's lifetime, 24 h either side, clamped to [NotBefore,
// NotAfter]: for a lifetime under 72 h that is the whole lifetime. A
// revoked certificate gets a window that ended an hour ago.
//
// Call it before the client asks, not concurrently: Pebble reads the
// override without a lock.
func (c *CA) SetRenewalWindow(t testing.TB, leaf *x509.Certificate, start, end time.Time) {
	t.Helper()
	answer, err := json.Marshal(core.RenewalInfo{
		SuggestedWindow: core.SuggestedWindow{Start: start.UTC(), End: end.UTC()},
	})
	if err != nil {
		t.Fatalf("acmetest: renewal window: %v", err)
	}
	if err := c.db.SetARIResponse(leaf.SerialNumber, string(answer)); err != nil {
		t.Fatalf("acmetest: renewal window: %v", err)
	}
}
