package domains_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/domains"
)

func TestAddParent(t *testing.T) {
	tests := []struct {
		name       string
		in         domains.Domain
		wantName   string
		wantParent string
		err        error
		field      string
	}{
		{name: "ok/nearest-dns-parent", in: domains.Domain{Name: "a.b.pbx.example.com"},
			wantName: "a.b.pbx.example.com", wantParent: "b.pbx.example.com"},
		{name: "ok/skips-missing-levels", in: domains.Domain{Name: "x.y.pbx.example.com"},
			wantName: "x.y.pbx.example.com", wantParent: "pbx.example.com"},
		{name: "ok/deepest-existing-wins", in: domains.Domain{Name: "z.deep.b.pbx.example.com"},
			wantName: "z.deep.b.pbx.example.com", wantParent: "deep.b.pbx.example.com"},
		{name: "ok/child-of-master", in: domains.Domain{Name: "new.example.com"},
			wantName: "new.example.com", wantParent: master},
		{name: "ok/unrelated-name-goes-below-master", in: domains.Domain{Name: "customer.net"},
			wantName: "customer.net", wantParent: master},
		{name: "ok/single-label-goes-below-master", in: domains.Domain{Name: "intranet"},
			wantName: "intranet", wantParent: master},
		{name: "ok/dns-parent-of-master-goes-below-master", in: domains.Domain{Name: "com"},
			wantName: "com", wantParent: master},
		{name: "ok/tenant-subdomain", in: domains.Domain{Name: "sip.other.org"},
			wantName: "sip.other.org", wantParent: "other.org"},
		{name: "ok/name-normalised", in: domains.Domain{Name: "A.B.PBX.Example.COM."},
			wantName: "a.b.pbx.example.com", wantParent: "b.pbx.example.com"},
		{name: "ok/explicit-parent", in: domains.Domain{Name: "customer.net", Parent: "other.org"},
			wantName: "customer.net", wantParent: "other.org"},
		{name: "ok/explicit-parent-normalised", in: domains.Domain{Name: "customer.net", Parent: "OTHER.org."},
			wantName: "customer.net", wantParent: "other.org"},
		{name: "ok/explicit-parent-beats-dns-parent", in: domains.Domain{Name: "a.b.pbx.example.com", Parent: "example.com"},
			wantName: "a.b.pbx.example.com", wantParent: master},
		{name: "fail/explicit-parent-missing", in: domains.Domain{Name: "customer.net", Parent: "nowhere.org"}, field: "parent"},
		{name: "fail/explicit-parent-invalid", in: domains.Domain{Name: "customer.net", Parent: "bad_parent"}, field: "parent"},
		{name: "fail/explicit-parent-wildcard", in: domains.Domain{Name: "customer.net", Parent: "*.example.com"}, field: "parent"},
		{name: "fail/own-parent", in: domains.Domain{Name: "new.example.com", Parent: "NEW.example.com"}, field: "parent"},
		{name: "fail/exists", in: domains.Domain{Name: "pbx.example.com"}, err: domains.ErrExists},
		{name: "fail/exists-other-case", in: domains.Domain{Name: "Other.Org."}, err: domains.ErrExists},
		{name: "fail/master-again", in: domains.Domain{Name: master}, err: domains.ErrExists},
		{name: "fail/master-again-normalised", in: domains.Domain{Name: "EXAMPLE.COM."}, err: domains.ErrExists},
		{name: "fail/master-with-parent", in: domains.Domain{Name: master, Parent: "other.org"}, field: "parent"},
		{name: "fail/invalid-name", in: domains.Domain{Name: "Bad_Name"}, field: "name"},
		{name: "fail/wildcard-name", in: domains.Domain{Name: "*.example.com"}, field: "name"},
		{name: "fail/empty-name", in: domains.Domain{}, field: "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := newMemStore().seed(baseTree...)
			svc := domains.New(st, master)
			got, err := svc.Add(ctx, tt.in)
			if tt.err != nil || tt.field != "" {
				wantErr(t, err, tt.err, tt.field)
				if st.writes != 0 || !slices.Equal(st.tree(), baseTreeNames()) {
					t.Errorf("refused Add wrote: %d writes, tree %q", st.writes, st.tree())
				}
				return
			}
			if err != nil {
				t.Fatalf("Add(%+v): %v", tt.in, err)
			}
			if got.Name != tt.wantName || got.Parent != tt.wantParent {
				t.Errorf("Add(%+v) = %s under %q; want %s under %q", tt.in, got.Name, got.Parent, tt.wantName, tt.wantParent)
			}
			if stored, err := st.Domain(ctx, tt.wantName); err != nil || stored != got {
				t.Errorf("stored %+v, %v; want %+v", stored, err, got)
			}
		})
	}
}

