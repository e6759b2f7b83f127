package ident

import (
	"errors"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// FuzzParseUserAgent: whatever the header, ParseUserAgent does not panic,
// returns a known vendor or nothing, fields in their documented forms, a
// MAC that model.ParseMAC gives back unchanged, and ignores what follows
// MaxUserAgentLen.
func FuzzParseUserAgent(f *testing.F) {
	for _, tt := range uaCases {
		f.Add(tt.ua)
	}
	f.Fuzz(func(t *testing.T, ua string) {
		a := ParseUserAgent(ua)
		if a.Vendor == "" {
			if a != (Agent{}) {
				t.Fatalf("ParseUserAgent(%q) = %+v without a vendor", ua, a)
			}
			return
		}
		if !slices.Contains(vendorIDs, a.Vendor) {
			t.Fatalf("ParseUserAgent(%q): unknown vendor %q", ua, a.Vendor)
		}
		if a.Model != "" && cleanModel(a.Model) != a.Model {
			t.Fatalf("ParseUserAgent(%q): model %q not in its documented form", ua, a.Model)
		}
		if a.Firmware != "" && cleanFirmware(a.Firmware) != a.Firmware {
			t.Fatalf("ParseUserAgent(%q): firmware %q not in its documented form", ua, a.Firmware)
		}
		checkMAC(t, ua, a.MAC)
		if len(ua) > MaxUserAgentLen {
			if cut := ParseUserAgent(ua[:MaxUserAgentLen]); cut != a {
				t.Fatalf("ParseUserAgent(%q) = %+v, but its first %d bytes give %+v", ua, a, MaxUserAgentLen, cut)
			}
		}
	})
}

// FuzzParseFileName: whatever the name, ParseFileName does not panic; an
// accepted name is local, clean, short, splits back into itself, has a base
// without '/', '\' or "..", and a MAC that round-trips and appears in the
// base; a refused one wraps ErrBadName.
func FuzzParseFileName(f *testing.F) {
	for _, tt := range nameCases {
		if len(tt.path) <= 4*MaxNameLen {
			f.Add(tt.path)
		}
	}
	f.Fuzz(func(t *testing.T, p string) {
		fn, err := ParseFileName(p)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("ParseFileName(%q) error %v does not wrap ErrBadName", p, err)
			}
			if fn != (FileName{}) {
				t.Fatalf("ParseFileName(%q) = %+v with error %v", p, fn, err)
			}
			return
		}
		switch {
		case fn.Base == "":
			t.Fatalf("ParseFileName(%q): empty base", p)
		case strings.ContainsAny(fn.Base, `/\`) || strings.Contains(fn.Base, ".."):
			t.Fatalf("ParseFileName(%q): base %q has '/', '\\' or \"..\"", p, fn.Base)
		case strings.Contains(fn.Dir, ".."):
			t.Fatalf("ParseFileName(%q): dir %q has \"..\"", p, fn.Dir)
		case fn.Path() != p:
			t.Fatalf("ParseFileName(%q) = %+v does not join back", p, fn)
		case len(p) > MaxNameLen || strings.Count(p, "/") > MaxDirs:
			t.Fatalf("ParseFileName(%q) accepted a name too long or too deep", p)
		case path.Clean(p) != p || !filepath.IsLocal(p):
			t.Fatalf("ParseFileName(%q) accepted a name that is not clean and local", p)
		case fn.HasMAC != (fn.MAC != ""):
			t.Fatalf("ParseFileName(%q) = %+v: HasMAC disagrees with MAC", p, fn)
		}
		for i := 0; i < len(p); i++ {
			if c := p[i]; c < 0x20 || c >= 0x7f || c == '%' || c == '\\' {
				t.Fatalf("ParseFileName(%q) accepted byte 0x%02x", p, c)
			}
		}
		checkMAC(t, p, fn.MAC)
		if fn.HasMAC && !strings.Contains(strings.ToLower(fn.Base), string(fn.MAC)) {
			t.Fatalf("ParseFileName(%q): MAC %q is not in the base name", p, fn.MAC)
		}
	})
}

// checkMAC fails unless m is empty or a device address that model.ParseMAC
// returns unchanged.
func checkMAC(t *testing.T, in string, m model.MAC) {
	t.Helper()
	if m == "" {
		return
	}
	back, err := model.ParseMAC(string(m))
	if err != nil || back != m {
		t.Fatalf("%q: MAC %q does not round-trip through model.ParseMAC (%q, %v)", in, m, back, err)
	}
	if strings.HasPrefix(string(m), "0000000000") || m == "ffffffffffff" {
		t.Fatalf("%q: MAC %q is not a device address", in, m)
	}
}
