package files

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readCorpus returns the raw request targets of testdata/traversal.txt.
func readCorpus(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "traversal.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for line := range strings.SplitSeq(string(data), "\n") {
		switch {
		case line == "", strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, `"`):
			s, err := strconv.Unquote(line)
			if err != nil {
				t.Fatalf("corpus line %q: %v", line, err)
			}
			line = s
		}
		out = append(out, line)
	}
	return out
}

// rawGet sends target verbatim in a request line over a fresh TCP
// connection, so that no client library cleans or re-encodes it.
func rawGet(t *testing.T, addr, target string) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response to %q: %v", target, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, body
}

func leaks(body []byte) bool {
	return bytes.Contains(body, []byte(secretMarker)) || bytes.Contains(body, []byte("root:x:0:0"))
}

func TestTraversalCorpus(t *testing.T) {
	fx := newFixture(t)
	ts := httptest.NewServer(fx.srv)
	t.Cleanup(ts.Close)
	addr := ts.Listener.Addr().String()

	// The harness itself must see a served file, or every check below
	// would pass for the wrong reason.
	if code, body := rawGet(t, addr, "/voicemail/INBOX/msg0000.wav"); code != 200 || !bytes.Equal(body, fx.wav) {
		t.Fatalf("sanity GET = %d (%d bytes), want 200 and the file", code, len(body))
	}

	corpus := readCorpus(t)
	if len(corpus) < 80 {
		t.Fatalf("corpus has %d lines, want at least 80", len(corpus))
	}
	for _, target := range corpus {
		t.Run(strconv.Quote(target), func(t *testing.T) {
			code, body := rawGet(t, addr, target)
			if leaks(body) {
				t.Fatalf("answer %d leaks a secret: %q", code, body)
			}
			if code != http.StatusBadRequest && code != http.StatusNotFound {
				t.Fatalf("status = %d, want 400 or 404", code)
			}
		})
	}
}

// TestTraversalCorpusBites shows that the corpus and the leak check find
// real holes: a naive server that unescapes and joins leaks the marker.
func TestTraversalCorpusBites(t *testing.T) {
	fx := newFixture(t)
	naive := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rel, err := url.PathUnescape(strings.TrimPrefix(rawPath(r), "/voicemail/"))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		data, err := os.ReadFile(filepath.Join(fx.root, strings.ReplaceAll(rel, `\`, "/")))
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		_, _ = w.Write(data)
	})
	ts := httptest.NewServer(naive)
	t.Cleanup(ts.Close)
	addr := ts.Listener.Addr().String()

	leaked := 0
	for _, target := range readCorpus(t) {
		if _, body := rawGet(t, addr, target); leaks(body) {
			leaked++
		}
	}
	if leaked < 20 {
		t.Fatalf("the naive server leaked on %d corpus lines; the corpus should expose it on at least 20", leaked)
	}
	t.Logf("naive server leaked on %d corpus lines", leaked)
}
