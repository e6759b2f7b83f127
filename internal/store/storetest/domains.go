package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

func runDomains(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("empty", func(t *testing.T) { testDomainsEmpty(t, open(t)) })
	t.Run("create-get-list", func(t *testing.T) { testDomainCreateGetList(t, open(t)) })
	t.Run("create/refused", func(t *testing.T) { testDomainCreateRefused(t, open) })
	t.Run("update", func(t *testing.T) { testDomainUpdate(t, open) })
	t.Run("update/parent", func(t *testing.T) { testDomainReparent(t, open) })
	t.Run("delete", func(t *testing.T) { testDomainDelete(t, open) })
	t.Run("revision/changes-on-writes-only", func(t *testing.T) { testDomainsRevision(t, open(t)) })
	t.Run("certificate/large", func(t *testing.T) { testDomainLargePEM(t, open(t)) })
	t.Run("args/invalid", func(t *testing.T) { testDomainInvalid(t, open(t)) })
	t.Run("concurrency/one-update-wins", func(t *testing.T) { testDomainConcurrentUpdates(t, open(t)) })
	t.Run("concurrency/crossed-moves-make-no-cycle", func(t *testing.T) { testDomainCrossedMoves(t, open(t)) })
}

// domainTree is the fixture of most domain tests:
//
//	example.com
//	├── a.example.com
//	│   ├── x.a.example.com
//	│   │   └── deep.x.a.example.com
//	│   └── y.a.example.com
//	└── b.example.com
var domainTree = [][2]string{ // name, parent; parents first
	{"example.com", ""},
	{"a.example.com", "example.com"},
	{"b.example.com", "example.com"},
	{"x.a.example.com", "a.example.com"},
	{"y.a.example.com", "a.example.com"},
	{"deep.x.a.example.com", "x.a.example.com"},
}

func createTree(t *testing.T, db *store.DB) map[string]store.Domain {
	t.Helper()
	got := map[string]store.Domain{}
	for _, nd := range domainTree {
		got[nd[0]] = mustCreateDomain(t, db, store.Domain{Name: nd[0], Parent: nd[1]})
	}
	return got
}

func mustCreateDomain(t *testing.T, db *store.DB, d store.Domain) store.Domain {
	t.Helper()
	got, err := db.CreateDomain(context.Background(), d)
	if err != nil {
		t.Fatalf("CreateDomain(%s): %v", d.Name, err)
	}
	return got
}

func mustDomainsRevision(t *testing.T, db *store.DB) int64 {
	t.Helper()
	rev, err := db.DomainsRevision(context.Background())
	if err != nil {
		t.Fatalf("DomainsRevision: %v", err)
	}
	return rev
}

// domainNames lists the stored names, with their parents: "name<parent".
func domainNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	ds, err := db.Domains(context.Background())
	if err != nil {
		t.Fatalf("Domains: %v", err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.Name+"<"+d.Parent)
	}
	return out
}

func treeNames() []string {
	var out []string
	for _, nd := range domainTree {
		out = append(out, nd[0]+"<"+nd[1])
	}
	slices.Sort(out)
	return out
}

// sameDomain reports whether got is want as stored, times in UTC.
func sameDomain(got, want store.Domain) bool {
	return got.Name == want.Name && got.Parent == want.Parent && got.CertificatePEM == want.CertificatePEM &&
		got.ACMEEnabled == want.ACMEEnabled && got.ACMEAccountEmail == want.ACMEAccountEmail &&
		got.Created.Equal(want.Created) && got.Updated.Equal(want.Updated) && got.Revision == want.Revision &&
		got.Created.Location() == time.UTC && got.Updated.Location() == time.UTC
}

func testDomainsEmpty(t *testing.T, db *store.DB) {
	ctx := context.Background()
	if ds, err := db.Domains(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("Domains() on a new store = %+v, %v; want none", ds, err)
	}
	if rev := mustDomainsRevision(t, db); rev != 0 {
		t.Errorf("DomainsRevision() on a new store = %d, want 0", rev)
	}
	if _, err := db.Domain(ctx, "example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Domain(example.com) on a new store: %v, want ErrNotFound", err)
	}
}

