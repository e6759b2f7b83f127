package domains_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/domains"
)

func TestNormalizeName(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	// 3 labels of 63, one of 61 and 3 dots: 253 characters.
	name253 := strings.Join([]string{label63, label63, label63, strings.Repeat("b", 61)}, ".")
	tests := []struct {
		name string
		in   string
		want string // normal form; "" when refused
		why  string // part of the error message when refused
	}{
		{name: "ok/plain", in: "example.com", want: "example.com"},
		{name: "ok/subdomain", in: "a.b.example.com", want: "a.b.example.com"},
		{name: "ok/single-label", in: "localhost", want: "localhost"},
		{name: "ok/uppercase-lowered", in: "PBX.Example.COM", want: "pbx.example.com"},
		{name: "ok/trailing-dot-dropped", in: "example.com.", want: "example.com"},
		{name: "ok/upper-and-dot", in: "EXAMPLE.COM.", want: "example.com"},
		{name: "ok/digits-in-labels", in: "3com.example.c0m", want: "3com.example.c0m"},
		{name: "ok/all-digit-inner-label", in: "123.example.com", want: "123.example.com"},
		{name: "ok/hyphen-inside", in: "my-pbx.ex-ample.com", want: "my-pbx.ex-ample.com"},
		{name: "ok/double-hyphen", in: "a--b.example.com", want: "a--b.example.com"},
		{name: "ok/punycode", in: "xn--zrich-kva.example", want: "xn--zrich-kva.example"},
		{name: "ok/one-letter-labels", in: "a.b.c", want: "a.b.c"},
		{name: "ok/label-63", in: label63 + ".com", want: label63 + ".com"},
		{name: "ok/name-253", in: name253, want: name253},
		{name: "ok/name-253-with-dot", in: name253 + ".", want: name253},
		{name: "ok/tld-with-digit", in: "example.x1", want: "example.x1"},

		{name: "fail/empty", in: "", why: "empty"},
		{name: "fail/only-dot", in: ".", why: "empty"},
		{name: "fail/two-trailing-dots", in: "example.com..", why: "empty label"},
		{name: "fail/leading-dot", in: ".example.com", why: "empty label"},
		{name: "fail/double-dot", in: "a..example.com", why: "empty label"},
		{name: "fail/underscore", in: "Bad_Name", why: `'_' is not a letter`},
		{name: "fail/srv-style-label", in: "_sip._tcp.example.com", why: `'_'`},
		{name: "fail/wildcard", in: "*.example.com", why: "wildcards"},
		{name: "fail/wildcard-upper-dot", in: "*.EXAMPLE.COM.", why: "wildcards"},
		{name: "fail/bare-star", in: "*", why: "wildcards"},
		{name: "fail/star-inside", in: "a.*.example.com", why: `'*'`},
		{name: "fail/star-in-label", in: "a*.example.com", why: `'*'`},
		{name: "fail/leading-hyphen", in: "-pbx.example.com", why: "hyphen"},
		{name: "fail/trailing-hyphen", in: "pbx-.example.com", why: "hyphen"},
		{name: "fail/hyphen-only-label", in: "-.example.com", why: "hyphen"},
		{name: "fail/hyphen-tld", in: "example.com-", why: "hyphen"},
		{name: "fail/label-64", in: label63 + "a.com", why: "more than 63"},
		{name: "fail/name-254", in: name253 + "b", why: "more than 253"},
		{name: "fail/space", in: "pbx example.com", why: `' '`},
		{name: "fail/leading-space", in: " example.com", why: `' '`},
		{name: "fail/trailing-newline", in: "example.com\n", why: `'\n'`},
		{name: "fail/nul", in: "example\x00.com", why: `'\x00'`},
		{name: "fail/slash", in: "example.com/x", why: `'/'`},
		{name: "fail/colon-port", in: "example.com:443", why: `':'`},
		{name: "fail/at", in: "user@example.com", why: `'@'`},
		{name: "fail/unicode", in: "zürich.example", why: `'ü'`},
		{name: "fail/kelvin-sign-is-not-k", in: "\u212aelvin.example", why: "'\u212a'"},
		{name: "fail/invalid-utf8", in: "ex\xffample.com", why: "byte 0xff"},
		{name: "fail/ipv4", in: "192.0.2.1", why: "all digits"},
		{name: "fail/ipv4-dot", in: "10.0.0.1.", why: "all digits"},
		{name: "fail/numeric-tld", in: "example.123", why: "all digits"},
		{name: "fail/single-numeric-label", in: "42", why: "all digits"},
		{name: "fail/ipv6", in: "2001:db8::1", why: `':'`},
		{name: "fail/bracketed-ipv6", in: "[::1]", why: `'['`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domains.NormalizeName(tt.in)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("NormalizeName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("NormalizeName(%q) = %q, want an error", tt.in, got)
			}
			var fe *domains.FieldError
			if !errors.As(err, &fe) || fe.Field != "name" || !errors.Is(err, domains.ErrInvalid) {
				t.Errorf("NormalizeName(%q) error %v is not a *FieldError for \"name\" wrapping ErrInvalid", tt.in, err)
			}
			if !strings.Contains(err.Error(), "is not a DNS name") || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("NormalizeName(%q) error %q, want it to say %q", tt.in, err, tt.why)
			}
		})
	}
}

// TestNormalizeNameMessage pins the message the API shows.
func TestNormalizeNameMessage(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "fail/underscore", in: "Bad_Name",
			want: `name: "Bad_Name" is not a DNS name: '_' is not a letter, digit, hyphen or dot`},
		{name: "fail/long-input-is-cut", in: strings.Repeat("x", 300),
			want: `name: "` + strings.Repeat("x", 64) + `"… is not a DNS name: it is 300 characters long, more than 253`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domains.NormalizeName(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("NormalizeName(%.20q…) error\n got %v\nwant %s", tt.in, err, tt.want)
			}
		})
	}
}
