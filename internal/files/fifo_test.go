//go:build unix

package files

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO inside the root is answered 404 without waiting for a writer (the
// test would hang otherwise) and is not listed.
func TestFIFO(t *testing.T) {
	fx := newFixture(t)
	if err := syscall.Mkfifo(filepath.Join(fx.root, "INBOX", "pipe.wav"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	rec := httptest.NewRecorder()
	fx.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/voicemail/INBOX/pipe.wav", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", rec.Code)
	}
	rec = httptest.NewRecorder()
	fx.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/voicemail/INBOX/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("listing status = %d", rec.Code)
	}
	if got := rec.Body.String(); strings.Contains(got, "pipe.wav") {
		t.Fatalf("listing shows the FIFO: %s", got)
	}
}