func testDomainCreateGetList(t *testing.T, db *store.DB) {
	ctx := context.Background()
	before := time.Now().UTC().Truncate(time.Microsecond)
	master := mustCreateDomain(t, db, store.Domain{Name: "example.com", CertificatePEM: "pem\r\nmaster\n"})
	child := mustCreateDomain(t, db, store.Domain{
		Name: "b.example.com", Parent: "example.com", ACMEEnabled: true, ACMEAccountEmail: "ops@example.com",
		// Ignored: the store sets these.
		Created: t0, Updated: t0, Revision: 99,
	})
	other := mustCreateDomain(t, db, store.Domain{Name: "a.example.com", Parent: "example.com"})
	after := time.Now().UTC()

	for _, d := range []store.Domain{master, child, other} {
		if d.Created.Before(before) || d.Created.After(after) || !d.Updated.Equal(d.Created) || d.Created.Location() != time.UTC {
			t.Errorf("%s: Created %v, Updated %v; want equal, in UTC, within [%v, %v]", d.Name, d.Created, d.Updated, before, after)
		}
	}
	if master.Revision <= 0 || master.Revision >= child.Revision || child.Revision >= other.Revision {
		t.Errorf("revisions %d, %d, %d; want positive and growing", master.Revision, child.Revision, other.Revision)
	}
	if rev := mustDomainsRevision(t, db); rev != other.Revision {
		t.Errorf("DomainsRevision() = %d, want the last write's revision %d", rev, other.Revision)
	}
	if child.Parent != "example.com" || !child.ACMEEnabled || child.ACMEAccountEmail != "ops@example.com" {
		t.Errorf("CreateDomain returned %+v", child)
	}

	for _, want := range []store.Domain{master, child, other} {
		got, err := db.Domain(ctx, want.Name)
		if err != nil || !sameDomain(got, want) {
			t.Errorf("Domain(%s) = %+v, %v; want %+v", want.Name, got, err, want)
		}
	}
	all, err := db.Domains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Domain{other, child, master} // sorted by name
	if len(all) != len(want) {
		t.Fatalf("Domains() = %+v, want %+v", all, want)
	}
	for i := range all {
		if !sameDomain(all[i], want[i]) {
			t.Errorf("Domains()[%d] = %+v, want %+v", i, all[i], want[i])
		}
	}
	for _, name := range []string{"c.example.com", "EXAMPLE.COM", "example.com."} {
		if _, err := db.Domain(ctx, name); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Domain(%q): %v, want ErrNotFound", name, err)
		}
	}
}

func testDomainCreateRefused(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name string
		d    store.Domain
		want error
	}{
		{name: "fail/duplicate-root", d: store.Domain{Name: "example.com"}, want: store.ErrConflict},
		{name: "fail/duplicate-child", d: store.Domain{Name: "a.example.com", Parent: "example.com"}, want: store.ErrConflict},
		{name: "fail/duplicate-other-parent", d: store.Domain{Name: "a.example.com", Parent: "b.example.com"}, want: store.ErrConflict},
		{name: "fail/unknown-parent", d: store.Domain{Name: "c.example.com", Parent: "nowhere.example.com"}, want: store.ErrParentNotFound},
		{name: "fail/parent-differs-in-case", d: store.Domain{Name: "c.example.com", Parent: "EXAMPLE.com"}, want: store.ErrParentNotFound},
		{name: "fail/own-parent", d: store.Domain{Name: "c.example.com", Parent: "c.example.com"}, want: store.ErrParentNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := open(t)
			createTree(t, db)
			rev := mustDomainsRevision(t, db)
			got, err := db.CreateDomain(context.Background(), tt.d)
			if !errors.Is(err, tt.want) {
				t.Fatalf("CreateDomain(%+v) = %+v, %v; want %v", tt.d, got, err, tt.want)
			}
			if errors.Is(tt.want, store.ErrParentNotFound) && errors.Is(err, store.ErrNotFound) {
				t.Errorf("error %v wraps ErrNotFound, which would say the domain itself is missing", err)
			}
			if names := domainNames(t, db); !slices.Equal(names, treeNames()) {
				t.Errorf("after refused create: %q, want %q", names, treeNames())
			}
			if after := mustDomainsRevision(t, db); after != rev {
				t.Errorf("refused create moved DomainsRevision from %d to %d", rev, after)
			}
		})
	}
}

