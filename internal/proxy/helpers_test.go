package proxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

// echoed is what the echo upstream saw.
type echoed struct {
	Method     string      `json:"method"`
	Path       string      `json:"path"`
	RawPath    string      `json:"raw_path"`
	RequestURI string      `json:"request_uri"`
	Query      string      `json:"query"`
	Host       string      `json:"host"`
	Header     http.Header `json:"header"`
}

// echoUpstream answers every request with a JSON description of it and
// counts the requests.
func echoUpstream(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(echoed{
			Method:     r.Method,
			Path:       r.URL.Path,
			RawPath:    r.URL.EscapedPath(),
			RequestURI: r.RequestURI,
			Query:      r.URL.RawQuery,
			Host:       r.Host,
			Header:     r.Header,
		})
	}))
	t.Cleanup(ts.Close)
	return ts, &hits
}

// withInfo plays the security middleware: it stores info in the request.
func withInfo(h http.Handler, info *reqinfo.Info) http.Handler {
	if info == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(reqinfo.With(r.Context(), info)))
	})
}

// newProxy builds a proxy and closes it at the end of the test.
func newProxy(t *testing.T, cfg Config) *Proxy {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// frontend serves h (the proxy behind the fake middleware) on loopback.
func frontend(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
