package files

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		name     string
		rel      string
		want     string
		trailing bool
		err      error
	}{
		{name: "ok/root", rel: "", want: "", trailing: true},
		{name: "ok/file", rel: "INBOX/msg0000.wav", want: "INBOX/msg0000.wav"},
		{name: "ok/dir-slash", rel: "INBOX/", want: "INBOX", trailing: true},
		{name: "ok/escaped-space", rel: "My%20Folder/a.wav", want: "My Folder/a.wav"},
		{name: "ok/escaped-letter-mixed-case", rel: "%4D%73g.wav", want: "Msg.wav"},
		{name: "ok/sub-delims", rel: "a+b,c;d=e@f:g!h$i&j'k(l)m*n~o_p-q.wav", want: "a+b,c;d=e@f:g!h$i&j'k(l)m*n~o_p-q.wav"},
		{name: "ok/utf8", rel: "r%C3%A9union.wav", want: "réunion.wav"},
		{name: "ok/one-dot-leader", rel: "%e2%80%a4%e2%80%a4", want: "\u2024\u2024"},
		{name: "ok/single-dots-inside", rel: "20240101-120000.1001.wav", want: "20240101-120000.1001.wav"},
		{name: "fail/dotdot", rel: "../etc/passwd", err: errBadPath},
		{name: "fail/dot", rel: "./a", err: errBadPath},
		{name: "fail/dotdot-last", rel: "a/..", err: errBadPath},
		{name: "fail/dotdot-inside-name", rel: "a..b", err: errBadPath},
		{name: "fail/dotdot-semicolon", rel: "..;/a", err: errBadPath},
		{name: "fail/leading-slash", rel: "/etc/passwd", err: errBadPath},
		{name: "fail/empty-middle", rel: "a//b", err: errBadPath},
		{name: "fail/double-trailing", rel: "a//", err: errBadPath},
		{name: "fail/enc-dot-lower", rel: "%2e%2e/a", err: errBadPath},
		{name: "fail/enc-dot-upper", rel: "%2E%2E/a", err: errBadPath},
		{name: "fail/enc-dot-alone", rel: "a%2ewav", err: errBadPath},
		{name: "fail/enc-slash", rel: "..%2fa", err: errBadPath},
		{name: "fail/enc-slash-upper", rel: "a%2Fb", err: errBadPath},
		{name: "fail/enc-backslash", rel: "a%5cb", err: errBadPath},
		{name: "fail/enc-backslash-upper", rel: "a%5Cb", err: errBadPath},
		{name: "fail/enc-nul", rel: "a%00", err: errBadPath},
		{name: "fail/double-encoding", rel: "%252e%252e", err: errBadPath},
		{name: "fail/enc-percent", rel: "100%25.wav", err: errBadPath},
		{name: "fail/enc-newline", rel: "a%0a", err: errBadPath},
		{name: "fail/enc-del", rel: "a%7f", err: errBadPath},
		{name: "fail/enc-c1-control", rel: "a%c2%85", err: errBadPath},
		{name: "fail/overlong-dot", rel: "%c0%ae%c0%ae", err: errBadPath},
		{name: "fail/invalid-utf8", rel: "a%ff", err: errBadPath},
		{name: "fail/truncated-escape", rel: "a%2", err: errBadPath},
		{name: "fail/bad-escape", rel: "a%zz", err: errBadPath},
		{name: "fail/u-escape", rel: "%u002e", err: errBadPath},
		{name: "fail/raw-backslash", rel: `..\a`, err: errBadPath},
		{name: "fail/raw-nul", rel: "a\x00", err: errBadPath},
		{name: "fail/raw-tab", rel: "a\tb", err: errBadPath},
		{name: "fail/raw-space", rel: "a b", err: errBadPath},
		{name: "fail/raw-hash", rel: "a#b", err: errBadPath},
		{name: "fail/raw-utf8", rel: "r\u00e9union.wav", err: errBadPath},
		{name: "fail/too-long", rel: strings.Repeat("a", maxPathLen+1), err: errBadPath},
		{name: "fail/hidden", rel: ".htpasswd", err: errHidden},
		{name: "fail/hidden-dir", rel: "INBOX/.git/x", err: errHidden},
		{name: "fail/hidden-then-dotdot", rel: ".git/../x", err: errBadPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, trailing, err := cleanPath(tt.rel)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("cleanPath(%q) error = %v, want %v", tt.rel, err, tt.err)
			}
			if err != nil {
				return
			}
			if got != tt.want || trailing != tt.trailing {
				t.Errorf("cleanPath(%q) = %q, %v; want %q, %v", tt.rel, got, trailing, tt.want, tt.trailing)
			}
		})
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, target := range readCorpus(f) {
		f.Add(strings.TrimPrefix(target, "/voicemail/"))
	}
	for _, s := range []string{"", "INBOX/", "INBOX/msg0000.wav", "a%20b", "%c0%ae", `a\b`, "a//b", ".x"} {
		f.Add(s)
	}
	root := filepath.FromSlash("/srv/pbx/voicemail")
	f.Fuzz(func(t *testing.T, rel string) {
		name, _, err := cleanPath(rel)
		if err != nil {
			if name != "" {
				t.Fatalf("cleanPath(%q) returned %q with error %v", rel, name, err)
			}
			return
		}
		switch {
		case strings.Contains(name, ".."):
			t.Fatalf("cleanPath(%q) = %q contains ..", rel, name)
		case strings.ContainsAny(name, "\\\x00"):
			t.Fatalf("cleanPath(%q) = %q contains a backslash or NUL", rel, name)
		case strings.HasPrefix(name, "/"):
			t.Fatalf("cleanPath(%q) = %q is absolute", rel, name)
		case name == "":
			return
		case path.Clean(name) != name:
			t.Fatalf("cleanPath(%q) = %q is not clean", rel, name)
		case !filepath.IsLocal(filepath.FromSlash(name)):
			t.Fatalf("cleanPath(%q) = %q is not local", rel, name)
		}
		for seg := range strings.SplitSeq(name, "/") {
			if seg == "" || seg[0] == '.' {
				t.Fatalf("cleanPath(%q) = %q has an empty or hidden segment", rel, name)
			}
		}
		joined := filepath.Join(root, filepath.FromSlash(name))
		if !strings.HasPrefix(joined, root+string(filepath.Separator)) {
			t.Fatalf("cleanPath(%q) = %q joins to %q, outside %q", rel, name, joined, root)
		}
	})
}