func testDomainUpdate(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name     string
		target   string
		revision func(cur int64) int64
		change   func(d *store.Domain)
		want     error
	}{
		{name: "ok/fields", target: "a.example.com", revision: same, change: func(d *store.Domain) {
			d.CertificatePEM, d.ACMEEnabled, d.ACMEAccountEmail = "new pem", true, "acme@example.com"
		}},
		{name: "ok/clear-fields", target: "b.example.com", revision: same, change: func(d *store.Domain) {
			d.CertificatePEM, d.ACMEEnabled, d.ACMEAccountEmail = "", false, ""
		}},
		{name: "ok/nothing-changes-still-a-write", target: "example.com", revision: same, change: func(*store.Domain) {}},
		{name: "ok/make-root", target: "b.example.com", revision: same, change: func(d *store.Domain) { d.Parent = "" }},
		{name: "fail/stale-revision", target: "a.example.com", revision: func(cur int64) int64 { return cur - 1 },
			change: func(d *store.Domain) { d.CertificatePEM = "lost" }, want: store.ErrConflict},
		{name: "fail/future-revision", target: "a.example.com", revision: func(cur int64) int64 { return cur + 100 },
			change: func(d *store.Domain) { d.CertificatePEM = "lost" }, want: store.ErrConflict},
		{name: "fail/absent", target: "c.example.com", revision: func(int64) int64 { return 1 },
			change: func(d *store.Domain) { d.Parent = "example.com" }, want: store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			tree := createTree(t, db)
			// Give the target a second write, so that a stale revision exists.
			cur, ok := tree[tt.target]
			if ok {
				cur.CertificatePEM, cur.ACMEEnabled, cur.ACMEAccountEmail = "old pem", true, "old@example.com"
				var err error
				if cur, err = db.UpdateDomain(ctx, cur, cur.Revision); err != nil {
					t.Fatal(err)
				}
			} else {
				cur = store.Domain{Name: tt.target}
			}
			before := mustDomainsRevision(t, db)
			upd := cur
			tt.change(&upd)
			got, err := db.UpdateDomain(ctx, upd, tt.revision(cur.Revision))
			stored, getErr := db.Domain(ctx, tt.target)
			after := mustDomainsRevision(t, db)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("UpdateDomain = %+v, %v; want %v", got, err, tt.want)
				}
				if ok && (getErr != nil || !sameDomain(stored, cur)) {
					t.Errorf("after refused update: %+v, %v; want unchanged %+v", stored, getErr, cur)
				}
				if after != before {
					t.Errorf("refused update moved DomainsRevision from %d to %d", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("UpdateDomain: %v", err)
			}
			want := upd
			want.Created, want.Updated, want.Revision = cur.Created, got.Updated, after
			if !sameDomain(got, want) || got.Updated.Before(cur.Updated) || got.Revision <= cur.Revision {
				t.Errorf("UpdateDomain = %+v; want %+v, Updated not before %v, Revision above %d", got, want, cur.Updated, cur.Revision)
			}
			if getErr != nil || !sameDomain(stored, got) {
				t.Errorf("Domain after update = %+v, %v; want %+v", stored, getErr, got)
			}
			if after != before+1 {
				t.Errorf("update moved DomainsRevision from %d to %d, want one step", before, after)
			}
		})
	}
}