func TestAddFields(t *testing.T) {
	pem := "date=2023-11-29\r\nsubject=/CN=example.com\r\n-----BEGIN RSA PRIVATE KEY----- MIIEvg -----END RSA PRIVATE KEY-----\r\n"
	tests := []struct {
		name   string
		in     domains.Domain
		check  func(t *testing.T, d domains.Domain)
		fields []string // bad fields, in order
	}{
		{name: "ok/certificate-kept-verbatim", in: domains.Domain{Name: "a.example.com", CertificatePEM: pem},
			check: func(t *testing.T, d domains.Domain) {
				if d.CertificatePEM != pem {
					t.Errorf("CertificatePEM = %q, want %q", d.CertificatePEM, pem)
				}
			}},
		{name: "ok/certificate-not-parsed", in: domains.Domain{Name: "a.example.com", CertificatePEM: "not a certificate at all"}},
		{name: "ok/acme", in: domains.Domain{Name: "a.example.com", ACMEEnabled: true, ACMEAccountEmail: "ops@example.com"},
			check: func(t *testing.T, d domains.Domain) {
				if !d.ACMEEnabled || d.ACMEAccountEmail != "ops@example.com" {
					t.Errorf("ACME fields = %v, %q", d.ACMEEnabled, d.ACMEAccountEmail)
				}
			}},
		{name: "ok/email-without-acme", in: domains.Domain{Name: "a.example.com", ACMEAccountEmail: "ops+pbx@mail.example.com"}},
		{name: "ok/store-sets-times-and-revision", in: domains.Domain{Name: "a.example.com", Created: fakeNow.AddDate(-1, 0, 0), Revision: 99},
			check: func(t *testing.T, d domains.Domain) {
				if !d.Created.Equal(fakeNow) || !d.Updated.Equal(fakeNow) || d.Revision == 99 {
					t.Errorf("Created %v, Updated %v, Revision %d; want the store's", d.Created, d.Updated, d.Revision)
				}
			}},
		{name: "fail/acme-without-email", in: domains.Domain{Name: "a.example.com", ACMEEnabled: true}, fields: []string{"acme_account_email"}},
		{name: "fail/email-display-name", in: domains.Domain{Name: "a.example.com", ACMEAccountEmail: "Ops <ops@example.com>"}, fields: []string{"acme_account_email"}},
		{name: "fail/email-angle-brackets", in: domains.Domain{Name: "a.example.com", ACMEAccountEmail: "<ops@example.com>"}, fields: []string{"acme_account_email"}},
		{name: "fail/email-no-at", in: domains.Domain{Name: "a.example.com", ACMEAccountEmail: "ops"}, fields: []string{"acme_account_email"}},
		{name: "fail/email-spaces", in: domains.Domain{Name: "a.example.com", ACMEAccountEmail: " ops@example.com"}, fields: []string{"acme_account_email"}},
		{name: "fail/email-two", in: domains.Domain{Name: "a.example.com", ACMEAccountEmail: "a@example.com, b@example.com"}, fields: []string{"acme_account_email"}},
		{name: "fail/email-too-long", in: domains.Domain{Name: "a.example.com", ACMEAccountEmail: strings.Repeat("a", 250) + "@example.com"}, fields: []string{"acme_account_email"}},
		{name: "fail/pem-nul", in: domains.Domain{Name: "a.example.com", CertificatePEM: "-----BEGIN\x00"}, fields: []string{"certificate_pem"}},
		{name: "fail/pem-not-utf8", in: domains.Domain{Name: "a.example.com", CertificatePEM: "\x30\x82\x01\xff"}, fields: []string{"certificate_pem"}},
		{name: "fail/pem-too-long", in: domains.Domain{Name: "a.example.com", CertificatePEM: strings.Repeat("A", domains.MaxCertificatePEMLen+1)}, fields: []string{"certificate_pem"}},
		{name: "fail/several-fields", in: domains.Domain{Name: "Bad_Name", Parent: "-x", CertificatePEM: "\x00", ACMEAccountEmail: "nope"},
			fields: []string{"name", "parent", "certificate_pem", "acme_account_email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore().seed(baseTree...)
			got, err := domains.New(st, master).Add(context.Background(), tt.in)
			if tt.fields != nil {
				if !errors.Is(err, domains.ErrInvalid) || !slices.Equal(fieldNames(err), tt.fields) {
					t.Fatalf("Add error %v: fields %q, want %q", err, fieldNames(err), tt.fields)
				}
				if st.writes != 0 {
					t.Errorf("refused Add wrote %d times", st.writes)
				}
				return
			}
			if err != nil {
				t.Fatalf("Add(%+v): %v", tt.in, err)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}
