package main

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

// summary folds the rounds of one target.
type summary struct {
	rates          []float64
	median         float64
	clientPerHS    float64 // µs of client CPU per handshake
	serverPerHS    float64 // µs of server CPU per handshake; 0 if not measured
	busy           float64 // client+server CPU over window x CPUs
	serverMeasured bool
	fails          int64
	failures       map[string]int64
}

func summarize(rs []result) summary {
	s := summary{failures: map[string]int64{}, serverMeasured: len(rs) > 0}
	var ok int64
	var client, server, window time.Duration
	for _, r := range rs {
		s.rates = append(s.rates, r.rate())
		ok += r.ok
		client += r.client
		server += r.server
		window += r.window
		s.serverMeasured = s.serverMeasured && r.serverMeasured
		s.fails += r.fails
		for k, n := range r.failures {
			s.failures[k] += n
		}
	}
	s.median = median(s.rates)
	if !s.serverMeasured {
		server = 0
	}
	if ok > 0 {
		s.clientPerHS = float64(client.Microseconds()) / float64(ok)
		s.serverPerHS = float64(server.Microseconds()) / float64(ok)
	}
	if window > 0 {
		s.busy = (client + server).Seconds() / window.Seconds() / float64(runtime.NumCPU())
	}
	return s
}

// median of xs; the mean of the middle two for an even count, 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return m
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func report(w io.Writer, o options, probes []probe, results [][]result) {
	fmt.Fprintf(w, "TLS handshake benchmark (%s %s/%s, client GOMAXPROCS %d, %d CPUs)\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Fprintf(w, "  load     %d workers per target, each in a loop: TCP connect, full TLS 1.3 handshake\n", o.clients)
	fmt.Fprintf(w, "           (X25519, no resumption, SNI %s), close; %d rounds x %v per target (%v warm-up)\n",
		o.sni, o.rounds, o.duration, o.warmup)
	names := 0
	for _, t := range o.targets {
		names = max(names, len(t.name))
	}
	for i, t := range o.targets {
		p := probes[i]
		sha := p.certSHA256
		if o.expect != nil && len(sha) > 16 {
			sha = sha[:16] + "…" // in full below
		}
		fmt.Fprintf(w, "  %-*s  %s  %s %s %s, %s CN=%s sha256 %s\n", names, t.name, t.addr,
			p.version, p.suite, p.curve, p.certKey, p.certSubject, sha)
	}
	if o.expect != nil {
		fmt.Fprintf(w, "  every handshake checked to show the certificate with sha256 %x\n", o.expect)
	}
	fmt.Fprintln(w)

	sums := make([]summary, len(o.targets))
	for i := range o.targets {
		sums[i] = summarize(results[i])
	}
	base := o.index(o.base)
	vs := "ratio"
	if base >= 0 {
		vs = "vs " + o.base
	}
	fmt.Fprintf(w, "  %-*s %12s  %-*s %10s %17s %17s %8s %7s\n", names, "target", "hs/s median",
		roundsWidth(sums), "rounds (hs/s)", vs, "server CPU µs/hs", "client CPU µs/hs", "CPU busy", "errors")
	for i, t := range o.targets {
		s := sums[i]
		rounds := make([]string, len(s.rates))
		for j, r := range s.rates {
			rounds[j] = fmt.Sprintf("%.0f", r)
		}
		rel := "-"
		if base >= 0 {
			rel = fmt.Sprintf("%.3f", ratio(s.median, sums[base].median))
		}
		server := "-"
		if s.serverMeasured {
			server = fmt.Sprintf("%.1f", s.serverPerHS)
		}
		fmt.Fprintf(w, "  %-*s %12.0f  %-*s %10s %17s %17.1f %7.0f%% %7d\n", names, t.name, s.median,
			roundsWidth(sums), strings.Join(rounds, " "), rel, server, s.clientPerHS, 100*s.busy, s.fails)
	}
	for i, s := range sums {
		for _, kind := range slices.Sorted(maps.Keys(s.failures)) {
			fmt.Fprintf(w, "  %s: %d x %s\n", o.targets[i].name, s.failures[kind], kind)
		}
	}
	if base < 0 {
		return
	}
	fmt.Fprintln(w)
	for i, t := range o.targets {
		if i == base {
			continue
		}
		fmt.Fprintf(w, "  %s/%s handshakes/s (medians): %.3f", t.name, o.base, ratio(sums[i].median, sums[base].median))
		if sums[i].serverMeasured && sums[base].serverMeasured {
			fmt.Fprintf(w, "   server CPU per handshake: %.3f", ratio(sums[i].serverPerHS, sums[base].serverPerHS))
		}
		fmt.Fprintln(w)
	}
}

// roundsWidth is the width of the rounds column.
func roundsWidth(sums []summary) int {
	w := len("rounds (hs/s)")
	for _, s := range sums {
		n := len(s.rates) - 1
		for _, r := range s.rates {
			n += len(fmt.Sprintf("%.0f", r))
		}
		w = max(w, n)
	}
	return w
}
