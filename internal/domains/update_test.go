package domains_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pbxgate/pbxgate/internal/domains"
)

func TestUpdate(t *testing.T) {
	// The target, pbx.example.com, starts with a certificate and ACME on.
	prepare := func(t *testing.T) (*memStore, domains.Domain) {
		t.Helper()
		st := newMemStore().seed(baseTree...)
		cur, err := st.Domain(context.Background(), "pbx.example.com")
		if err != nil {
			t.Fatal(err)
		}
		cur.CertificatePEM, cur.ACMEEnabled, cur.ACMEAccountEmail = "old pem", true, "old@example.com"
		if cur, err = st.Update(context.Background(), cur, cur.Revision); err != nil {
			t.Fatal(err)
		}
		st.writes = 0
		return st, cur
	}
	tests := []struct {
		name   string
		target string
		patch  func(cur domains.Domain) domains.Patch
		want   func(cur domains.Domain) domains.Domain // content expected; nil when refused
		write  bool
		err    error
		field  string
	}{
		{name: "ok/empty-patch-writes-nothing", patch: func(domains.Domain) domains.Patch { return domains.Patch{} },
			want: same},
		{name: "ok/same-values-write-nothing", patch: func(cur domains.Domain) domains.Patch {
			return domains.Patch{CertificatePEM: ptr(cur.CertificatePEM), ACMEEnabled: ptr(true), Parent: ptr("EXAMPLE.com")}
		}, want: same},
		{name: "ok/set-certificate-only", patch: func(domains.Domain) domains.Patch { return domains.Patch{CertificatePEM: ptr("new pem")} },
			want: func(d domains.Domain) domains.Domain { d.CertificatePEM = "new pem"; return d }, write: true},
		{name: "ok/clear-certificate", patch: func(domains.Domain) domains.Patch { return domains.Patch{CertificatePEM: ptr("")} },
			want: func(d domains.Domain) domains.Domain { d.CertificatePEM = ""; return d }, write: true},
		{name: "ok/disable-acme-keeps-email", patch: func(domains.Domain) domains.Patch { return domains.Patch{ACMEEnabled: ptr(false)} },
			want: func(d domains.Domain) domains.Domain { d.ACMEEnabled = false; return d }, write: true},
		{name: "ok/change-email", patch: func(domains.Domain) domains.Patch { return domains.Patch{ACMEAccountEmail: ptr("new@example.com")} },
			want: func(d domains.Domain) domains.Domain { d.ACMEAccountEmail = "new@example.com"; return d }, write: true},
		{name: "ok/clear-email-and-disable-acme", patch: func(domains.Domain) domains.Patch {
			return domains.Patch{ACMEEnabled: ptr(false), ACMEAccountEmail: ptr("")}
		}, want: func(d domains.Domain) domains.Domain { d.ACMEEnabled, d.ACMEAccountEmail = false, ""; return d }, write: true},
		{name: "fail/clear-email-while-acme-on", patch: func(domains.Domain) domains.Patch { return domains.Patch{ACMEAccountEmail: ptr("")} },
			field: "acme_account_email"},
		{name: "fail/bad-email", patch: func(domains.Domain) domains.Patch { return domains.Patch{ACMEAccountEmail: ptr("ops at example")} },
			field: "acme_account_email"},
		{name: "fail/bad-certificate-text", patch: func(domains.Domain) domains.Patch { return domains.Patch{CertificatePEM: ptr("\xff")} },
			field: "certificate_pem"},
		{name: "ok/move", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("other.org")} },
			want: func(d domains.Domain) domains.Domain { d.Parent = "other.org"; return d }, write: true},
		{name: "ok/move-normalised", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("Other.ORG.")} },
			want: func(d domains.Domain) domains.Domain { d.Parent = "other.org"; return d }, write: true},
		{name: "ok/move-leaf-up", target: "deep.b.pbx.example.com",
			patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr(master)} },
			want:  func(d domains.Domain) domains.Domain { d.Parent = master; return d }, write: true},
		{name: "fail/move-below-child", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("b.pbx.example.com")} },
			field: "parent"},
		{name: "fail/move-below-grandchild", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("deep.b.pbx.example.com")} },
			field: "parent"},
		{name: "fail/move-below-self", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("pbx.example.com")} },
			field: "parent"},
		{name: "fail/move-to-unknown", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("nowhere.org")} },
			field: "parent"},
		{name: "fail/move-to-invalid", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("no_where")} },
			field: "parent"},
		{name: "fail/non-master-without-parent", patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("")} },
			field: "parent"},
		{name: "fail/master-parent", target: master, patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("other.org")} },
			field: "parent"},
		{name: "ok/master-parent-empty-is-no-change", target: master,
			patch: func(domains.Domain) domains.Patch { return domains.Patch{Parent: ptr("")} }, want: same},
		{name: "ok/master-certificate", target: master,
			patch: func(domains.Domain) domains.Patch { return domains.Patch{CertificatePEM: ptr("master pem")} },
			want:  func(d domains.Domain) domains.Domain { d.CertificatePEM = "master pem"; return d }, write: true},
		{name: "ok/current-revision", patch: func(cur domains.Domain) domains.Patch {
			return domains.Patch{CertificatePEM: ptr("new pem"), Revision: cur.Revision}
		}, want: func(d domains.Domain) domains.Domain { d.CertificatePEM = "new pem"; return d }, write: true},
		{name: "fail/stale-revision", patch: func(cur domains.Domain) domains.Patch {
			return domains.Patch{CertificatePEM: ptr("new pem"), Revision: cur.Revision - 1}
		}, err: domains.ErrConflict},
		{name: "fail/stale-revision-even-for-no-change", patch: func(cur domains.Domain) domains.Patch {
			return domains.Patch{Revision: cur.Revision + 1}
		}, err: domains.ErrConflict},
		{name: "fail/negative-revision", patch: func(domains.Domain) domains.Patch { return domains.Patch{Revision: -1} },
			field: "revision"},
		{name: "fail/absent", target: "nowhere.org", patch: func(domains.Domain) domains.Patch { return domains.Patch{CertificatePEM: ptr("x")} },
			err: domains.ErrNotFound},
		{name: "fail/invalid-name", target: "Bad_Name", patch: func(domains.Domain) domains.Patch { return domains.Patch{} },
			field: "name"},
		{name: "ok/name-normalised", target: "PBX.Example.Com.",
			patch: func(domains.Domain) domains.Patch { return domains.Patch{CertificatePEM: ptr("new pem")} },
			want:  func(d domains.Domain) domains.Domain { d.CertificatePEM = "new pem"; return d }, write: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st, cur := prepare(t)
			target := cmpOr(tt.target, cur.Name)
			if n, err := domains.NormalizeName(target); err == nil {
				if d, err := st.Domain(ctx, n); err == nil {
					cur = d
				}
			}
			before := st.tree()
			got, err := domains.New(st, master).Update(ctx, target, tt.patch(cur))
			if tt.want == nil {
				wantErr(t, err, tt.err, tt.field)
				if st.writes != 0 || !slices.Equal(st.tree(), before) {
					t.Errorf("refused Update wrote: %d writes", st.writes)
				}
				return
			}
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			want := tt.want(cur)
			if !tt.write {
				if got != cur || st.writes != 0 {
					t.Errorf("Update = %+v with %d writes; want %+v unchanged, no write", got, st.writes, cur)
				}
				return
			}
			want.Updated, want.Revision = got.Updated, got.Revision
			if got != want || got.Revision <= cur.Revision || st.writes != 1 {
				t.Errorf("Update = %+v (%d writes); want %+v with a higher revision than %d, one write", got, st.writes, want, cur.Revision)
			}
			if stored, _ := st.Domain(ctx, got.Name); stored != got {
				t.Errorf("stored %+v, returned %+v", stored, got)
			}
		})
	}
}

