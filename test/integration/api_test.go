package integration

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSessions: GET /api/v1/sessions lists the live connections with their
// context, user, remote address and byte counts, including the caller's.
func TestSessions(t *testing.T) {
	g := start(t, "")
	// An idle plain connection that has sent nothing yet.
	idle, err := net.Dial("tcp", strings.TrimPrefix(g.http, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	c := client()
	url := g.https + "/api/v1/sessions"
	var doc struct {
		Sessions []struct {
			Listener, Context, User string
			Remote                  string `json:"remote_address"`
			Since                   time.Time
			TLS                     bool
			BytesIn                 int64 `json:"bytes_in"`
			BytesOut                int64 `json:"bytes_out"`
		}
	}
	d := newDigest(t, c, url)
	resp, body := d.doBody(t, c, "admin", g.pw, "SHA-256", 1)
	if resp.StatusCode != 200 {
		t.Fatalf("sessions: %d", resp.StatusCode)
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var self, other bool
	for _, s := range doc.Sessions {
		switch {
		case s.Listener == "https" && s.Context == "communication_manager" && s.User == "admin" && s.TLS && s.BytesIn > 0 && strings.HasPrefix(s.Remote, "127.0.0.1:"):
			self = true
		case s.Listener == "http" && s.Context == "" && s.BytesIn == 0:
			other = true
		}
		if s.Since.IsZero() {
			t.Errorf("session without since: %+v", s)
		}
	}
	if !self || !other {
		t.Errorf("sessions do not show the caller (%v) and the idle connection (%v):\n%s", self, other, body)
	}
}