func same(cur int64) int64 { return cur }

func testDomainReparent(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name, target, parent string
		want                 error
	}{
		{name: "ok/to-sibling", target: "b.example.com", parent: "a.example.com"},
		{name: "ok/to-uncle", target: "x.a.example.com", parent: "b.example.com"},
		{name: "ok/leaf-to-root", target: "deep.x.a.example.com", parent: "example.com"},
		{name: "ok/root-below-another-root", target: "example.com", parent: "other.org"},
		{name: "fail/self", target: "a.example.com", parent: "a.example.com", want: store.ErrCycle},
		{name: "fail/child", target: "a.example.com", parent: "x.a.example.com", want: store.ErrCycle},
		{name: "fail/grandchild", target: "a.example.com", parent: "deep.x.a.example.com", want: store.ErrCycle},
		{name: "fail/root-below-descendant", target: "example.com", parent: "deep.x.a.example.com", want: store.ErrCycle},
		{name: "fail/unknown", target: "a.example.com", parent: "c.example.com", want: store.ErrParentNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			tree := createTree(t, db)
			mustCreateDomain(t, db, store.Domain{Name: "other.org"})
			wantNames := domainNames(t, db)
			before := mustDomainsRevision(t, db)
			d := tree[tt.target]
			d.Parent = tt.parent
			got, err := db.UpdateDomain(ctx, d, d.Revision)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("move %s under %s = %+v, %v; want %v", tt.target, tt.parent, got, err, tt.want)
				}
				if names := domainNames(t, db); !slices.Equal(names, wantNames) {
					t.Errorf("after refused move: %q, want %q", names, wantNames)
				}
				if after := mustDomainsRevision(t, db); after != before {
					t.Errorf("refused move moved DomainsRevision from %d to %d", before, after)
				}
				return
			}
			if err != nil || got.Parent != tt.parent {
				t.Fatalf("move %s under %s = %+v, %v", tt.target, tt.parent, got, err)
			}
			for i, n := range wantNames {
				if strings.HasPrefix(n, tt.target+"<") {
					wantNames[i] = tt.target + "<" + tt.parent
				}
			}
			if names := domainNames(t, db); !slices.Equal(names, wantNames) {
				t.Errorf("after move: %q, want %q", names, wantNames)
			}
		})
	}
}

func testDomainDelete(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name      string
		target    string
		recursive bool
		want      []string // deleted names, sorted
		err       error
	}{
		{name: "ok/leaf", target: "b.example.com", want: []string{"b.example.com"}},
		{name: "ok/leaf-recursive", target: "deep.x.a.example.com", recursive: true, want: []string{"deep.x.a.example.com"}},
		{name: "fail/with-children", target: "a.example.com", err: store.ErrHasChildren},
		{name: "fail/root-with-children", target: "example.com", err: store.ErrHasChildren},
		{name: "ok/recursive-3-levels", target: "a.example.com", recursive: true,
			want: []string{"a.example.com", "deep.x.a.example.com", "x.a.example.com", "y.a.example.com"}},
		{name: "ok/recursive-whole-tree", target: "example.com", recursive: true,
			want: []string{"a.example.com", "b.example.com", "deep.x.a.example.com", "example.com", "x.a.example.com", "y.a.example.com"}},
		{name: "fail/absent", target: "c.example.com", recursive: true, err: store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			createTree(t, db)
			before := mustDomainsRevision(t, db)
			got, err := db.DeleteDomain(ctx, tt.target, tt.recursive)
			after := mustDomainsRevision(t, db)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("DeleteDomain(%s, %v) = %q, %v; want %v", tt.target, tt.recursive, got, err, tt.err)
				}
				if names := domainNames(t, db); !slices.Equal(names, treeNames()) {
					t.Errorf("after refused delete: %q, want %q", names, treeNames())
				}
				if after != before {
					t.Errorf("refused delete moved DomainsRevision from %d to %d", before, after)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("DeleteDomain(%s, %v) = %q, %v; want %q", tt.target, tt.recursive, got, err, tt.want)
			}
			var wantLeft []string
			for _, n := range treeNames() {
				if !slices.Contains(tt.want, n[:strings.IndexByte(n, '<')]) {
					wantLeft = append(wantLeft, n)
				}
			}
			if names := domainNames(t, db); !slices.Equal(names, wantLeft) {
				t.Errorf("after delete: %q, want %q", names, wantLeft)
			}
			for _, n := range tt.want {
				if _, err := db.Domain(ctx, n); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("Domain(%s) after delete: %v, want ErrNotFound", n, err)
				}
			}
			if after != before+1 {
				t.Errorf("delete moved DomainsRevision from %d to %d, want one step", before, after)
			}
		})
	}
}

