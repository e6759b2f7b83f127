package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// TestServiceRefuses: every write names the field that is wrong.
func TestServiceRefuses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.svc
	line := func(l DeviceLine) Device {
		return Device{MAC: "001565000099", Domain: "a.example.com", Model: "testphone/tp1", Lines: []DeviceLine{l}}
	}
	cases := []struct {
		name  string
		do    func() error
		field string
	}{
		{"fail/extension-in-master", func() error {
			_, err := s.AddExtension(ctx, Extension{Domain: "example.com", Number: "1"})
			return err
		}, "domain"},
		{"fail/extension-unknown-domain", func() error {
			_, err := s.AddExtension(ctx, Extension{Domain: "c.example.com", Number: "1"})
			return err
		}, "domain"},
		{"fail/extension-number", func() error {
			_, err := s.AddExtension(ctx, Extension{Domain: "a.example.com", Number: "20 1"})
			return err
		}, "number"},
		{"fail/extension-short-password", func() error {
			_, err := s.AddExtension(ctx, Extension{Domain: "a.example.com", Number: "209", Password: "short"})
			return err
		}, "password"},
		{"fail/extension-display-name-newline", func() error {
			_, err := s.AddExtension(ctx, Extension{Domain: "a.example.com", Number: "209", DisplayName: "a\nb"})
			return err
		}, "display_name"},
		{"fail/device-bad-mac", func() error {
			_, err := s.AddDevice(ctx, Device{MAC: "00:15:65:zz:00:01", Domain: "a.example.com", Model: "testphone/tp1"})
			return err
		}, "mac"},
		{"fail/device-in-master", func() error {
			_, err := s.AddDevice(ctx, Device{MAC: "001565000099", Domain: "example.com", Model: "testphone/tp1"})
			return err
		}, "domain"},
		{"fail/device-unknown-model", func() error {
			_, err := s.AddDevice(ctx, Device{MAC: "001565000099", Domain: "a.example.com", Model: "yealink/t99"})
			return err
		}, "model"},
		{"fail/device-line-beyond-model", func() error {
			_, err := s.AddDevice(ctx, line(DeviceLine{Line: 3, Extension: "201"}))
			return err
		}, "lines[0].line"},
		{"fail/device-line-unknown-extension", func() error {
			_, err := s.AddDevice(ctx, line(DeviceLine{Line: 1, Extension: "999"}))
			return err
		}, "lines[0].extension"},
		{"fail/device-line-other-tenants-extension", func() error {
			_, err := s.AddDevice(ctx, line(DeviceLine{Line: 1, Extension: "301"}))
			return err
		}, "lines[0].extension"},
		{"fail/device-local-port-range", func() error {
			_, err := s.AddDevice(ctx, line(DeviceLine{Line: 1, Extension: "201", LocalSIPPort: 5060}))
			return err
		}, "lines[0].local_sip_port"},
		{"fail/device-srtp", func() error {
			_, err := s.AddDevice(ctx, line(DeviceLine{Line: 1, Extension: "201", SRTP: "always"}))
			return err
		}, "lines[0].srtp"},
		{"fail/device-caller-id", func() error {
			_, err := s.AddDevice(ctx, line(DeviceLine{Line: 1, Extension: "201", CallerIDSource: "ani"}))
			return err
		}, "lines[0].caller_id_source"},
		{"fail/device-settings", func() error {
			d := line(DeviceLine{Line: 1, Extension: "201"})
			d.Settings.SIP = &model.SIPSettings{Transport: model.Ptr("sctp")}
			_, err := s.AddDevice(ctx, d)
			return err
		}, "settings.sip.transport"},
		{"fail/device-duplicate", func() error {
			_, err := s.AddDevice(ctx, Device{MAC: macA, Domain: "a.example.com", Model: "testphone/tp1"})
			if errors.Is(err, ErrExists) {
				return &FieldError{Field: "mac", Msg: "exists"}
			}
			return err
		}, "mac"},
		{"fail/template-name", func() error {
			_, err := s.PutTemplate(ctx, Template{Name: "a b", Domain: "example.com", Model: "testphone/tp1"})
			return err
		}, "name"},
		{"fail/template-settings", func() error {
			_, err := s.PutTemplate(ctx, Template{Name: "t", Domain: "example.com", Model: "testphone/tp1",
				Settings: model.Settings{Keys: []model.Key{{Index: 1, Type: "fly"}}}})
			return err
		}, "settings.keys[0].type"},
		{"fail/tenant-bootstrap-taken", func() error {
			_, err := s.PutTenant(ctx, TenantSettings{Domain: "b.example.com", Bootstrap: Bootstrap{Username: "boot-a"}})
			return err
		}, "bootstrap.username"},
		{"fail/tenant-bootstrap-dev-prefix", func() error {
			_, err := s.PutTenant(ctx, TenantSettings{Domain: "b.example.com", Bootstrap: Bootstrap{Username: "dev-x"}})
			return err
		}, "bootstrap.username"},
		{"fail/tenant-allow", func() error {
			_, err := s.PutTenant(ctx, TenantSettings{Domain: "b.example.com", Allow: []string{"10.0.0.0/33"}})
			return err
		}, "allow[0]"},
		{"fail/settings-auto-create-without-whitelist", func() error {
			_, err := s.PutSettings(ctx, Settings{AutoCreate: AutoCreate{Enabled: true}})
			return err
		}, "auto_create.whitelist"},
		{"fail/settings-pin", func() error {
			_, err := s.PutSettings(ctx, Settings{UnprovisionedPIN: "12ab"})
			return err
		}, "unprovisioned_pin"},
		{"fail/ipdns-ip", func() error {
			_, err := s.AddIPDNS(ctx, IPDNS{Domain: "example.com", IP: "1.1.1", FQDN: "x.example.com"})
			return err
		}, "ip"},
		{"fail/extension-in-use", func() error { return s.DeleteExtension(ctx, "a.example.com", "201") }, "number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want an invalid-field error", err)
			}
			var fes FieldErrors
			var fe *FieldError
			found := false
			if errors.As(err, &fes) {
				for _, e := range fes {
					found = found || e.Field == tc.field
				}
			} else if errors.As(err, &fe) {
				found = fe.Field == tc.field
			}
			if !found {
				t.Errorf("err = %v, want field %q", err, tc.field)
			}
		})
	}
	// Nothing of the refused writes reached the model.
	if _, ok := s.Device("001565000099"); ok {
		t.Error("a refused device was stored")
	}
}

