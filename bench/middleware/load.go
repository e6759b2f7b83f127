package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// side is one server under load.
type side struct {
	name    string
	url     string       // base URL of its loopback listener
	handler http.Handler // what the listener serves, for the in-process run
	newAuth func(client int) authorizer
}

// result is what one side did in one measured window.
type result struct {
	ok, stale int64
	window    time.Duration
	cpu       time.Duration // process CPU time (servers and clients)
	fails     map[string]int64
}

func (r result) rate() float64 { return float64(r.ok) / r.window.Seconds() }

// tally is shared by the clients of one run.
type tally struct {
	ok, stale atomic.Int64
	measuring atomic.Bool

	mu    sync.Mutex
	fails map[string]int64 // only those seen while measuring
}

func (t *tally) fail(what string) {
	if !t.measuring.Load() {
		return
	}
	t.mu.Lock()
	t.fails[what]++
	t.mu.Unlock()
}

// runSide loads s with clients keep-alive connections: warm-up, then a
// measured window of length d.
func runSide(s side, clients int, warmup, d time.Duration) (result, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t := &tally{fails: map[string]int64{}}
	var wg sync.WaitGroup
	for i := range clients {
		c, err := newClient(ctx, s, i)
		if err != nil {
			return result{}, fmt.Errorf("%s client %d: %w", s.name, i, err)
		}
		defer c.tr.CloseIdleConnections()
		wg.Go(func() { c.loop(ctx, t) })
	}

	time.Sleep(warmup)
	t.measuring.Store(true)
	ok0, stale0, cpu0, t0 := t.ok.Load(), t.stale.Load(), cpuTime(), time.Now()
	time.Sleep(d)
	ok1, stale1, cpu1, t1 := t.ok.Load(), t.stale.Load(), cpuTime(), time.Now()
	t.measuring.Store(false)
	cancel()
	wg.Wait()

	t.mu.Lock()
	defer t.mu.Unlock()
	return result{ok: ok1 - ok0, stale: stale1 - stale0, window: t1.Sub(t0), cpu: cpu1 - cpu0, fails: t.fails}, nil
}

// client is one keep-alive connection and its credentials.
type client struct {
	tr   *http.Transport
	req  *http.Request
	auth authorizer
}

// newClient connects and gets through the scheme's first exchange (the
// Digest challenge, the bcrypt check of Basic) outside the measured window.
func newClient(ctx context.Context, s side, i int) (*client, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+benchPath, nil)
	if err != nil {
		return nil, err
	}
	c := &client{
		tr:   &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1, DisableCompression: true},
		req:  req,
		auth: s.newAuth(i),
	}
	for range 3 {
		code, h, err := c.do()
		if err != nil {
			return nil, err
		}
		switch code {
		case http.StatusOK:
			return c, nil
		case http.StatusUnauthorized:
			if _, err := c.auth.challenged(h); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("first request: status %d", code)
		}
	}
	return nil, errors.New("still refused after a fresh challenge")
}

// do sends one request and reads the whole answer.
func (c *client) do() (int, http.Header, error) {
	c.auth.authorize(c.req.Header)
	resp, err := c.tr.RoundTrip(c.req)
	if err != nil {
		return 0, nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header, err
}

func (c *client) loop(ctx context.Context, t *tally) {
	for ctx.Err() == nil {
		code, h, err := c.do()
		switch {
		case err != nil:
			if ctx.Err() == nil {
				t.fail(err.Error())
			}
		case code == http.StatusOK:
			t.ok.Add(1)
		case code == http.StatusUnauthorized:
			stale, err := c.auth.challenged(h)
			switch {
			case err != nil:
				t.fail("401: " + err.Error())
			case stale:
				t.stale.Add(1)
			default:
				t.fail("401 with a fresh challenge")
			}
		default:
			t.fail(http.StatusText(code))
		}
	}
}
