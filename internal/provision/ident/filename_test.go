package ident

import (
	"errors"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// nameCases are the file-name tests; the fuzz target seeds from them too.
// err is nil, ErrBadName or ErrTraversal (which implies ErrBadName).
var nameCases = []struct {
	name string
	path string
	dir  string
	base string
	mac  model.MAC
	err  error
}{
	// Device files of every vendor
	{name: "ok/yealink-polycom-fanvil-mac-cfg", path: "001565a1b2c3.cfg", base: "001565a1b2c3.cfg", mac: "001565a1b2c3"},
	{name: "ok/cisco-sep", path: "SEP001565A1B2C3.cnf.xml", base: "SEP001565A1B2C3.cnf.xml", mac: "001565a1b2c3"},
	{name: "ok/cisco-ctlsep", path: "CTLSEP001565A1B2C3.tlv", base: "CTLSEP001565A1B2C3.tlv", mac: "001565a1b2c3"},
	{name: "ok/cisco-79xx-sip", path: "SIP001565A1B2C3.cnf", base: "SIP001565A1B2C3.cnf", mac: "001565a1b2c3"},
	{name: "ok/cisco-ata-hex-prefix", path: "ATA001565A1B2C3.cnf.xml", base: "ATA001565A1B2C3.cnf.xml", mac: "001565a1b2c3"},
	{name: "ok/cisco-spa-hex-prefix", path: "spa001565a1b2c3.xml", base: "spa001565a1b2c3.xml", mac: "001565a1b2c3"},
	{name: "ok/snom-htm", path: "snomD785-001565A1B2C3.htm", base: "snomD785-001565A1B2C3.htm", mac: "001565a1b2c3"},
	{name: "ok/snom-gigaset-xml", path: "001565A1B2C3.xml", base: "001565A1B2C3.xml", mac: "001565a1b2c3"},
	{name: "ok/grandstream-htek-xml", path: "cfg001565a1b2c3.xml", base: "cfg001565a1b2c3.xml", mac: "001565a1b2c3"},
	{name: "ok/grandstream-binary", path: "cfg001565a1b2c3", base: "cfg001565a1b2c3", mac: "001565a1b2c3"},
	{name: "ok/grandstream-folder", path: "Grandstream/cfg001565a1b2c3.xml", dir: "Grandstream", base: "cfg001565a1b2c3.xml", mac: "001565a1b2c3"},
	{name: "ok/polycom-user", path: "001565a1b2c3-user.cfg", base: "001565a1b2c3-user.cfg", mac: "001565a1b2c3"},
	{name: "ok/polycom-directory", path: "001565a1b2c3-directory.xml", base: "001565a1b2c3-directory.xml", mac: "001565a1b2c3"},
	{name: "ok/polycom-folder", path: "polycom/001565a1b2c3-phone.cfg", dir: "polycom", base: "001565a1b2c3-phone.cfg", mac: "001565a1b2c3"},
	{name: "ok/panasonic", path: "Config001565A1B2C3.cfg", base: "Config001565A1B2C3.cfg", mac: "001565a1b2c3"},
	{name: "ok/alcatel", path: "config.001565a1b2c3.xml", base: "config.001565a1b2c3.xml", mac: "001565a1b2c3"},
	{name: "ok/vtech", path: "VCS754_001565A1B2C3.cfg", base: "VCS754_001565A1B2C3.cfg", mac: "001565a1b2c3"},
	{name: "ok/mitel-minet", path: "MN_001565A1B2C3.cfg", base: "MN_001565A1B2C3.cfg", mac: "001565a1b2c3"},
	{name: "ok/aastra-folder", path: "Aastra/00085D237429.cfg", dir: "Aastra", base: "00085D237429.cfg", mac: "00085d237429"},
	{name: "ok/cisco-3pcc-two-dirs", path: "Cisco/CP-8851-3PCC/001234ab45de.cfg", dir: "Cisco/CP-8851-3PCC", base: "001234ab45de.cfg", mac: "001234ab45de"},
	{name: "ok/same-mac-twice", path: "001565a1b2c3-001565A1B2C3.cfg", base: "001565a1b2c3-001565A1B2C3.cfg", mac: "001565a1b2c3"},

	// Common files
	{name: "ok/cisco-spa-psn", path: "spa504G.cfg", base: "spa504G.cfg"},
	{name: "ok/yealink-common", path: "y000000000066.cfg", base: "y000000000066.cfg"},
	{name: "ok/yealink-common-three-digit-family", path: "y000000000124.cfg", base: "y000000000124.cfg"},
	{name: "ok/oui-000000-is-not-a-device", path: "000000a1b2c3.cfg", base: "000000a1b2c3.cfg"},
	{name: "ok/yealink-boot", path: "y000000000000.boot", base: "y000000000000.boot"},
	{name: "ok/polycom-master", path: "000000000000.cfg", base: "000000000000.cfg"},
	{name: "ok/spectralink-seed", path: "000000000000-directory.xml", base: "000000000000-directory.xml"},
	{name: "ok/grandstream-common", path: "Grandstream/cfg.xml", dir: "Grandstream", base: "cfg.xml"},
	{name: "ok/aastra-common", path: "Aastra/aastra.cfg", dir: "Aastra", base: "aastra.cfg"},
	{name: "ok/cyberdata-common", path: "000000cd.xml", base: "000000cd.xml"},
	{name: "ok/fanvil-common", path: "F0V00X200000.cfg", base: "F0V00X200000.cfg"},
	{name: "ok/panasonic-product", path: "KX-UT123.cfg", base: "KX-UT123.cfg"},
	{name: "ok/broadcast-not-mac", path: "ffffffffffff.cfg", base: "ffffffffffff.cfg"},
	{name: "ok/thirteen-digits-not-mac", path: "0001565a1b2c3.cfg", base: "0001565a1b2c3.cfg"},
	{name: "ok/eleven-digits-not-mac", path: "01565a1b2c3.cfg", base: "01565a1b2c3.cfg"},
	{name: "ok/two-macs-ambiguous", path: "001565a1b2c3-001565a1b2c4.cfg", base: "001565a1b2c3-001565a1b2c4.cfg"},
	{name: "ok/allowed-punctuation", path: "a+b~c@d=e,f_g-h.cfg", base: "a+b~c@d=e,f_g-h.cfg"},
	{name: "ok/longest", path: strings.Repeat("a", MaxNameLen), base: strings.Repeat("a", MaxNameLen)},

	// Traversal
	{name: "fail/dotdot", path: "../etc/passwd", err: ErrTraversal},
	{name: "fail/dotdot-last", path: "Grandstream/..", err: ErrTraversal},
	{name: "fail/dotdot-alone", path: "..", err: ErrTraversal},
	{name: "fail/dotdot-middle", path: "a/../../b.cfg", err: ErrTraversal},
	{name: "fail/dotdot-backslash", path: `..\..\windows\win.ini`, err: ErrTraversal},
	{name: "fail/dotdot-backslash-inside", path: `a\..\b`, err: ErrTraversal},
	{name: "fail/dotdot-semicolon", path: "..;/WEB-INF/web.xml", err: ErrTraversal},
	{name: "fail/dotdot-trailing-dots", path: ".../x", err: ErrTraversal},
	{name: "fail/dotdot-trailing-space", path: ".. /x", err: ErrTraversal},
	{name: "fail/dotdot-nul", path: "..\x00/x", err: ErrTraversal},
	{name: "fail/enc-dotdot", path: "%2e%2e/etc/passwd", err: ErrTraversal},
	{name: "fail/enc-dotdot-upper", path: "%2E%2E%2Fetc%2Fpasswd", err: ErrTraversal},
	{name: "fail/enc-slash", path: "..%2fetc", err: ErrTraversal},
	{name: "fail/enc-backslash", path: "..%5cwin.ini", err: ErrTraversal},
	{name: "fail/double-encoded", path: "%252e%252e%252fetc", err: ErrTraversal},
	{name: "fail/triple-encoded", path: "%25252e%25252e/x", err: ErrTraversal},
	{name: "fail/overlong-dot", path: "\xc0\xae\xc0\xae/etc/passwd", err: ErrTraversal},
	{name: "fail/overlong-slash", path: "..\xc0\xafetc", err: ErrTraversal},
	{name: "fail/enc-overlong", path: "%c0%ae%c0%ae%c0%afetc", err: ErrTraversal},
	{name: "fail/long-traversal", path: strings.Repeat("../", 100) + "etc/passwd", err: ErrTraversal},

	// Malformed
	{name: "fail/empty", path: "", err: ErrBadName},
	{name: "fail/dot", path: "./001565a1b2c3.cfg", err: ErrBadName},
	{name: "fail/dot-last", path: "Grandstream/.", err: ErrBadName},
	{name: "fail/hidden", path: ".htaccess", err: ErrBadName},
	{name: "fail/hidden-dir", path: ".git/config", err: ErrBadName},
	{name: "fail/dotdot-inside-name", path: "a..b.cfg", err: ErrBadName},
	{name: "fail/leading-slash", path: "/etc/passwd", err: ErrBadName},
	{name: "fail/trailing-slash", path: "Grandstream/", err: ErrBadName},
	{name: "fail/empty-segment", path: "Grandstream//cfg.xml", err: ErrBadName},
	{name: "fail/too-many-dirs", path: "a/b/c/001565a1b2c3.cfg", err: ErrBadName},
	{name: "fail/too-long", path: strings.Repeat("a", MaxNameLen+1), err: ErrBadName},
	{name: "fail/far-too-long", path: strings.Repeat("a", 1<<20), err: ErrBadName},
	{name: "fail/backslash", path: `Grandstream\cfg.xml`, err: ErrBadName},
	{name: "fail/nul", path: "001565a1b2c3.cfg\x00.jpg", err: ErrBadName},
	{name: "fail/newline", path: "001565a1b2c3.cfg\n", err: ErrBadName},
	{name: "fail/tab", path: "a\tb.cfg", err: ErrBadName},
	{name: "fail/del", path: "a\x7fb.cfg", err: ErrBadName},
	{name: "fail/percent-leftover", path: "001565a1b2c3%2ecfg", err: ErrBadName},
	{name: "fail/percent-nul", path: "001565a1b2c3.cfg%00", err: ErrBadName},
	{name: "fail/percent-bare", path: "100%.cfg", err: ErrBadName},
	{name: "fail/non-ascii", path: "r\u00e9union.cfg", err: ErrBadName},
	{name: "fail/space", path: "my phone.cfg", err: ErrBadName},
	{name: "fail/colon", path: "C:boot.ini", err: ErrBadName},
	{name: "fail/query", path: "001565a1b2c3.cfg?mac=1", err: ErrBadName},
	{name: "fail/dollar-macro", path: "$MA.xml", err: ErrBadName},
}

func TestParseFileName(t *testing.T) {
	t.Parallel()
	for _, tt := range nameCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFileName(tt.path)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !errors.Is(err, ErrBadName) {
					t.Fatalf("ParseFileName(%.40q) error = %v, want %v", tt.path, err, tt.err)
				}
				if IsTraversal(err) != errors.Is(tt.err, ErrTraversal) {
					t.Fatalf("ParseFileName(%.40q): IsTraversal(%v) = %v", tt.path, err, IsTraversal(err))
				}
				if got != (FileName{}) {
					t.Fatalf("ParseFileName(%.40q) = %+v with an error", tt.path, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFileName(%.40q) error = %v", tt.path, err)
			}
			want := FileName{Dir: tt.dir, Base: tt.base, MAC: tt.mac, HasMAC: tt.mac != ""}
			if got != want {
				t.Errorf("ParseFileName(%.40q)\n got %+v\nwant %+v", tt.path, got, want)
			}
			if got.Path() != tt.path {
				t.Errorf("Path() = %q, want %q", got.Path(), tt.path)
			}
		})
	}
}

func TestParseFileNameErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		want string
	}{
		{"fail/dotdot", "../x", `bad file name: path traversal: ".." segment`},
		{"fail/enc-dotdot", "%2e%2e/x", `bad file name: path traversal: percent-encoded ".." segment`},
		{"fail/overlong", "\xc0\xae\xc0\xae/x", `bad file name: path traversal: overlong UTF-8 ".." segment`},
		{"fail/nul", "a\x00", "bad file name: NUL byte at offset 1"},
		{"fail/control", "a\x1b", "bad file name: control byte 0x1b at offset 1"},
		{"fail/backslash", `a\b`, "bad file name: backslash at offset 1"},
		{"fail/percent", "a%41", "bad file name: percent sign (a percent-encoded leftover) at offset 1"},
		{"fail/other", "a#b", "bad file name: character '#' at offset 1"},
		{"fail/too-long", strings.Repeat("a", 200), "bad file name: 200 bytes, more than 128"},
		{"fail/dirs", "a/b/c/d", "bad file name: 3 directories, more than 2"},
		{"fail/empty-segment", "a//b", "bad file name: empty segment 2"},
		{"fail/hidden", "a/.b", "bad file name: segment 2 starts with a dot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFileName(tt.path)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ParseFileName(%.40q) error = %v, want %q", tt.path, err, tt.want)
			}
		})
	}
}
