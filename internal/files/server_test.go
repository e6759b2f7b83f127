package files

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

func TestServeHTTP(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name     string
		method   string
		target   string
		info     *reqinfo.Info
		status   int
		ctype    string
		body     string // exact body when not empty
		event    event.Kind
		wantUser string
		wantIP   string
	}{
		{name: "ok/wav", target: "/voicemail/INBOX/msg0000.wav", status: 200, ctype: "audio/wav", body: string(fx.wav)},
		{name: "ok/upper-case-extension", target: "/voicemail/INBOX/msg0001.WAV", status: 200, ctype: "audio/wav", body: "RIFF-short"},
		{name: "ok/txt-metadata", target: "/voicemail/INBOX/msg0000.txt", status: 200, ctype: "text/plain; charset=utf-8"},
		{name: "ok/unknown-extension", target: "/voicemail/INBOX/notes.bin", status: 200, ctype: "application/octet-stream", body: "\x00\x01\x02"},
		{name: "ok/mp3", target: "/voicemail/greeting.mp3", status: 200, ctype: "audio/mpeg", body: "ID3-greeting"},
		{name: "fail/escaped-dot-in-name", target: "/voicemail/%49NBOX/msg0000%2Ewav", status: 400, event: event.Traversal},
		{name: "ok/escaped-letter", target: "/voicemail/%49NBOX/msg0000.wav", status: 200, ctype: "audio/wav"},
		{name: "ok/query-ignored", target: "/voicemail/greeting.mp3?x=../../secret.txt", status: 200, body: "ID3-greeting"},
		{name: "ok/head", method: http.MethodHead, target: "/voicemail/INBOX/msg0000.wav", status: 200, ctype: "audio/wav"},
		{name: "ok/symlink-inside", target: "/voicemail/link-in.wav", status: 200, ctype: "audio/wav", body: string(fx.wav)},
		{name: "ok/dir-with-slash", target: "/voicemail/INBOX/", status: 200, ctype: "application/json"},
		{name: "ok/dir-without-slash", target: "/voicemail/INBOX", status: 200, ctype: "application/json"},
		{name: "ok/root", target: "/voicemail/", status: 200, ctype: "application/json"},
		{name: "ok/root-without-slash", target: "/voicemail", status: 200, ctype: "application/json"},
		{name: "fail/missing", target: "/voicemail/INBOX/msg9999.wav", status: 404, body: "not found\n", event: event.NotFound, wantIP: "192.0.2.1"},
		{name: "fail/missing-reqinfo", target: "/voicemail/nothing", status: 404, event: event.NotFound,
			info: &reqinfo.Info{ClientIP: netip.MustParseAddr("203.0.113.9"), User: "alice"}, wantIP: "203.0.113.9", wantUser: "alice"},
		{name: "fail/file-as-dir", target: "/voicemail/greeting.mp3/", status: 404, event: event.NotFound},
		{name: "fail/under-a-file", target: "/voicemail/greeting.mp3/x", status: 404, event: event.NotFound},
		{name: "fail/dotfile", target: "/voicemail/.htpasswd", status: 404, event: event.NotFound},
		{name: "fail/dotfile-in-dir", target: "/voicemail/INBOX/.hidden", status: 404, event: event.NotFound},
		{name: "fail/dot-dir", target: "/voicemail/.git/config", status: 404, event: event.NotFound},
		{name: "fail/symlink-out-file", target: "/voicemail/link-out.txt", status: 404, event: event.NotFound},
		{name: "fail/symlink-out-dir", target: "/voicemail/linkdir-out/secret.txt", status: 404, event: event.NotFound},
		{name: "fail/symlink-out-dir-listing", target: "/voicemail/linkdir-out/", status: 404, event: event.NotFound},
		{name: "fail/other-prefix", target: "/recording/x.wav", status: 404, event: event.NotFound},
		{name: "fail/dotdot", target: "/voicemail/../secret.txt", status: 400, body: "bad request\n", event: event.Traversal,
			info: &reqinfo.Info{ClientIP: netip.MustParseAddr("2001:db8::1"), User: "bob"}, wantIP: "2001:db8::1", wantUser: "bob"},
		{name: "fail/encoded-dotdot", target: "/voicemail/%2e%2e/secret.txt", status: 400, event: event.Traversal, wantIP: "192.0.2.1"},
		{name: "fail/hidden-then-dotdot", target: "/voicemail/.git/../greeting.mp3", status: 400, event: event.Traversal},
		{name: "fail/empty-segment", target: "/voicemail/INBOX//msg0000.wav", status: 400, event: event.Traversal},
		{name: "fail/post", method: http.MethodPost, target: "/voicemail/greeting.mp3", status: 405},
		{name: "fail/delete", method: http.MethodDelete, target: "/voicemail/greeting.mp3", status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tt.target, nil)
			if tt.info != nil {
				req = req.WithContext(reqinfo.With(req.Context(), tt.info))
			}
			rec := httptest.NewRecorder()
			fx.srv.ServeHTTP(rec, req)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)

			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", res.StatusCode, tt.status, body)
			}
			if tt.ctype != "" {
				headerIs(t, res.Header, "Content-Type", tt.ctype)
			}
			if tt.body != "" && string(body) != tt.body {
				t.Errorf("body = %q, want %q", body, tt.body)
			}
			if method == http.MethodHead && len(body) != 0 {
				t.Errorf("HEAD answered a body of %d bytes", len(body))
			}
			headerIs(t, res.Header, "Cache-Control", "private, no-store")
			headerIs(t, res.Header, "X-Content-Type-Options", "nosniff")
			if res.StatusCode == http.StatusMethodNotAllowed {
				headerIs(t, res.Header, "Allow", "GET, HEAD")
			}
			if res.StatusCode >= 400 && strings.Contains(string(body), "/") {
				t.Errorf("error body %q echoes a path", body)
			}
			if strings.Contains(string(body), secretMarker) {
				t.Fatalf("answer leaks the secret marker")
			}

			evs := fx.events.take()
			if tt.event == "" {
				if len(evs) != 0 {
					t.Fatalf("events = %+v, want none", evs)
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("events = %+v, want one %s", evs, tt.event)
			}
			e := evs[0]
			wantTarget, _, _ := strings.Cut(tt.target, "?")
			if e.Kind != tt.event || e.Context != "voicemail" || e.Target != wantTarget || !e.Time.Equal(eventTime) || e.User != tt.wantUser {
				t.Errorf("event = %+v, want kind %s, target %q, user %q", e, tt.event, wantTarget, tt.wantUser)
			}
			if tt.wantIP != "" && e.RemoteIP != netip.MustParseAddr(tt.wantIP) {
				t.Errorf("event RemoteIP = %v, want %s", e.RemoteIP, tt.wantIP)
			}
		})
	}
}

