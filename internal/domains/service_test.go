package domains_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/domains"
)

func TestRemove(t *testing.T) {
	tests := []struct {
		name      string
		target    string
		recursive bool
		want      []string
		err       error
		field     string
	}{
		{name: "ok/leaf", target: "other.org", want: []string{"other.org"}},
		{name: "ok/leaf-recursive", target: "deep.b.pbx.example.com", recursive: true, want: []string{"deep.b.pbx.example.com"}},
		{name: "ok/name-normalised", target: "Other.Org.", want: []string{"other.org"}},
		{name: "fail/with-children", target: "pbx.example.com", err: domains.ErrHasChildren},
		{name: "ok/recursive-subtree", target: "pbx.example.com", recursive: true,
			want: []string{"b.pbx.example.com", "deep.b.pbx.example.com", "pbx.example.com"}},
		{name: "fail/absent", target: "nowhere.org", recursive: true, err: domains.ErrNotFound},
		{name: "fail/master", target: master, field: "name"},
		{name: "fail/master-recursive", target: master, recursive: true, field: "name"},
		{name: "fail/master-other-case", target: "Example.COM.", recursive: true, field: "name"},
		{name: "fail/invalid-name", target: "*.example.com", field: "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore().seed(baseTree...)
			got, err := domains.New(st, master).Remove(context.Background(), tt.target, tt.recursive)
			if tt.want == nil {
				wantErr(t, err, tt.err, tt.field)
				if !slices.Equal(st.tree(), baseTreeNames()) {
					t.Errorf("refused Remove changed the tree: %q", st.tree())
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("Remove(%s, %v) = %q, %v; want %q", tt.target, tt.recursive, got, err, tt.want)
			}
			for _, n := range st.tree() {
				if slices.Contains(tt.want, n[:strings.IndexByte(n, '<')]) {
					t.Errorf("%s is still stored", n)
				}
			}
			if len(st.tree()) != len(baseTreeNames())-len(tt.want) {
				t.Errorf("tree after Remove: %q", st.tree())
			}
		})
	}
}

func TestEnsureMaster(t *testing.T) {
	tests := []struct {
		name   string
		seed   []string
		master string
		want   []string
		writes int
	}{
		{name: "ok/creates-on-empty-store", master: master, want: []string{"example.com<"}, writes: 1},
		{name: "ok/normalised", master: "EXAMPLE.com.", want: []string{"example.com<"}, writes: 1},
		{name: "ok/already-right-writes-nothing", seed: baseTree, master: master, want: baseTreeNames()},
		{name: "ok/master-renamed-old-root-moves-below", master: "new.example",
			seed: []string{"old.example", "", "a.old.example", "old.example"},
			want: []string{"a.old.example<old.example", "new.example<", "old.example<new.example"}, writes: 2},
		{name: "ok/new-master-was-a-child", master: "pbx.example.com",
			seed: []string{"example.com", "", "pbx.example.com", "example.com", "other.org", "example.com"},
			want: []string{"example.com<pbx.example.com", "other.org<example.com", "pbx.example.com<"}, writes: 2},
		{name: "ok/every-stray-root-moves-below", master: master,
			seed: []string{"a.org", "", "b.org", "", "c.a.org", "a.org"},
			want: []string{"a.org<example.com", "b.org<example.com", "c.a.org<a.org", "example.com<"}, writes: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := newMemStore().seed(tt.seed...)
			svc := domains.New(st, tt.master)
			if err := svc.EnsureMaster(ctx); err != nil {
				t.Fatal(err)
			}
			if got := st.tree(); !slices.Equal(got, tt.want) || st.writes != tt.writes {
				t.Errorf("tree %q after %d writes; want %q after %d", got, st.writes, tt.want, tt.writes)
			}
			// A second call finds everything right.
			st.writes = 0
			if err := svc.EnsureMaster(ctx); err != nil || st.writes != 0 {
				t.Errorf("second EnsureMaster: %v, %d writes; want none", err, st.writes)
			}
		})
	}
}

