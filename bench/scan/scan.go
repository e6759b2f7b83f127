package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// The two loopback sources of the scenario.
const (
	scannerIP = "127.0.0.9"
	phoneIP   = "127.0.0.10"
)

// oui is the vendor prefix of every MAC here, the devices' and the
// scanner's: Yealink's.
const oui = "001565"

// macOf is the n-th MAC of the OUI (n < 1<<24).
func macOf(n int) string { return oui + fmt.Sprintf("%06x", n) }

// clientTransport dials from the loopback address src, and only to
// loopback addresses, over at most conns keep-alive connections.
func clientTransport(src string, conns int) *http.Transport {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return nil, fmt.Errorf("%s is not a loopback address: not dialing it", addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns, DisableCompression: true,
	}
}

// scenario is what both sides get: the same scanner and the same phone.
type scenario struct {
	limit     time.Duration // how long the scanner may go on, and the phone runs
	conns     int           // the scanner's keep-alive connections
	creds     string        // what the scanner sends: none, wrong, mixed
	challenge bool          // the phone asks without credentials first
	seed      uint64
}

// outcome is what happened on one side.
type outcome struct {
	start      time.Time
	answers    map[int]int       // scanner answers by status, until its connection was refused
	refusals   map[string]int    // how each scanner connection was stopped
	firstStop  time.Time         // first refusal the scanner saw
	lastStop   time.Time         // the last scanner connection refused
	stopped    int               // scanner connections refused (of conns)
	phoneOK    int               // phone fetches with the exact file
	phoneBad   map[string]int    // phone fetches that failed, by what
	decided    time.Time         // when the side logged its ban (zero: unknown)
	decidedWhy string            // the ban's reason, as the side logged it
	notes      map[string]string // what else the side reported
}

func (o *outcome) answered() (n int) {
	for _, c := range o.answers {
		n += c
	}
	return n
}

func (o *outcome) phoneFailed() (n int) {
	for _, c := range o.phoneBad {
		n += c
	}
	return n
}

// run plays the scenario against base (http://127.0.0.1:port): the scanner
// until each of its connections is refused or the limit passes, the phone
// for the whole limit.
func (s scenario) run(ctx context.Context, base string, phone phoneDevice) *outcome {
	o := &outcome{answers: map[int]int{}, refusals: map[string]int{}, phoneBad: map[string]int{}, notes: map[string]string{}}
	ctx, cancel := context.WithTimeout(ctx, s.limit)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	o.start = time.Now()
	wg.Go(func() {
		tr := clientTransport(phoneIP, 1)
		defer tr.CloseIdleConnections()
		for ctx.Err() == nil {
			bad := s.fetch(ctx, tr, base, phone)
			if ctx.Err() != nil {
				return // cut by the end of the run, not a failure
			}
			mu.Lock()
			if bad == "" {
				o.phoneOK++
			} else {
				o.phoneBad[bad]++
			}
			mu.Unlock()
		}
	})
	for i := range s.conns {
		rng := rand.New(rand.NewPCG(s.seed, uint64(i)))
		wg.Go(func() {
			tr := clientTransport(scannerIP, 1)
			defer tr.CloseIdleConnections()
			for n := 0; ; n++ {
				code, err := s.probe(ctx, tr, base, rng, n)
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				if err == nil && code != http.StatusForbidden {
					o.answers[code]++
					mu.Unlock()
					continue
				}
				now := time.Now()
				how := "403 Forbidden"
				if err != nil {
					how = "connection closed or refused: " + shortErr(err)
				}
				o.refusals[how]++
				o.stopped++
				if o.firstStop.IsZero() {
					o.firstStop = now
				}
				o.lastStop = now
				mu.Unlock()
				return
			}
		})
	}
	wg.Wait()
	if o.stopped > 0 {
		o.notes["a new scanner connection after that"] = s.knock(base)
	}
	return o
}

// knock asks once more from the scanner's address, on a new connection.
func (s scenario) knock(base string) string {
	tr := clientTransport(scannerIP, 1)
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code, _, err := get(ctx, tr, base+"/provision/"+macOf(0)+".cfg", "", "")
	if err != nil {
		return "refused: " + shortErr(err)
	}
	return fmt.Sprintf("answered %d", code)
}

// probe asks for the file of a random MAC of OUI 001565, with the
// credentials of the scenario's kind, and returns the status.
func (s scenario) probe(ctx context.Context, tr *http.Transport, base string, rng *rand.Rand, n int) (int, error) {
	mac := macOf(rng.IntN(1 << 24))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/provision/"+mac+".cfg", nil)
	if err != nil {
		return 0, err
	}
	if s.creds == "wrong" || (s.creds == "mixed" && n%2 == 1) {
		req.SetBasicAuth(mac, fmt.Sprintf("%016x", rng.Uint64()))
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// fetch is one fetch of the phone's file: with its credentials at once, or
// (challenge) first without, expecting 401, then with them. It returns
// what went wrong, "" when the phone got its exact file.
func (s scenario) fetch(ctx context.Context, tr *http.Transport, base string, p phoneDevice) string {
	if s.challenge {
		code, _, err := get(ctx, tr, base+p.path(), "", "")
		switch {
		case err != nil:
			return "challenge: " + shortErr(err)
		case code != http.StatusUnauthorized:
			return fmt.Sprintf("challenge: status %d", code)
		}
	}
	code, body, err := get(ctx, tr, base+p.path(), p.user, p.pw)
	switch {
	case err != nil:
		return shortErr(err)
	case code != http.StatusOK:
		return fmt.Sprintf("status %d", code)
	case !bytes.Equal(body, p.body):
		return "200 with another body than its file"
	}
	return ""
}

func get(ctx context.Context, tr *http.Transport, url, user, pw string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// shortErr names a network error by its innermost cause: the same failure
// on two connections reads the same.
func shortErr(err error) string {
	op := ""
	var oe *net.OpError
	if errors.As(err, &oe) {
		op = oe.Op + ": "
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u
	}
	return op + err.Error()
}
