package provision

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/provision/model"
)

type fixture struct {
	svc    *Service
	srv    *Server
	store  *memStore
	dev    Device
	devB   Device
	bootA  TenantSettings
	bootB  TenantSettings
	mu     sync.Mutex
	events []event.Event
}

const (
	macA = "001565a1b2c3"
	macB = "001565b2c3d4"
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: newMemStore()}
	f.svc = NewService(Options{Store: f.store, Master: "example.com",
		Domains: memDomains{"example.com": true, "a.example.com": true, "b.example.com": true}})
	srv, err := NewServer(ServerOptions{Service: f.svc, Events: event.SinkFunc(func(e event.Event) {
		f.mu.Lock()
		f.events = append(f.events, e)
		f.mu.Unlock()
	})})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.svc.PutSettings(ctx, Settings{SIPServerAddress: "1.1.1.1", ServerHostname: "prov.example.com"})
	must(err)
	_, err = f.svc.AddExtension(ctx, Extension{Domain: "a.example.com", Number: "201", Password: "sip-secret-201"})
	must(err)
	_, err = f.svc.AddExtension(ctx, Extension{Domain: "b.example.com", Number: "301", Password: "sip-secret-301"})
	must(err)
	f.dev, err = f.svc.AddDevice(ctx, Device{MAC: "00:15:65:A1:B2:C3", Domain: "a.example.com", Model: "testphone/tp1", Lines: []DeviceLine{{Line: 1, Extension: "201"}}})
	must(err)
	f.devB, err = f.svc.AddDevice(ctx, Device{MAC: macB, Domain: "b.example.com", Model: "testphone/tp1", Lines: []DeviceLine{{Line: 1, Extension: "301"}}})
	must(err)
	f.bootA, err = f.svc.PutTenant(ctx, TenantSettings{Domain: "a.example.com", Bootstrap: Bootstrap{Username: "boot-a"}, Allow: []string{"192.0.2.0/24"}})
	must(err)
	f.bootB, err = f.svc.PutTenant(ctx, TenantSettings{Domain: "b.example.com", Bootstrap: Bootstrap{Username: "boot-b"}, Allow: []string{"192.0.2.0/24"}})
	must(err)
	return f
}

func (f *fixture) get(path, from, user, password string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/provision/"+path, nil)
	r.RemoteAddr = from + ":5060"
	if user != "" {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

func (f *fixture) kinds() []event.Kind {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []event.Kind
	for _, e := range f.events {
		out = append(out, e.Kind)
	}
	f.events = nil
	return out
}

func TestServeDeviceFiles(t *testing.T) {
	f := newFixture(t)
	const lan, wan = "192.0.2.10", "203.0.113.7"
	own, ownPW := f.dev.HTTPUsername, f.dev.HTTPPassword
	cases := []struct {
		name, path, from, user, pw string
		want                       int
		wantBody                   string
		wantEvents                 []event.Kind
	}{
		{"ok/common-without-credentials", "tp-common.cfg", wan, "", "", 200, "url=https://prov.example.com/provision/device.cfg", nil},
		{"ok/common-any-case", "TP-COMMON.CFG", wan, "", "", 200, "url=", nil},
		{"fail/not-a-phone-file", "index.html", wan, "", "", 404, "", []event.Kind{event.NotFound}},
		{"fail/traversal", "../etc/passwd", wan, "", "", 400, "", []event.Kind{event.Traversal}},
		{"fail/known-mac-no-credentials", "tp" + macA + ".cfg", wan, "", "", 401, "", nil},
		{"fail/unknown-mac-no-credentials", "tp001565ffffff.cfg", wan, "", "", 401, "", []event.Kind{event.UnknownMAC}},
		{"ok/own-credentials", "tp" + macA + ".cfg", wan, own, ownPW, 200, "line1=201:201:sip-secret-201", nil},
		{"ok/own-credentials-mac-upper-case", "tp" + strings.ToUpper(macA) + ".cfg", wan, own, ownPW, 200, "prov_pass=" + ownPW, nil},
		{"fail/own-credentials-wrong-password", "tp" + macA + ".cfg", wan, own, "nope", 401, "", []event.Kind{event.AuthFailure}},
		{"fail/own-credentials-other-device", "tp" + macB + ".cfg", wan, own, ownPW, 401, "", []event.Kind{event.AuthFailure}},
		{"fail/own-credentials-unknown-mac", "tp001565ffffff.cfg", wan, own, ownPW, 401, "", []event.Kind{event.UnknownMAC, event.AuthFailure}},
		{"ok/bootstrap-from-allowed-network", "tp" + macA + ".cfg", lan, "boot-a", f.bootA.Bootstrap.Password, 200, "line1=201", nil},
		{"fail/bootstrap-from-refused-network", "tp" + macA + ".cfg", wan, "boot-a", f.bootA.Bootstrap.Password, 401, "", []event.Kind{event.AuthFailure}},
		{"fail/bootstrap-of-other-tenant", "tp" + macA + ".cfg", lan, "boot-b", f.bootB.Bootstrap.Password, 401, "", []event.Kind{event.AuthFailure}},
		{"fail/bootstrap-unknown-mac-404", "tp001565ffffff.cfg", lan, "boot-a", f.bootA.Bootstrap.Password, 404, "", []event.Kind{event.UnknownMAC}},
		{"fail/unknown-user", "tp" + macA + ".cfg", lan, "admin", "admin", 401, "", []event.Kind{event.AuthFailure}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.kinds()
			w := f.get(tc.path, tc.from, tc.user, tc.pw)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d; body %q", w.Code, tc.want, w.Body.String())
			}
			if !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("body %q lacks %q", w.Body.String(), tc.wantBody)
			}
			if got := f.kinds(); !equalKinds(got, tc.wantEvents) {
				t.Errorf("events %v, want %v", got, tc.wantEvents)
			}
		})
	}
}

