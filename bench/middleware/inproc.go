package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// inprocResult is the cost of one request through a side's handler called
// directly, without a network or a server.
type inprocResult struct {
	name             string
	ns, allocs, size int64
	bad              int64 // answers other than 200
	// extra is ns less the bare handler's and the client's signing: what
	// the middleware adds.
	extra int64
}

// inProcess benchmarks each side's handler on one goroutine, and the
// client-side signing of a Digest request (which the digest numbers include).
func inProcess(sides []side) ([]inprocResult, error) {
	signing, err := benchSigning()
	if err != nil {
		return nil, err
	}
	var out []inprocResult
	for i, s := range sides {
		req := httptest.NewRequest(http.MethodGet, benchPath, nil)
		req.RemoteAddr = "127.0.0.1:40000"
		w := &nullWriter{h: http.Header{}}
		auth := s.newAuth(-1)
		if err := primeInProcess(s.handler, req, w, auth); err != nil {
			return nil, fmt.Errorf("%s in-process: %w", s.name, err)
		}
		var bad int64
		res := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				auth.authorize(req.Header)
				w.reset()
				s.handler.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					bad++
				}
			}
		})
		r := inprocResult{name: s.name, ns: res.NsPerOp(), allocs: res.AllocsPerOp(), size: res.AllocedBytesPerOp(), bad: bad}
		if i > 0 {
			r.extra = r.ns - out[0].ns
			if _, ok := auth.(*digestAuth); ok {
				r.extra -= signing.ns
			}
		}
		out = append(out, r)
	}
	out = append(out, signing)
	return out, nil
}

// benchSigning measures the client side of Digest: the gated sides'
// numbers include it.
func benchSigning() (inprocResult, error) {
	d := newDigestAuth(benchUser, benchPassword, benchPath, newRand(0))
	ch := http.Header{"Www-Authenticate": {`Digest realm="r", qop="auth", algorithm=SHA-256, nonce="n0nce", opaque="0paque"`}}
	if _, err := d.challenged(ch); err != nil {
		return inprocResult{}, fmt.Errorf("client signing: %w", err)
	}
	h := http.Header{}
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d.authorize(h)
		}
	})
	return inprocResult{name: "client digest signing", ns: res.NsPerOp(), allocs: res.AllocsPerOp(), size: res.AllocedBytesPerOp()}, nil
}

// primeInProcess gets through the first exchange of the scheme.
func primeInProcess(h http.Handler, req *http.Request, w *nullWriter, auth authorizer) error {
	for range 3 {
		auth.authorize(req.Header)
		w.reset()
		h.ServeHTTP(w, req)
		switch w.code {
		case http.StatusOK:
			return nil
		case http.StatusUnauthorized:
			if _, err := auth.challenged(w.h); err != nil {
				return err
			}
		default:
			return fmt.Errorf("status %d", w.code)
		}
	}
	return errors.New("still refused after a fresh challenge")
}

// nullWriter is a ResponseWriter that keeps the status and headers only.
type nullWriter struct {
	h    http.Header
	code int
}

func (w *nullWriter) reset() { clear(w.h); w.code = 0 }

func (w *nullWriter) Header() http.Header { return w.h }

func (w *nullWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

// SetReadDeadline accepts the deadline the gateway sets, as a server's
// writer does (without it, http.ResponseController makes an error each time).
func (w *nullWriter) SetReadDeadline(time.Time) error { return nil }

func (w *nullWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
