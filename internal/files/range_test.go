package files

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"testing"
)

func TestRange(t *testing.T) {
	fx := newFixture(t)
	ts := httptest.NewServer(fx.srv)
	t.Cleanup(ts.Close)
	wav := fx.wav
	tests := []struct {
		name         string
		rng          string
		status       int
		body         []byte // single-part body
		contentRange string
		parts        []string // multi-range: each part's Content-Range
		partBodies   [][]byte
	}{
		{name: "ok/first-100", rng: "bytes=0-99", status: 206, body: wav[:100], contentRange: "bytes 0-99/1000"},
		{name: "ok/middle", rng: "bytes=500-509", status: 206, body: wav[500:510], contentRange: "bytes 500-509/1000"},
		{name: "ok/open-ended", rng: "bytes=990-", status: 206, body: wav[990:], contentRange: "bytes 990-999/1000"},
		{name: "ok/suffix", rng: "bytes=-100", status: 206, body: wav[900:], contentRange: "bytes 900-999/1000"},
		{name: "ok/suffix-larger-than-file", rng: "bytes=-5000", status: 206, body: wav, contentRange: "bytes 0-999/1000"},
		{name: "ok/end-past-size", rng: "bytes=995-2000", status: 206, body: wav[995:], contentRange: "bytes 995-999/1000"},
		{name: "ok/multi", rng: "bytes=0-9,20-29", status: 206,
			parts: []string{"bytes 0-9/1000", "bytes 20-29/1000"}, partBodies: [][]byte{wav[:10], wav[20:30]}},
		{name: "ok/no-range", status: 200, body: wav},
		{name: "fail/start-past-end", rng: "bytes=1000-1010", status: 416, contentRange: "bytes */1000"},
		{name: "fail/reversed", rng: "bytes=50-10", status: 416},
		{name: "fail/bad-unit", rng: "lines=0-1", status: 416},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, ts.URL+"/voicemail/INBOX/msg0000.wav", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.rng != "" {
				req.Header.Set("Range", tt.rng)
			}
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.status)
			}
			if tt.contentRange != "" {
				headerIs(t, res.Header, "Content-Range", tt.contentRange)
			}
			if tt.body != nil {
				if !bytes.Equal(body, tt.body) {
					t.Errorf("body = %q, want %q", body, tt.body)
				}
				headerIs(t, res.Header, "Content-Length", strconv.Itoa(len(tt.body)))
				headerIs(t, res.Header, "Content-Type", "audio/wav")
			}
			if tt.parts != nil {
				checkMultipart(t, res.Header.Get("Content-Type"), body, tt.parts, tt.partBodies)
			}
			headerIs(t, res.Header, "Cache-Control", "private, no-store")
		})
	}
}

func checkMultipart(t *testing.T, ctype string, body []byte, ranges []string, bodies [][]byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type = %q, want multipart/byteranges", ctype)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			if i != len(ranges) {
				t.Fatalf("%d parts, want %d", i, len(ranges))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(ranges) {
			t.Fatalf("more than %d parts", len(ranges))
		}
		got, _ := io.ReadAll(p)
		if cr := p.Header.Get("Content-Range"); cr != ranges[i] {
			t.Errorf("part %d Content-Range = %q, want %q", i, cr, ranges[i])
		}
		if pt := p.Header.Get("Content-Type"); pt != "audio/wav" {
			t.Errorf("part %d Content-Type = %q, want audio/wav", i, pt)
		}
		if !bytes.Equal(got, bodies[i]) {
			t.Errorf("part %d = %q, want %q", i, got, bodies[i])
		}
	}
}

// TestCurlRange plays a browser-like client: the real curl asks for the
// first 100 bytes.
func TestCurlRange(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	fx := newFixture(t)
	ts := httptest.NewServer(fx.srv)
	t.Cleanup(ts.Close)

	cmd := exec.CommandContext(t.Context(), curl, "--silent", "--show-error", "--globoff", "--noproxy", "*",
		"--range", "0-99", "--dump-header", "-", "--output", "-", ts.URL+"/voicemail/INBOX/msg0000.wav")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl: %v", err)
	}
	head, body, ok := bytes.Cut(out, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("curl output has no header block: %q", out)
	}
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 206")) {
		t.Fatalf("curl status line: %q", bytes.SplitN(head, []byte("\r\n"), 2)[0])
	}
	for _, want := range []string{"Content-Range: bytes 0-99/1000", "Content-Length: 100", "Content-Type: audio/wav"} {
		if !bytes.Contains(head, []byte(want)) {
			t.Errorf("curl headers lack %q:\n%s", want, head)
		}
	}
	if !bytes.Equal(body, fx.wav[:100]) {
		t.Errorf("curl body = %q, want the first 100 bytes %q", body, fx.wav[:100])
	}
}