// testDomainsRevision runs one write or read after another on one store and
// checks that DomainsRevision grows exactly after the writes that succeed.
func testDomainsRevision(t *testing.T, db *store.DB) {
	ctx := context.Background()
	var master store.Domain
	steps := []struct {
		name    string
		op      func() error
		wantErr bool
		changes bool
	}{
		{name: "read/list-empty", op: func() error { _, err := db.Domains(ctx); return err }},
		{name: "write/create-root", changes: true, op: func() error {
			var err error
			master, err = db.CreateDomain(ctx, store.Domain{Name: "example.com"})
			return err
		}},
		{name: "write/create-child", changes: true, op: func() error {
			_, err := db.CreateDomain(ctx, store.Domain{Name: "a.example.com", Parent: "example.com"})
			return err
		}},
		{name: "write/create-grandchild", changes: true, op: func() error {
			_, err := db.CreateDomain(ctx, store.Domain{Name: "x.a.example.com", Parent: "a.example.com"})
			return err
		}},
		{name: "read/get", op: func() error { _, err := db.Domain(ctx, "a.example.com"); return err }},
		{name: "read/list", op: func() error { _, err := db.Domains(ctx); return err }},
		{name: "read/revision", op: func() error { _, err := db.DomainsRevision(ctx); return err }},
		{name: "read/get-absent", wantErr: true, op: func() error { _, err := db.Domain(ctx, "nope.example.com"); return err }},
		{name: "refused/create-duplicate", wantErr: true, op: func() error {
			_, err := db.CreateDomain(ctx, store.Domain{Name: "example.com"})
			return err
		}},
		{name: "refused/create-unknown-parent", wantErr: true, op: func() error {
			_, err := db.CreateDomain(ctx, store.Domain{Name: "b.example.com", Parent: "nope.example.com"})
			return err
		}},
		{name: "write/update", changes: true, op: func() error {
			master.CertificatePEM = "pem"
			var err error
			master, err = db.UpdateDomain(ctx, master, master.Revision)
			return err
		}},
		{name: "write/update-same-content", changes: true, op: func() error {
			var err error
			master, err = db.UpdateDomain(ctx, master, master.Revision)
			return err
		}},
		{name: "refused/update-stale", wantErr: true, op: func() error {
			_, err := db.UpdateDomain(ctx, master, master.Revision-1)
			return err
		}},
		{name: "refused/update-cycle", wantErr: true, op: func() error {
			d := master
			d.Parent = "x.a.example.com"
			_, err := db.UpdateDomain(ctx, d, d.Revision)
			return err
		}},
		{name: "refused/delete-with-children", wantErr: true, op: func() error {
			_, err := db.DeleteDomain(ctx, "a.example.com", false)
			return err
		}},
		{name: "refused/delete-absent", wantErr: true, op: func() error {
			_, err := db.DeleteDomain(ctx, "nope.example.com", true)
			return err
		}},
		{name: "write/delete-leaf", changes: true, op: func() error {
			_, err := db.DeleteDomain(ctx, "x.a.example.com", false)
			return err
		}},
		{name: "write/delete-recursive", changes: true, op: func() error {
			_, err := db.DeleteDomain(ctx, "example.com", true)
			return err
		}},
		{name: "write/create-again", changes: true, op: func() error {
			_, err := db.CreateDomain(ctx, store.Domain{Name: "example.com"})
			return err
		}},
	}
	rev := mustDomainsRevision(t, db)
	for _, st := range steps {
		err := st.op()
		if (err != nil) != st.wantErr {
			t.Fatalf("%s: error %v, want error: %v", st.name, err, st.wantErr)
		}
		now := mustDomainsRevision(t, db)
		switch {
		case st.changes && now <= rev:
			t.Errorf("%s: DomainsRevision went from %d to %d, want it to grow", st.name, rev, now)
		case !st.changes && now != rev:
			t.Errorf("%s: DomainsRevision went from %d to %d, want it unchanged", st.name, rev, now)
		}
		rev = now
	}
}