// TestEnsureMasterRace has another node create the master between our read
// and our create.
func TestEnsureMasterRace(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	st.beforeWrite = func(m *memStore) {
		if _, err := m.Create(ctx, domains.Domain{Name: master}); err != nil {
			panic(err)
		}
	}
	if err := domains.New(st, master).EnsureMaster(ctx); err != nil {
		t.Fatalf("EnsureMaster after losing the race: %v", err)
	}
	if got := st.tree(); !slices.Equal(got, []string{"example.com<"}) {
		t.Errorf("tree %q", got)
	}
}

func TestInvalidMaster(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	svc := domains.New(st, "bad_master")
	calls := map[string]error{"EnsureMaster": svc.EnsureMaster(ctx)}
	_, calls["Add"] = svc.Add(ctx, domains.Domain{Name: "a.example.com"})
	_, calls["Update"] = svc.Update(ctx, "a.example.com", domains.Patch{})
	_, calls["Remove"] = svc.Remove(ctx, "a.example.com", false)
	for name, err := range calls {
		if !errors.Is(err, domains.ErrInvalid) || !strings.Contains(fmtErr(err), "master domain") {
			t.Errorf("%s with an invalid master: %v; want an ErrInvalid naming the master domain", name, err)
		}
	}
	if st.writes != 0 {
		t.Errorf("%d writes with an invalid master", st.writes)
	}
}

func TestGetList(t *testing.T) {
	ctx := context.Background()
	svc := domains.New(newMemStore().seed(baseTree...), master)
	tests := []struct {
		name, in, want string
		err            error
		field          string
	}{
		{name: "ok/exact", in: "pbx.example.com", want: "pbx.example.com"},
		{name: "ok/normalised", in: "PBX.example.com.", want: "pbx.example.com"},
		{name: "fail/absent", in: "nowhere.org", err: domains.ErrNotFound},
		{name: "fail/invalid", in: "not a name", field: "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := svc.Get(ctx, tt.in)
			if tt.want == "" {
				wantErr(t, err, tt.err, tt.field)
				return
			}
			if err != nil || got.Name != tt.want {
				t.Fatalf("Get(%q) = %+v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
	all, err := svc.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range all {
		names = append(names, d.Name+"<"+d.Parent)
	}
	if !slices.Equal(names, baseTreeNames()) {
		t.Errorf("List = %q, want %q", names, baseTreeNames())
	}
	if svc.Master() != master {
		t.Errorf("Master() = %q, want %q", svc.Master(), master)
	}
}

func TestFieldErrors(t *testing.T) {
	a := &domains.FieldError{Field: "name", Msg: "bad"}
	b := &domains.FieldError{Field: "parent", Msg: "worse"}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{name: "ok/nil", err: nil},
		{name: "ok/plain-error", err: errors.New("x")},
		{name: "ok/sentinel", err: domains.ErrInvalid},
		{name: "ok/one", err: a, want: []string{"name"}},
		{name: "ok/wrapped", err: errorsJoinWrap(a), want: []string{"name"}},
		{name: "ok/joined-and-wrapped", err: errorsJoinWrap(errors.Join(a, errors.New("x"), b)), want: []string{"name", "parent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fieldNames(tt.err); !slices.Equal(got, tt.want) {
				t.Errorf("FieldErrors(%v) fields = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
	if got := a.Error(); got != "name: bad" || !errors.Is(a, domains.ErrInvalid) {
		t.Errorf("FieldError = %q, Is(ErrInvalid) = %v", got, errors.Is(a, domains.ErrInvalid))
	}
}

func errorsJoinWrap(err error) error {
	return errors.Join(errors.New("context"), wrapErr{err})
}

type wrapErr struct{ err error }

func (w wrapErr) Error() string { return "wrapped: " + w.err.Error() }
func (w wrapErr) Unwrap() error { return w.err }
