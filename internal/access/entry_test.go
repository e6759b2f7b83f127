package access

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseEntry(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // canonical prefix, or "" when an error is expected
		err  string // substring of the error
	}{
		{name: "ok/ipv4-address", in: "192.0.2.1", want: "192.0.2.1/32"},
		{name: "ok/ipv4-cidr", in: "192.168.1.0/24", want: "192.168.1.0/24"},
		{name: "ok/ipv4-slash-32", in: "192.0.2.1/32", want: "192.0.2.1/32"},
		{name: "ok/ipv4-slash-0", in: "0.0.0.0/0", want: "0.0.0.0/0"},
		{name: "ok/ipv6-address", in: "2001:db8::1", want: "2001:db8::1/128"},
		{name: "ok/ipv6-cidr", in: "2001:db8::/32", want: "2001:db8::/32"},
		{name: "ok/ipv6-slash-0", in: "::/0", want: "::/0"},
		{name: "ok/ipv6-uppercase", in: "2001:DB8::ABCD", want: "2001:db8::abcd/128"},
		{name: "ok/trim-spaces", in: "  10.0.0.0/8\t\n", want: "10.0.0.0/8"},
		{name: "ok/host-bits-masked-v4", in: "10.1.2.3/8", want: "10.0.0.0/8"},
		{name: "ok/host-bits-masked-v6", in: "2001:db8::1/32", want: "2001:db8::/32"},
		{name: "ok/host-bits-slash-0", in: "192.0.2.1/0", want: "0.0.0.0/0"},
		{name: "ok/mapped-address", in: "::ffff:192.0.2.1", want: "192.0.2.1/32"},
		{name: "ok/mapped-prefix", in: "::ffff:10.0.0.0/104", want: "10.0.0.0/8"},
		{name: "ok/mapped-prefix-hex", in: "::ffff:a00:0/104", want: "10.0.0.0/8"},
		{name: "ok/mapped-slash-96", in: "::ffff:0.0.0.0/96", want: "0.0.0.0/0"},
		{name: "ok/mapped-slash-128", in: "::ffff:192.0.2.1/128", want: "192.0.2.1/32"},
		{name: "ok/mapped-host-bits", in: "::ffff:10.1.2.3/104", want: "10.0.0.0/8"},
		{name: "ok/ipv4-compatible-stays-v6", in: "::192.0.2.1", want: "::c000:201/128"},
		{name: "ok/loopback-v6", in: "::1", want: "::1/128"},

		{name: "fail/octet-too-big", in: "10.0.0.300", err: `"10.0.0.300" is not an IP address or CIDR prefix`},
		{name: "fail/empty", in: "", err: `"" is not an IP address or CIDR prefix`},
		{name: "fail/blank", in: "   ", err: `"" is not an IP address or CIDR prefix`},
		{name: "fail/hostname", in: "pbx.example.com", err: "is not an IP address"},
		{name: "fail/wildcard", in: "192.168.1.*", err: "is not an IP address"},
		{name: "fail/range", in: "10.0.0.1-10.0.0.9", err: "is not an IP address"},
		{name: "fail/three-octets", in: "10.0.0", err: "is not an IP address"},
		{name: "fail/leading-zero-octet", in: "010.0.0.1", err: "is not an IP address"},
		{name: "fail/inner-space", in: "10.0.0.0 /8", err: "is not an IP address"},
		{name: "fail/v4-bits-too-big", in: "10.0.0.0/33", err: "prefix length must be a number from 0 to 32"},
		{name: "fail/v6-bits-too-big", in: "2001:db8::/129", err: "prefix length must be a number from 0 to 128"},
		{name: "fail/bits-empty", in: "10.0.0.0/", err: "prefix length"},
		{name: "fail/bits-negative", in: "10.0.0.0/-1", err: "prefix length"},
		{name: "fail/bits-plus", in: "10.0.0.0/+8", err: "prefix length"},
		{name: "fail/bits-leading-zero", in: "10.0.0.0/08", err: "prefix length"},
		{name: "fail/bits-huge", in: "10.0.0.0/99999999999999999999", err: "prefix length"},
		{name: "fail/double-slash", in: "10.0.0.0/8/9", err: "prefix length"},
		{name: "fail/netmask", in: "10.0.0.0/255.0.0.0", err: "prefix length"},
		{name: "fail/zone", in: "fe80::1%eth0", err: `"fe80::1%eth0" is not an IP address or CIDR prefix: IPv6 zones are not allowed`},
		{name: "fail/zone-prefix", in: "fe80::1%eth0/64", err: "IPv6 zones are not allowed"},
		{name: "fail/mapped-short", in: "::ffff:0:0/95", err: "an IPv4-mapped prefix must be /96 or longer"},
		{name: "fail/brackets", in: "[2001:db8::1]", err: "is not an IP address"},
		{name: "fail/with-port", in: "192.0.2.1:80", err: "is not an IP address"},
		{name: "fail/control-chars-quoted", in: "10.0.0.1\x00", err: `"10.0.0.1\x00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEntry(tt.in)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("ParseEntry(%q) = %v, want error containing %q", tt.in, got, tt.err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseEntry(%q) error = %q, want it to contain %q", tt.in, err, tt.err)
				}
				if got.IsValid() {
					t.Errorf("ParseEntry(%q) returned valid prefix %v with an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEntry(%q): %v", tt.in, err)
			}
			if got != netip.MustParsePrefix(tt.want) {
				t.Errorf("ParseEntry(%q) = %v, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	white := []string{"10.0.0.0/8", "192.0.2.1", "10.0.0.300", "2001:db8::/32"}
	black := []string{"bogus", "203.0.113.0/24", "fe80::1%eth0"}
	r, err := Compile(white, black)
	if err == nil {
		t.Fatal("Compile succeeded with bad entries")
	}
	if r != nil {
		t.Errorf("Compile returned Rules %v with an error", r)
	}
	var errs EntryErrors
	if !errors.As(err, &errs) {
		t.Fatalf("error %T is not an EntryErrors", err)
	}
	want := []struct {
		list  string
		index int
		value string
		msg   string
	}{
		{ListWhitelist, 2, "10.0.0.300", `whitelist[2]: "10.0.0.300" is not an IP address or CIDR prefix`},
		{ListBlacklist, 0, "bogus", `blacklist[0]: "bogus" is not an IP address or CIDR prefix`},
		{ListBlacklist, 2, "fe80::1%eth0", `blacklist[2]: "fe80::1%eth0" is not an IP address or CIDR prefix: IPv6 zones are not allowed`},
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d entry errors, want %d: %v", len(errs), len(want), err)
	}
	for i, w := range want {
		e := errs[i]
		if e.List != w.list || e.Index != w.index || e.Value != w.value || e.Error() != w.msg {
			t.Errorf("entry error %d = {%q %d %q %q}, want {%q %d %q %q}",
				i, e.List, e.Index, e.Value, e.Error(), w.list, w.index, w.value, w.msg)
		}
	}
	wantAll := want[0].msg + "; " + want[1].msg + "; " + want[2].msg
	if err.Error() != wantAll {
		t.Errorf("Error() = %q, want %q", err.Error(), wantAll)
	}
	var first *EntryError
	if !errors.As(err, &first) || first != errs[0] {
		t.Errorf("errors.As(*EntryError) = %v, want the first entry error", first)
	}
}

func TestNewProxiesErrors(t *testing.T) {
	p, err := NewProxies([]string{"10.0.0.1", "", "::ffff:0:0/64"})
	if p != nil || err == nil {
		t.Fatalf("NewProxies = %v, %v; want nil and an error", p, err)
	}
	const want = `trusted_proxies[1]: "" is not an IP address or CIDR prefix; ` +
		`trusted_proxies[2]: "::ffff:0:0/64" is not an IP address or CIDR prefix: an IPv4-mapped prefix must be /96 or longer`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestLen(t *testing.T) {
	r, err := Compile(
		[]string{"10.0.0.0/8", "10.1.2.3/8", "::ffff:10.0.0.0/104", "2001:db8::/32", "192.0.2.1"},
		[]string{"192.0.2.1", " 192.0.2.1 "},
	)
	if err != nil {
		t.Fatal(err)
	}
	if w, b := r.Len(); w != 3 || b != 1 {
		t.Errorf("Len() = %d, %d; want 3, 1 (duplicates after masking counted once)", w, b)
	}
	var zero Rules
	if w, b := zero.Len(); w != 0 || b != 0 {
		t.Errorf("zero Rules Len() = %d, %d; want 0, 0", w, b)
	}
	p, err := NewProxies([]string{"10.0.0.1", "10.0.0.1/32", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Len(); n != 2 {
		t.Errorf("Proxies.Len() = %d, want 2", n)
	}
	if n := (*Proxies)(nil).Len(); n != 0 {
		t.Errorf("nil Proxies.Len() = %d, want 0", n)
	}
}
