package files

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestListingGolden(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name   string
		target string
		golden string
	}{
		{name: "ok/root", target: "/voicemail/", golden: "listing_root.golden.json"},
		{name: "ok/inbox", target: "/voicemail/INBOX/", golden: "listing_inbox.golden.json"},
		{name: "ok/empty", target: "/voicemail/INBOX/Old", golden: "listing_empty.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			fx.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.target, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d", rec.Code)
			}
			headerIs(t, rec.Result().Header, "Content-Type", "application/json")
			got := rec.Body.Bytes()
			if !json.Valid(got) {
				t.Fatalf("listing is not JSON: %s", got)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("listing differs from %s:\ngot:\n%s\nwant:\n%s", golden, pretty.Bytes(), want)
			}
		})
	}
}

func TestListingHead(t *testing.T) {
	fx := newFixture(t)
	rec := httptest.NewRecorder()
	fx.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/voicemail/INBOX/", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("HEAD listing = %d with %d body bytes, want 200 and none", rec.Code, rec.Body.Len())
	}
	if rec.Result().Header.Get("Content-Length") == "" {
		t.Error("HEAD listing has no Content-Length")
	}
}