// TestUpdateRace plays another node writing between Update's read and its
// write.
func TestUpdateRace(t *testing.T) {
	theirs := func(m *memStore) {
		d, _ := m.Domain(context.Background(), "pbx.example.com")
		d.CertificatePEM = "theirs"
		if _, err := m.Update(context.Background(), d, d.Revision); err != nil {
			panic(err)
		}
	}
	var always func(m *memStore)
	always = func(m *memStore) { theirs(m); m.beforeWrite = always }
	tests := []struct {
		name     string
		hook     func(m *memStore)
		revision bool // name the revision read before the race
		wantPEM  string
		err      error
	}{
		{name: "ok/no-revision-retries-on-latest", hook: theirs, wantPEM: "theirs"},
		{name: "fail/revision-given-conflicts", hook: theirs, revision: true, err: domains.ErrConflict},
		{name: "fail/gives-up-after-attempts", hook: always, err: domains.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := newMemStore().seed(baseTree...)
			cur, _ := st.Domain(ctx, "pbx.example.com")
			st.beforeWrite = tt.hook
			p := domains.Patch{ACMEEnabled: ptr(true), ACMEAccountEmail: ptr("ops@example.com")}
			if tt.revision {
				p.Revision = cur.Revision
			}
			got, err := domains.New(st, master).Update(ctx, "pbx.example.com", p)
			if tt.err != nil {
				wantErr(t, err, tt.err, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.CertificatePEM != tt.wantPEM || !got.ACMEEnabled || got.ACMEAccountEmail != "ops@example.com" {
				t.Errorf("Update = %+v; want the other writer's certificate and our ACME fields", got)
			}
		})
	}
}

// TestStoreRefusesParent covers the store refusing a parent that passed
// the Service's checks, because another node changed the tree in between:
// the caller still gets a *FieldError for "parent".
func TestStoreRefusesParent(t *testing.T) {
	ctx := context.Background()
	removeOther := func(m *memStore) {
		if _, err := m.Delete(ctx, "other.org", false); err != nil {
			panic(err)
		}
	}
	moveOtherBelowPBX := func(m *memStore) {
		d, _ := m.Domain(ctx, "other.org")
		d.Parent = "pbx.example.com"
		if _, err := m.Update(ctx, d, d.Revision); err != nil {
			panic(err)
		}
	}
	tests := []struct {
		name string
		hook func(m *memStore)
		op   func(svc *domains.Service) error
	}{
		{name: "fail/add-parent-removed", hook: removeOther, op: func(svc *domains.Service) error {
			_, err := svc.Add(ctx, domains.Domain{Name: "customer.net", Parent: "other.org"})
			return err
		}},
		{name: "fail/move-makes-cycle", hook: moveOtherBelowPBX, op: func(svc *domains.Service) error {
			_, err := svc.Update(ctx, "pbx.example.com", domains.Patch{Parent: ptr("other.org")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore().seed(baseTree...)
			st.beforeWrite = tt.hook
			err := tt.op(domains.New(st, master))
			wantErr(t, err, nil, "parent")
		})
	}
}
