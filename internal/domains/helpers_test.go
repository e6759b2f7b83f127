package domains_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/pbxgate/pbxgate/internal/domains"
)

const master = "example.com"

// baseTree is the tree most tests start from:
//
//	example.com
//	├── pbx.example.com
//	│   └── b.pbx.example.com
//	│       └── deep.b.pbx.example.com
//	└── other.org
var baseTree = []string{
	"example.com", "",
	"pbx.example.com", "example.com",
	"b.pbx.example.com", "pbx.example.com",
	"deep.b.pbx.example.com", "b.pbx.example.com",
	"other.org", "example.com",
}

func baseTreeNames() []string {
	var out []string
	for i := 0; i < len(baseTree); i += 2 {
		out = append(out, baseTree[i]+"<"+baseTree[i+1])
	}
	slices.Sort(out)
	return out
}

func ptr[T any](v T) *T { return &v }

// wantErr checks err against a sentinel, or, when field is set, against a
// *FieldError for that field.
func wantErr(t *testing.T, err, sentinel error, field string) {
	t.Helper()
	if field != "" {
		fields := fieldNames(err)
		if !errors.Is(err, domains.ErrInvalid) || !slices.Contains(fields, field) {
			t.Fatalf("error %v; want a *FieldError for %q (got fields %q)", err, field, fields)
		}
		return
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v; want %v", err, sentinel)
	}
}

func fieldNames(err error) []string {
	var out []string
	for _, fe := range domains.FieldErrors(err) {
		out = append(out, fe.Field)
	}
	return out
}

func same(d domains.Domain) domains.Domain { return d }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