// largePEM returns about size bytes of PEM-shaped text: header lines, CRLF
// and a non-ASCII subject, as operators paste them.
func largePEM(seed byte, size int) string {
	rng := rand.New(rand.NewChaCha8([32]byte{'p', 'e', 'm', seed}))
	raw := make([]byte, size*3/4)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	var b strings.Builder
	b.WriteString("subject=/CN=Zürich PBX\r\n-----BEGIN CERTIFICATE-----\r\n")
	for len(b64) > 64 {
		b.WriteString(b64[:64] + "\r\n")
		b64 = b64[64:]
	}
	b.WriteString(b64 + "\r\n-----END CERTIFICATE-----\r\n")
	return b.String()
}

func testDomainLargePEM(t *testing.T, db *store.DB) {
	ctx := context.Background()
	first, second := largePEM(1, 200<<10), largePEM(2, 210<<10)
	d := mustCreateDomain(t, db, store.Domain{Name: "example.com", CertificatePEM: first})
	got, err := db.Domain(ctx, "example.com")
	if err != nil || got.CertificatePEM != first {
		t.Fatalf("Domain after create: %d bytes, equal=%v, %v", len(got.CertificatePEM), got.CertificatePEM == first, err)
	}
	d.CertificatePEM = second
	if _, err := db.UpdateDomain(ctx, d, d.Revision); err != nil {
		t.Fatal(err)
	}
	all, err := db.Domains(ctx)
	if err != nil || len(all) != 1 || all[0].CertificatePEM != second {
		t.Fatalf("Domains after update: %d domains, %v", len(all), err)
	}
}

func testDomainInvalid(t *testing.T, db *store.DB) {
	ctx := context.Background()
	root := mustCreateDomain(t, db, store.Domain{Name: "example.com"})
	rev := mustDomainsRevision(t, db)
	tests := []struct {
		name string
		d    store.Domain
	}{
		{name: "fail/empty-name", d: store.Domain{Name: ""}},
		{name: "fail/nul-in-name", d: store.Domain{Name: "a\x00.example.com"}},
		{name: "fail/invalid-utf8-parent", d: store.Domain{Name: "a.example.com", Parent: "\xff"}},
		{name: "fail/nul-in-certificate", d: store.Domain{Name: "example.com", CertificatePEM: "-----BEGIN\x00"}},
		{name: "fail/invalid-utf8-email", d: store.Domain{Name: "example.com", ACMEAccountEmail: "a\xc3@example.com"}},
		{name: "fail/name-too-long", d: store.Domain{Name: strings.Repeat("a", 5000)}},
		{name: "fail/certificate-too-long", d: store.Domain{Name: "example.com", CertificatePEM: strings.Repeat("A", 2<<20)}},
	}
	isOutcome := func(err error) bool {
		for _, s := range []error{store.ErrNotFound, store.ErrConflict, store.ErrParentNotFound, store.ErrCycle, store.ErrHasChildren} {
			if errors.Is(err, s) {
				return true
			}
		}
		return false
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errCreate := db.CreateDomain(ctx, tt.d)
			_, errUpdate := db.UpdateDomain(ctx, tt.d, root.Revision)
			for name, err := range map[string]error{"CreateDomain": errCreate, "UpdateDomain": errUpdate} {
				if err == nil || isOutcome(err) {
					t.Errorf("%s(%.40q) error = %v, want an argument error", name, tt.d.Name, err)
				}
			}
		})
	}
	for _, name := range []string{"", "a\x00b", "\xff"} {
		if _, err := db.Domain(ctx, name); err == nil || isOutcome(err) {
			t.Errorf("Domain(%q) error = %v, want an argument error", name, err)
		}
		if _, err := db.DeleteDomain(ctx, name, true); err == nil || isOutcome(err) {
			t.Errorf("DeleteDomain(%q) error = %v, want an argument error", name, err)
		}
	}
	for _, r := range []int64{0, -1} {
		if _, err := db.UpdateDomain(ctx, root, r); err == nil || isOutcome(err) {
			t.Errorf("UpdateDomain(revision %d) error = %v, want an argument error", r, err)
		}
	}
	if after := mustDomainsRevision(t, db); after != rev {
		t.Errorf("invalid calls moved DomainsRevision from %d to %d", rev, after)
	}
}

