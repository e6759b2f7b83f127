package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/bench/internal/cpu"
)

// side is one server and scheme under load.
type side struct {
	name, scheme string // "pbxgate", "http"
	urls         []*url.URL
	serverPID    int // nginx's master, whose CPU time is read; 0: in this process
}

func newSide(name, scheme, base string, devs []device, pid int) (side, error) {
	s := side{name: name, scheme: scheme, serverPID: pid, urls: make([]*url.URL, len(devs))}
	for i, d := range devs {
		u, err := url.Parse(base + "/provision/" + d.file)
		if err != nil {
			return s, err
		}
		s.urls[i] = u
	}
	return s, nil
}

func (s side) label() string { return s.name + " " + s.scheme }

// result is what one side did in one measured window.
type result struct {
	ok        int64
	window    time.Duration
	selfCPU   time.Duration // this process: the clients, and pbxgate on its sides
	serverCPU time.Duration // nginx's master and workers; 0 for pbxgate
	fails     map[string]int64
}

func (r result) rate() float64 { return float64(r.ok) / r.window.Seconds() }

// tally is shared by the clients of one window.
type tally struct {
	ok        atomic.Int64
	measuring atomic.Bool
	mu        sync.Mutex
	fails     map[string]int64 // only those seen while measuring
}

func (t *tally) fail(what string) {
	if !t.measuring.Load() {
		return
	}
	t.mu.Lock()
	t.fails[what]++
	t.mu.Unlock()
}

// runSide loads s with clients keep-alive connections, each asking for the
// file of a random device with that device's credentials and checking the
// answer byte for byte: warm-up, then a measured window of length d.
func runSide(ctx context.Context, s side, devs []device, pool *x509.CertPool, clients int, warmup, d time.Duration, seed uint64) (result, error) {
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &tally{fails: map[string]int64{}}
	var wg sync.WaitGroup
	for i := range clients {
		tr := newTransport(pool, 1)
		defer tr.CloseIdleConnections()
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		wg.Go(func() { clientLoop(lctx, tr, s, devs, rng, t) })
	}
	serverCPU := func() (time.Duration, error) {
		if s.serverPID == 0 {
			return 0, nil
		}
		return cpu.Tree(s.serverPID)
	}
	sleep(ctx, warmup)
	t.measuring.Store(true)
	srv0, err := serverCPU()
	if err != nil {
		return result{}, err
	}
	ok0, self0, t0 := t.ok.Load(), cpu.Self(), time.Now()
	sleep(ctx, d)
	ok1, self1, t1 := t.ok.Load(), cpu.Self(), time.Now()
	srv1, err := serverCPU()
	t.measuring.Store(false)
	cancel()
	wg.Wait()
	if err != nil {
		return result{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return result{ok: ok1 - ok0, window: t1.Sub(t0), selfCPU: self1 - self0, serverCPU: srv1 - srv0, fails: t.fails}, ctx.Err()
}

func clientLoop(ctx context.Context, tr *http.Transport, s side, devs []device, rng *rand.Rand, t *tally) {
	req := (&http.Request{Method: http.MethodGet, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}).WithContext(ctx)
	var body bytes.Buffer
	for ctx.Err() == nil {
		i := rng.IntN(len(devs))
		req.URL, req.Host = s.urls[i], s.urls[i].Host
		req.Header["Authorization"] = devs[i].auth
		resp, err := tr.RoundTrip(req)
		if err != nil {
			if ctx.Err() == nil {
				t.fail(err.Error())
			}
			continue
		}
		body.Reset()
		_, err = body.ReadFrom(resp.Body)
		resp.Body.Close()
		switch {
		case err != nil:
			if ctx.Err() == nil {
				t.fail("reading the body: " + err.Error())
			}
		case resp.StatusCode != http.StatusOK:
			t.fail(fmt.Sprintf("status %d", resp.StatusCode))
		case !bytes.Equal(body.Bytes(), devs[i].body):
			t.fail("200 with another body than the device's file")
		default:
			t.ok.Add(1)
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