func equalKinds(a, b []event.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var nonceRE = regexp.MustCompile(`nonce="[^"]*"`)

// TestUnauthorizedSameForKnownAndUnknown: without valid credentials the
// answer does not tell whether the MAC exists.
func TestUnauthorizedSameForKnownAndUnknown(t *testing.T) {
	f := newFixture(t)
	for _, creds := range [][2]string{{"", ""}, {"dev-x", "wrong"}, {f.dev.HTTPUsername, "wrong"}} {
		known := f.get("tp"+macA+".cfg", "203.0.113.7", creds[0], creds[1])
		unknown := f.get("tp001565ffffff.cfg", "203.0.113.7", creds[0], creds[1])
		if known.Code != 401 || unknown.Code != 401 {
			t.Fatalf("%q: status %d and %d, want 401", creds[0], known.Code, unknown.Code)
		}
		if known.Body.String() != unknown.Body.String() {
			t.Errorf("%q: bodies differ: %q vs %q", creds[0], known.Body, unknown.Body)
		}
		hk, hu := known.Header().Clone(), unknown.Header().Clone()
		for _, h := range []http.Header{hk, hu} {
			vals := h.Values("WWW-Authenticate")
			for i := range vals {
				vals[i] = nonceRE.ReplaceAllString(vals[i], `nonce="N"`)
			}
		}
		if len(hk) != len(hu) {
			t.Errorf("%q: headers differ: %v vs %v", creds[0], hk, hu)
		}
		for k, v := range hk {
			if strings.Join(v, "|") != strings.Join(hu[k], "|") {
				t.Errorf("%q: header %s differs: %q vs %q", creds[0], k, v, hu[k])
			}
		}
	}
}

func TestETagAndNotModified(t *testing.T) {
	f := newFixture(t)
	w := f.get("tp"+macA+".cfg", "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword)
	etag := w.Header().Get("ETag")
	if w.Code != 200 || etag == "" {
		t.Fatalf("status %d, ETag %q", w.Code, etag)
	}
	if w2 := f.get("tp"+macA+".cfg", "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword, "If-None-Match", etag); w2.Code != 304 || w2.Body.Len() != 0 {
		t.Errorf("If-None-Match: status %d, %d bytes; want 304 and none", w2.Code, w2.Body.Len())
	}
	if w3 := f.get("tp"+macA+".cfg", "203.0.113.7", "", "", "If-None-Match", etag); w3.Code != 401 {
		t.Errorf("If-None-Match without credentials: status %d, want 401", w3.Code)
	}
	// A change of the device's settings changes the file and its tag.
	d := f.dev
	d.Settings.Language = model.Ptr("de")
	if _, err := f.svc.UpdateDevice(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	w4 := f.get("tp"+macA+".cfg", "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword, "If-None-Match", etag)
	if w4.Code != 200 || !strings.Contains(w4.Body.String(), "language=de") || w4.Header().Get("ETag") == etag {
		t.Errorf("after a change: status %d, ETag %q (was %q), body %q", w4.Code, w4.Header().Get("ETag"), etag, w4.Body)
	}
}

func TestLockBootstrapAndRotation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const lan = "192.0.2.10"
	path := "tp" + macA + ".cfg"
	ta := f.bootA
	ta.LockBootstrap = true
	if _, err := f.svc.PutTenant(ctx, ta); err != nil {
		t.Fatal(err)
	}
	if w := f.get(path, lan, "boot-a", ta.Bootstrap.Password); w.Code != 200 {
		t.Fatalf("bootstrap before the device used its own credentials: %d", w.Code)
	}
	if w := f.get(path, lan, f.dev.HTTPUsername, f.dev.HTTPPassword); w.Code != 200 {
		t.Fatalf("own credentials: %d", w.Code)
	}
	if d, _ := f.svc.Device(macA); !d.OwnCredentialsUsed {
		t.Fatal("first use of the device's credentials not recorded")
	}
	if w := f.get(path, lan, "boot-a", ta.Bootstrap.Password); w.Code != 401 {
		t.Errorf("bootstrap after own credentials with lock_bootstrap: %d, want 401", w.Code)
	}
	rotated, err := f.svc.RotateCredentials(ctx, macA)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.HTTPPassword == f.dev.HTTPPassword {
		t.Fatal("rotation kept the password")
	}
	if w := f.get(path, lan, f.dev.HTTPUsername, f.dev.HTTPPassword); w.Code != 401 {
		t.Errorf("old password after rotation: %d, want 401", w.Code)
	}
	if w := f.get(path, lan, "boot-a", ta.Bootstrap.Password); w.Code != 200 {
		t.Errorf("bootstrap after rotation (new password unused yet): %d, want 200", w.Code)
	}
	w := f.get(path, lan, rotated.HTTPUsername, rotated.HTTPPassword)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "prov_pass="+rotated.HTTPPassword) {
		t.Errorf("new password: %d %q", w.Code, w.Body)
	}
}

func TestIPDNSAndTemplates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.AddIPDNS(ctx, IPDNS{Domain: "example.com", IP: "1.1.1.1", FQDN: "sip.example.com"}); err != nil {
		t.Fatal(err)
	}
	path := "tp" + macA + ".cfg"
	w := f.get(path, "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword)
	if !strings.Contains(w.Body.String(), "registrar=sip.example.com\n") {
		t.Errorf("master mapping not applied: %q", w.Body)
	}
	if _, err := f.svc.AddIPDNS(ctx, IPDNS{Domain: "a.example.com", IP: "1.1.1.1", FQDN: "sip.a.example.com"}); err != nil {
		t.Fatal(err)
	}
	w = f.get(path, "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword)
	if !strings.Contains(w.Body.String(), "registrar=sip.a.example.com\n") {
		t.Errorf("tenant mapping does not win over the master's: %q", w.Body)
	}
	wb := f.get("tp"+macB+".cfg", "203.0.113.7", f.devB.HTTPUsername, f.devB.HTTPPassword)
	if !strings.Contains(wb.Body.String(), "registrar=sip.example.com\n") {
		t.Errorf("tenant a's mapping leaked to tenant b, or master's missing: %q", wb.Body)
	}

	for _, tpl := range []Template{
		{Name: "default", Domain: "example.com", Model: "testphone/tp1", Settings: model.Settings{Language: model.Ptr("en")}},
		{Name: "default", Domain: "a.example.com", Model: "testphone/tp1", Settings: model.Settings{Language: model.Ptr("fr")}},
	} {
		if _, err := f.svc.PutTemplate(ctx, tpl); err != nil {
			t.Fatal(err)
		}
	}
	if w := f.get(path, "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword); !strings.Contains(w.Body.String(), "language=fr") {
		t.Errorf("tenant template does not win over the global one: %q", w.Body)
	}
	if wb := f.get("tp"+macB+".cfg", "203.0.113.7", f.devB.HTTPUsername, f.devB.HTTPPassword); !strings.Contains(wb.Body.String(), "language=en") {
		t.Errorf("global template not applied to tenant b: %q", wb.Body)
	}
}

func TestAuditTrail(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.srv.Run(ctx, time.Hour); close(done) }()
	f.get("tp"+macA+".cfg", "203.0.113.7", "", "", "User-Agent", "TestPhone TP-1")
	f.get("tp"+macA+".cfg", "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword, "User-Agent", "TestPhone TP-1")
	f.get("tp001565ffffff.cfg", "203.0.113.7", "", "")
	cancel()
	<-done
	got, _ := f.store.Fetches(context.Background(), macA, 10)
	if len(got) != 2 || got[0].Result != ResultOK || got[1].Result != ResultUnauthorized || got[0].Hash == "" || got[0].UserAgent != "TestPhone TP-1" || got[0].IP != "203.0.113.7" {
		t.Errorf("audit = %+v", got)
	}
	if unknown, _ := f.store.Fetches(context.Background(), "001565ffffff", 10); len(unknown) != 0 {
		t.Errorf("unknown MACs are audited: %+v", unknown)
	}
}

func TestReplaceWhole(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"ok/alone", "1.1.1.1", "h.example"},
		{"ok/with-port", "1.1.1.1:5060", "h.example:5060"},
		{"ok/in-uri", "sip:201@1.1.1.1;transport=udp", "sip:201@h.example;transport=udp"},
		{"ok/in-xml-attr", `a="1.1.1.1"`, `a="h.example"`},
		{"ok/url", "https://1.1.1.1/provision/", "https://h.example/provision/"},
		{"ok/end-of-sentence", "server 1.1.1.1.", "server h.example."},
		{"ok/twice", "1.1.1.1,1.1.1.1", "h.example,h.example"},
		{"keep/longer-first-octet", "11.1.1.1", "11.1.1.1"},
		{"keep/longer-last-octet", "1.1.1.10", "1.1.1.10"},
		{"keep/inside-longer-address", "2.1.1.1.1", "2.1.1.1.1"},
		{"keep/prefix-of-name", "1.1.1.1.nip.io", "1.1.1.1.nip.io"},
		{"keep/other", "1.1.1.2", "1.1.1.2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(replaceWhole([]byte(tc.in), []byte("1.1.1.1"), []byte("h.example"))); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCacheBounded(t *testing.T) {
	c := newCache(3)
	for i := range 10 {
		c.put(string(rune('a'+i)), &rendered{gen: 1})
	}
	if len(c.entries) != 3 {
		t.Errorf("%d entries, want 3", len(c.entries))
	}
	c.put("j", &rendered{gen: 2})
	if r, ok := c.get("j", 2); !ok || r.gen != 2 {
		t.Error("replacing an entry evicted it")
	}
	if _, ok := c.get("j", 1); ok {
		t.Error("an entry of another generation was served")
	}
}

// TestFirstUseKeepsCache: recording the first use of a device's own
// credentials changes no file, so the rendered files stay cached.
func TestFirstUseKeepsCache(t *testing.T) {
	f := newFixture(t)
	gen := f.svc.idx.gen
	if w := f.get("tp"+macA+".cfg", "203.0.113.7", f.dev.HTTPUsername, f.dev.HTTPPassword); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if d, _ := f.svc.Device(macA); !d.OwnCredentialsUsed {
		t.Fatal("first use not recorded")
	}
	if f.svc.idx.gen != gen {
		t.Errorf("generation moved from %d to %d", gen, f.svc.idx.gen)
	}
	if _, ok := f.srv.cache.get(macA+"/tp"+macA+".cfg", gen); !ok {
		t.Error("the file rendered for the first fetch is no longer cached")
	}
}