func TestHeadLength(t *testing.T) {
	fx := newFixture(t)
	rec := httptest.NewRecorder()
	fx.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/voicemail/INBOX/msg0000.wav", nil))
	headerIs(t, rec.Result().Header, "Content-Length", "1000")
	headerIs(t, rec.Result().Header, "Accept-Ranges", "bytes")
}

func TestIfModifiedSince(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name   string
		since  string
		status int
	}{
		{name: "ok/not-modified", since: fixedTime.Format(http.TimeFormat), status: http.StatusNotModified},
		{name: "ok/modified-since", since: fixedTime.Add(-time.Hour).Format(http.TimeFormat), status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/voicemail/INBOX/msg0000.wav", nil)
			req.Header.Set("If-Modified-Since", tt.since)
			rec := httptest.NewRecorder()
			fx.srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			headerIs(t, rec.Result().Header, "Last-Modified", fixedTime.Format(http.TimeFormat))
		})
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	fx := newFixture(t)
	name := filepath.Join(fx.root, "INBOX", "locked.wav")
	writeFile(t, name, []byte("x"))
	if err := os.Chmod(name, 0); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	fx.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/voicemail/INBOX/locked.wav", nil))
	if rec.Code != http.StatusForbidden || rec.Body.String() != "forbidden\n" {
		t.Fatalf("answer = %d %q, want 403 forbidden", rec.Code, rec.Body)
	}
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	writeFile(t, file, []byte("x"))
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "ok/minimal", cfg: Config{Context: "recording", Root: dir, Prefix: "/recording/"}},
		{name: "fail/no-context", cfg: Config{Root: dir, Prefix: "/recording/"}, wantErr: "context is empty"},
		{name: "fail/prefix-no-slash", cfg: Config{Context: "recording", Root: dir, Prefix: "/recording"}, wantErr: "prefix"},
		{name: "fail/prefix-relative", cfg: Config{Context: "recording", Root: dir, Prefix: "recording/"}, wantErr: "prefix"},
		{name: "fail/no-root", cfg: Config{Context: "recording", Prefix: "/recording/"}, wantErr: "root is empty"},
		{name: "fail/missing-root", cfg: Config{Context: "recording", Root: filepath.Join(dir, "nope"), Prefix: "/recording/"}, wantErr: "no such file"},
		{name: "fail/root-is-file", cfg: Config{Context: "recording", Root: file, Prefix: "/recording/"}, wantErr: "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
