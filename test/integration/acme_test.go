package integration

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/acme/acmetest"
	"github.com/pbxgate/pbxgate/internal/daemon"
)

// testClock is a clock the test sets: real time plus an offset, so that
// certificates the CA issues now look as old as the test wants. The test
// sets the offset back to 0 after each renewal, or the fresh certificate
// (issued at real time) would look just as old.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) Set(d time.Duration) {
	c.mu.Lock()
	c.off = d
	c.mu.Unlock()
}

const day = 24 * time.Hour

// port returns the port of a base URL such as http://127.0.0.1:1234.
func port(t *testing.T, base string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// acmeYAML is the configuration of a gateway using the test CA.
func acmeYAML(ca *acmetest.CA, roots, extra string) string {
	return fmt.Sprintf(`master_domain: pbx.test
acme:
  directory: %q
  ca_roots: [%q]
  check_interval: 1h
%s`, ca.DirectoryURL(), roots, extra)
}

// startACME runs a gateway and a test CA (90-day certificates) that
// validates HTTP-01 against the gateway's IPv4 plain listener, and points
// the gateway at the CA. The periodic check is an hour away: the test
// drives the checks with kick, so that nothing happens between its steps.
func startACME(t *testing.T, clk *testClock, extra string) (*gw, *acmetest.CA, string) {
	t.Helper()
	g := start(t, "master_domain: pbx.test\n", func(o *daemon.Options) { o.Now = clk.Now })
	ca := acmetest.Start(t, acmetest.Options{HTTPPort: port(t, g.http), Log: testWriter{t}})
	roots := ca.WriteTLSRoots(t)
	g.writeConfig(listenersYAML + acmeYAML(ca, roots, extra))
	if err := g.d.Reload(context.Background()); err != nil {
		t.Fatalf("reload with acme: %v", err)
	}
	return g, ca, roots
}

// kick makes the ACME client check now (a reload does) and waits for the
// check to finish.
func (g *gw) kick(t *testing.T) {
	t.Helper()
	n := g.checks(t)
	if err := g.d.Reload(context.Background()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	waitFor(t, 30*time.Second, "an ACME check", func() bool { return g.checks(t) > n })
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// leafOf dials the TLS listener with SNI name, verifying the chain against
// the CA's roots, and returns the leaf served.
func (g *gw) leafOf(t *testing.T, name string, roots *x509.CertPool) *x509.Certificate {
	t.Helper()
	c, err := tls.Dial("tcp", strings.TrimPrefix(g.https, "https://"), &tls.Config{ServerName: name, RootCAs: roots})
	if err != nil {
		t.Fatalf("TLS handshake for %s: %v", name, err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0]
}

// fingerprint writes the SHA-256 of c as the API does: upper-case hex
// bytes joined by colons.
func fingerprint(c *x509.Certificate) string {
	s := sha256.Sum256(c.Raw)
	h := strings.ToUpper(hex.EncodeToString(s[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// metric returns the value of an unlabelled metric of the gateway.
func (g *gw) metric(t *testing.T, name string) float64 {
	t.Helper()
	req, err := http.NewRequest("GET", g.https+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", g.pw)
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", name, err)
			}
			return f
		}
	}
	return 0
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// acmeStatus returns the acme object of the domain's API view.
func (g *gw) acmeStatus(t *testing.T, name string) map[string]any {
	t.Helper()
	code, out := g.apiCall(t, "GET", "/api/v1/domains/"+name, nil)
	if code != 200 {
		t.Fatalf("GET domain %s: %d %v", name, code, out)
	}
	a, _ := out["acme"].(map[string]any)
	return a
}

// autoLeaf returns the fingerprint of the domain's automatic certificate,
// "" while it has none.
func (g *gw) autoLeaf(t *testing.T, name string) string {
	t.Helper()
	_, out := g.apiCall(t, "GET", "/api/v1/domains/"+name, nil)
	c, _ := out["certificate"].(map[string]any)
	if auto, _ := c["auto_issued"].(bool); !auto {
		return ""
	}
	list, _ := c["certificates"].([]any)
	if len(list) == 0 {
		return ""
	}
	fp, _ := list[0].(map[string]any)["sha256_fingerprint"].(string)
	return fp
}

// checks returns how many checks the ACME client has finished.
func (g *gw) checks(t *testing.T) int {
	t.Helper()
	return int(g.metric(t, "pbxgate_acme_checks_total"))
}

// alarm returns the message of the alarm of kind about subject, "" if none.
func (g *gw) alarm(t *testing.T, kind, subject string) string {
	t.Helper()
	_, out := g.apiCall(t, "GET", "/api/v1/system/state", nil)
	list, _ := out["alarms"].([]any)
	for _, a := range list {
		m, _ := a.(map[string]any)
		if m["kind"] == kind && m["subject"] == subject {
			msg, _ := m["message"].(string)
			return msg
		}
	}
	return ""
}

// TestACMELifecycle: issuance by a real CA validating pbxgate's own HTTP-01
// responder, the next handshake serving it, renewal at two thirds of the
// lifetime naming the certificate it replaces, renewal earlier when the
// CA's ARI window says so, an unanswered challenge raising acme_failing
// while the old certificate keeps serving, recovery, and a manual change
// ending automatic renewal.
func TestACMELifecycle(t *testing.T) {
	clk := &testClock{}
	g, ca, roots := startACME(t, clk, "  http_challenge_listener: http\n")
	const name = "tenant1.pbx.test"

	code, out := g.apiCall(t, "POST", "/api/v1/domains", map[string]any{
		"name": name, "acme_enabled": true, "acme_account_email": "ops@pbx.test",
	})
	if code != 201 {
		t.Fatalf("add domain: %d %v", code, out)
	}
	var cur string
	waitFor(t, 30*time.Second, "the first certificate", func() bool { cur = g.autoLeaf(t, name); return cur != "" })
	leaf := g.leafOf(t, name, ca.IssuerRoots())
	if fingerprint(leaf) != cur {
		t.Fatalf("handshake serves %s, the domain holds %s", fingerprint(leaf), cur)
	}
	if err := leaf.VerifyHostname(name); err != nil {
		t.Fatalf("issued certificate: %v", err)
	}
	if got := ca.NewOrders(); got != 1 {
		t.Fatalf("orders after issuance = %d, want 1", got)
	}
	if o := ca.Orders()[0]; len(o.Identifiers) != 1 || o.Identifiers[0] != name || o.Replaces != "" {
		t.Fatalf("first order = %+v, want one for %s replacing nothing", o, name)
	}
	st := g.acmeStatus(t, name)
	if st["state"] != "valid" || st["next_renewal"] == nil {
		t.Fatalf("acme status after issuance = %v", st)
	}

	// renew sets the clock to age, checks, and waits for a new certificate
	// in the domain and in handshakes; it returns it.
	renew := func(t *testing.T, age time.Duration) string {
		t.Helper()
		clk.Set(age)
		g.kick(t)
		var next string
		waitFor(t, 30*time.Second, "the renewed certificate", func() bool {
			next = g.autoLeaf(t, name)
			return next != "" && next != cur
		})
		clk.Set(0)
		waitFor(t, 10*time.Second, "the renewed certificate in handshakes", func() bool {
			return fingerprint(g.leafOf(t, name, ca.IssuerRoots())) == next
		})
		return next
	}

	t.Run("not-due-not-renewed", func(t *testing.T) {
		clk.Set(58 * day) // before two thirds and before the CA's window
		g.kick(t)
		g.kick(t)
		clk.Set(0)
		if ca.NewOrders() != 1 || g.autoLeaf(t, name) != cur {
			t.Fatalf("renewed before it was due: %d orders", ca.NewOrders())
		}
	})

	t.Run("renewal-at-two-thirds", func(t *testing.T) {
		cur = renew(t, 61*day) // a 90-day certificate is renewed after 60 days
		orders := ca.Orders()
		if len(orders) != 2 || orders[1].Replaces == "" {
			t.Fatalf("orders = %+v, want a second one naming the certificate it replaces", orders)
		}
	})

	t.Run("renewal-earlier-by-ari", func(t *testing.T) {
		now := time.Now()
		ca.SetRenewalWindow(t, g.leafOf(t, name, ca.IssuerRoots()), now.Add(10*day), now.Add(10*day+time.Hour))
		// Past the CA's Retry-After (6 hours), the client asks again.
		cur = renew(t, 11*day)
		if n := ca.NewOrders(); n != 3 {
			t.Fatalf("orders = %d, want 3", n)
		}
	})

	t.Run("unanswered-challenge-keeps-the-old-certificate", func(t *testing.T) {
		// Challenges answered only on the IPv6 listener: the CA, which
		// reaches the IPv4 one, gets a 404.
		g.writeConfig(listenersYAML + acmeYAML(ca, roots, "  http_challenge_listener: http6\n"))
		before := ca.NewOrders()
		clk.Set(61 * day)
		g.kick(t)
		msg := g.alarm(t, "acme_failing", name)
		if !strings.Contains(msg, "404") {
			t.Fatalf("acme_failing = %q, want it with the CA's error (404)", msg)
		}
		if ca.NewOrders() != before+1 {
			t.Errorf("orders = %d, want %d", ca.NewOrders(), before+1)
		}
		if got := g.autoLeaf(t, name); got != cur {
			t.Fatalf("the certificate changed after a failed order: %s, want %s", got, cur)
		}
		if got := fingerprint(g.leafOf(t, name, ca.IssuerRoots())); got != cur {
			t.Fatalf("handshake serves %s after a failed order, want the old %s", got, cur)
		}
		st := g.acmeStatus(t, name)
		if st["state"] != "failing" || !strings.Contains(fmt.Sprint(st["last_error"]), "404") || st["next_attempt"] == nil {
			t.Fatalf("acme status = %v, want failing with the error and the next attempt", st)
		}
		// The backoff holds the next order back.
		g.kick(t)
		g.kick(t)
		if ca.NewOrders() != before+1 {
			t.Errorf("an order was placed during the backoff")
		}
		// A day past the renewal time, the renewal is overdue.
		clk.Set(62*day + time.Hour)
		g.kick(t) // this check orders (the backoff is over) and fails again
		if msg := g.alarm(t, "certificate_renewal_overdue", name); !strings.Contains(msg, name) {
			t.Fatalf("certificate_renewal_overdue = %q", msg)
		}
	})

	t.Run("recovery-clears-the-alarms", func(t *testing.T) {
		g.writeConfig(listenersYAML + acmeYAML(ca, roots, "  http_challenge_listener: http\n"))
		cur = renew(t, 64*day) // past the backoff of the second failure
		g.kick(t)
		if msg := g.alarm(t, "acme_failing", name); msg != "" {
			t.Fatalf("acme_failing still raised: %s", msg)
		}
		if msg := g.alarm(t, "certificate_renewal_overdue", name); msg != "" {
			t.Fatalf("certificate_renewal_overdue still raised: %s", msg)
		}
	})

	t.Run("manual-change-stops-renewal", func(t *testing.T) {
		now := time.Now()
		manual := mergedPEM(t, "manual", []string{name}, now.Add(-time.Hour), now.AddDate(1, 0, 0))
		if code, out := g.apiCall(t, "PATCH", "/api/v1/domains/"+name, map[string]any{"certificate_pem": manual}); code != 200 {
			t.Fatalf("patch: %d %v", code, out)
		}
		before := ca.NewOrders()
		clk.Set(300 * day) // any automatic certificate would be long due
		g.kick(t)
		g.kick(t)
		clk.Set(0)
		if ca.NewOrders() != before {
			t.Fatalf("an order was placed for a domain with a manual certificate")
		}
		st := g.acmeStatus(t, name)
		if st["state"] != "manual" || !strings.Contains(fmt.Sprint(st["reason"]), "marker") {
			t.Fatalf("acme status = %v, want manual saying why", st)
		}
		if g.autoLeaf(t, name) != "" {
			t.Fatal("the manual certificate was replaced")
		}
	})
}

// TestACMEBudgetAndTree: a second order of a registered domain beyond the
// weekly budget is queued, and a name outside the tree is never ordered.
func TestACMEBudgetAndTree(t *testing.T) {
	clk := &testClock{}
	g, ca, _ := startACME(t, clk, "  orders_per_week: 1\n")
	for _, n := range []string{"a.pbx.test", "b.pbx.test"} {
		if code, out := g.apiCall(t, "POST", "/api/v1/domains", map[string]any{
			"name": n, "acme_enabled": true, "acme_account_email": "ops@pbx.test",
		}); code != 201 {
			t.Fatalf("add %s: %d %v", n, code, out)
		}
	}
	var issued, queued string
	waitFor(t, 30*time.Second, "one domain issued and the other queued", func() bool {
		a, b := g.acmeStatus(t, "a.pbx.test"), g.acmeStatus(t, "b.pbx.test")
		switch {
		case a["state"] == "valid" && b["state"] == "queued":
			issued, queued = "a.pbx.test", "b.pbx.test"
		case b["state"] == "valid" && a["state"] == "queued":
			issued, queued = "b.pbx.test", "a.pbx.test"
		}
		return issued != ""
	})
	if got := ca.NewOrders(); got != 1 {
		t.Fatalf("orders = %d, want 1 (budget of 1 for pbx.test)", got)
	}
	if r := fmt.Sprint(g.acmeStatus(t, queued)["reason"]); !strings.Contains(r, "budget") || !strings.Contains(r, "pbx.test") {
		t.Errorf("queued reason = %q, want the budget of pbx.test", r)
	}

	// A week later the queued order goes out (the issued domain leaves
	// ACME first, so that its renewal does not take the one slot).
	if code, out := g.apiCall(t, "PATCH", "/api/v1/domains/"+issued, map[string]any{"acme_enabled": false}); code != 200 {
		t.Fatalf("patch: %d %v", code, out)
	}
	clk.Set(7*day + time.Hour)
	g.kick(t)
	waitFor(t, 30*time.Second, "the queued domain issued", func() bool { return g.autoLeaf(t, queued) != "" })
	clk.Set(0)

	// acme renew for a name that is not a domain of the tree: refused
	// before any contact with the CA.
	before := ca.NewOrders()
	stdout, stderr, code := run(t, "", "acme", "renew", "evil.example.org", "--config", g.cfgPath, "--data", g.dir+"/data")
	if code == 0 || !strings.Contains(stderr, "not a domain of the tree") {
		t.Fatalf("acme renew outside the tree: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if ca.NewOrders() != before {
		t.Fatal("an order was placed for a name outside the tree")
	}

	// acme renew of the queued-then-issued domain, by the command line,
	// while the gateway answers the challenge: refused, the budget is spent.
	_, stderr, code = run(t, "", "acme", "renew", queued, "--config", g.cfgPath, "--data", g.dir+"/data")
	if code == 0 || !strings.Contains(stderr, "budget") {
		t.Fatalf("acme renew over the budget: exit %d, stderr %q", code, stderr)
	}

	// acme status lists the ACME domains with their state.
	stdout, stderr, code = run(t, "", "acme", "status", "--config", g.cfgPath, "--data", g.dir+"/data")
	if code != 0 || !strings.Contains(stdout, queued) || !strings.Contains(stdout, "valid") {
		t.Fatalf("acme status: exit %d\n%s%s", code, stdout, stderr)
	}
}