// testDomainConcurrentUpdates has several writers update one domain from
// the same revision at once: exactly one may win.
func testDomainConcurrentUpdates(t *testing.T, db *store.DB) {
	const writers = 8
	ctx := context.Background()
	d := mustCreateDomain(t, db, store.Domain{Name: "example.com"})
	start := make(chan struct{})
	results := make([]store.Domain, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			upd := d
			upd.CertificatePEM = "writer " + string(rune('a'+i))
			<-start
			results[i], errs[i] = db.UpdateDomain(ctx, upd, d.Revision)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("writers %d and %d both won", winner, i)
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("writer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	got, err := db.Domain(ctx, "example.com")
	if err != nil || !sameDomain(got, results[winner]) {
		t.Errorf("Domain after the race = %+v, %v; want the winner's %+v", got, err, results[winner])
	}
}

// testDomainCrossedMoves moves a under b and b under a at the same time,
// round after round: each check alone sees no cycle, so only serialised
// checks keep the tree a tree. Exactly one move of each pair may succeed.
func testDomainCrossedMoves(t *testing.T, db *store.DB) {
	const rounds = 20
	ctx := context.Background()
	mustCreateDomain(t, db, store.Domain{Name: "example.com"})
	for r := range rounds {
		a := mustCreateDomain(t, db, store.Domain{Name: "a" + string(rune('a'+r)) + ".example.com", Parent: "example.com"})
		b := mustCreateDomain(t, db, store.Domain{Name: "b" + string(rune('a'+r)) + ".example.com", Parent: "example.com"})
		a.Parent, b.Parent = b.Name, a.Name
		start := make(chan struct{})
		var errA, errB error
		var wg sync.WaitGroup
		wg.Go(func() { <-start; _, errA = db.UpdateDomain(ctx, a, a.Revision) })
		wg.Go(func() { <-start; _, errB = db.UpdateDomain(ctx, b, b.Revision) })
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range []error{errA, errB} {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrCycle):
				t.Errorf("round %d: %v, want nil or ErrCycle", r, err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d moves succeeded (%v, %v), want exactly 1", r, ok, errA, errB)
		}
	}
	checkAcyclic(t, db)
}

// checkAcyclic walks from every domain up to its root.
func checkAcyclic(t *testing.T, db *store.DB) {
	t.Helper()
	ds, err := db.Domains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	parent := map[string]string{}
	for _, d := range ds {
		parent[d.Name] = d.Parent
	}
	for _, d := range ds {
		at := d.Name
		for steps := 0; at != ""; steps++ {
			if steps > len(ds) {
				t.Fatalf("%s: the path to the root loops", d.Name)
			}
			at = parent[at]
		}
	}
}