func TestGeneratedSecrets(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s := NewSecret(24)
		if len(s) != 24 || strings.Trim(s, secretAlphabet) != "" || seen[s] {
			t.Fatalf("secret %q", s)
		}
		seen[s] = true
	}
}

// TestReloadSeesOtherWriters: a write made by another process (another
// Service over the same store) reaches this one's index by Load.
func TestReloadSeesOtherWriters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := NewService(Options{Store: f.store, Master: "example.com", Domains: memDomains{"a.example.com": true, "example.com": true}})
	if err := other.Load(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddExtension(ctx, Extension{Domain: "a.example.com", Number: "299"}); err != nil {
		t.Fatal(err)
	}
	if len(f.svc.Extensions("a.example.com")) != 1 {
		t.Fatal("the other writer's extension is visible before a reload")
	}
	if err := f.svc.Load(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := f.svc.Extensions("a.example.com"); len(got) != 2 {
		t.Errorf("after reload: %d extensions, want 2", len(got))
	}
	// Its own next write still applies (a full reload, as the revision
	// jumped).
	if _, err := f.svc.AddExtension(ctx, Extension{Domain: "a.example.com", Number: "298"}); err != nil {
		t.Fatal(err)
	}
	if got := f.svc.Extensions("a.example.com"); len(got) != 3 {
		t.Errorf("after own write: %d extensions, want 3", len(got))
	}
}

// TestTenantWriteBack: what a read shows can be written back without
// changing the bootstrap password.
func TestTenantWriteBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	read := f.svc.Tenant("a.example.com")
	read.Bootstrap.Password = HiddenSecret
	read.LockBootstrap = true
	got, err := f.svc.PutTenant(ctx, read)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bootstrap.Password != f.bootA.Bootstrap.Password || !got.LockBootstrap {
		t.Errorf("write-back changed the password or lost the change: %+v", got)
	}
	renamed := got
	renamed.Bootstrap = Bootstrap{Username: "boot-a2"}
	got, err = f.svc.PutTenant(ctx, renamed)
	if err != nil || got.Bootstrap.Password == f.bootA.Bootstrap.Password || len(got.Bootstrap.Password) != 20 {
		t.Errorf("a new user kept the old password or got none: %+v, %v", got, err)
	}
}

// TestConcurrentWrites: writes from many goroutines, with a poller
// reloading meanwhile, all end up in the index.
func TestConcurrentWrites(t *testing.T) {
	f := newFixture(t)
	f.store.mu.Lock()
	f.store.listDelay = 2 * time.Millisecond
	f.store.mu.Unlock()
	ctx := context.Background()
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stop:
				return
			default:
				_ = f.svc.Load(ctx, true)
			}
		}
	}()
	const n = 64
	errs := make(chan error, n)
	for i := range n {
		go func() {
			mac := model.MAC(fmt.Sprintf("0015650a%04x", i))
			_, err := f.svc.AddDevice(ctx, Device{MAC: mac, Domain: "a.example.com", Model: "testphone/tp1"})
			if err == nil {
				_, err = f.svc.RotateCredentials(ctx, mac)
			}
			// A reload that started before the write must not take it
			// back when it lands.
			for range 5 {
				if err != nil {
					break
				}
				time.Sleep(time.Millisecond)
				if _, ok := f.svc.Device(mac); !ok {
					err = fmt.Errorf("device %s lost after it was written", mac)
				}
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	<-polled
	if got := len(f.svc.Devices("a.example.com")); got != n+1 {
		t.Errorf("%d devices in the index, want %d", got, n+1)
	}
	for i := range n {
		mac := model.MAC(fmt.Sprintf("0015650a%04x", i))
		d, ok := f.svc.Device(mac)
		if !ok {
			t.Fatalf("device %s lost", mac)
		}
		if pw, _ := f.srv.lookup(d.HTTPUsername); pw != d.HTTPPassword {
			t.Fatalf("device %s: the server would check another password", mac)
		}
	}
}
