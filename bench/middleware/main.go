// Command middleware measures what pbxgate's security-context middleware
// costs: requests per second through the gateway (IP access with a large
// whitelist, then Digest SHA-256 realm authentication) against the same
// handler served bare, both over loopback TCP in one run.
//
//	go run ./bench/middleware [-c 64] [-d 10s] [-rounds 2] [-prefixes 10000] [-basic]
//
// The sides run one at a time, alternately, so that drift (thermal, other
// load) hits both alike; the report gives the median of the rounds. See
// README.md for how to read the numbers.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"time"
)

type options struct {
	clients, rounds, prefixes int
	warmup, duration          time.Duration
	basic, inproc             bool
	seed                      uint64
}

func main() {
	var o options
	flag.IntVar(&o.clients, "c", 64, "concurrent keep-alive clients per side")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "measured duration per side and round")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up before each measured window")
	flag.IntVar(&o.rounds, "rounds", 2, "rounds; each runs every side once")
	flag.IntVar(&o.prefixes, "prefixes", 10_000, "random prefixes whitelisted besides 127.0.0.0/8")
	flag.BoolVar(&o.basic, "basic", false, "also measure Basic with a bcrypt password")
	flag.BoolVar(&o.inproc, "inproc", true, "also time ServeHTTP in process, without the network")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the random whitelist")
	flag.Parse()
	if o.clients < 1 || o.rounds < 1 || o.prefixes < 0 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "middleware bench: -c, -rounds and -d must be positive, -prefixes not negative")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "middleware bench: %v\n", err)
		os.Exit(1)
	}
}

// newRand returns the source of a client's cnonces.
func newRand(stream int) *rand.Rand { return rand.New(rand.NewPCG(0x5eed, uint64(stream))) }

func run(o options) error {
	sides, closeSides, err := newSides(o.prefixes, o.seed, o.basic)
	if err != nil {
		return err
	}
	defer closeSides()

	results := make([][]result, len(sides))
	for r := range o.rounds {
		for i, s := range sides {
			res, err := runSide(s, o.clients, o.warmup, o.duration)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "round %d/%d  %-7s %8.0f req/s\n", r+1, o.rounds, s.name, res.rate())
			results[i] = append(results[i], res)
		}
	}
	var inproc []inprocResult
	if o.inproc {
		if inproc, err = inProcess(sides); err != nil {
			return err
		}
	}
	report(o, o.prefixes+1, sides, results, inproc)
	return nil
}

// summary folds the rounds of one side.
type summary struct {
	rates        []float64
	median       float64
	cpuPerReq    float64 // µs of process CPU per successful request
	busy         float64 // process CPU time over window time x GOMAXPROCS
	stale, fails int64
	failures     map[string]int64
}

func summarize(rs []result) summary {
	s := summary{failures: map[string]int64{}}
	var ok int64
	var cpu, window time.Duration
	for _, r := range rs {
		s.rates = append(s.rates, r.rate())
		ok += r.ok
		cpu += r.cpu
		window += r.window
		s.stale += r.stale
		for k, n := range r.fails {
			s.failures[k] += n
			s.fails += n
		}
	}
	sorted := slices.Sorted(slices.Values(s.rates))
	s.median = sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		s.median = (sorted[len(sorted)/2-1] + s.median) / 2
	}
	if ok > 0 {
		s.cpuPerReq = float64(cpu.Microseconds()) / float64(ok)
	}
	s.busy = cpu.Seconds() / window.Seconds() / float64(runtime.GOMAXPROCS(0))
	return s
}

func report(o options, whitelisted int, sides []side, results [][]result, inproc []inprocResult) {
	procs := runtime.GOMAXPROCS(0)
	fmt.Printf("pbxgate middleware benchmark (%s %s/%s, GOMAXPROCS %d)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, procs)
	fmt.Printf("  load     %d keep-alive clients, GET %s over loopback, %d rounds x %v per side (%v warm-up)\n",
		o.clients, benchPath, o.rounds, o.duration, o.warmup)
	schemes := "digest SHA-256"
	if o.basic {
		schemes += ", basic bcrypt"
	}
	fmt.Printf("  gated    communication_manager: ip_access whitelist of %d prefixes, realm_auth (%s)\n\n", whitelisted, schemes)
	fmt.Printf("  %-7s %12s  %-22s %10s %10s %8s %7s\n", "side", "req/s median", "rounds", "gated/bare", "CPU µs/req", "CPU busy", "non-200")
	sums := make([]summary, len(sides))
	for i, s := range sides {
		sums[i] = summarize(results[i])
		rounds := ""
		for _, r := range sums[i].rates {
			rounds += fmt.Sprintf("%.0f ", r)
		}
		fmt.Printf("  %-7s %12.0f  %-22s %10.3f %10.1f %7.0f%% %7d\n", s.name, sums[i].median, rounds,
			sums[i].median/sums[0].median, sums[i].cpuPerReq, 100*sums[i].busy, sums[i].fails+sums[i].stale)
	}
	for i, s := range sums {
		if s.stale > 0 {
			fmt.Printf("  %s: %d answers 401 stale=true (nonce refreshed)\n", sides[i].name, s.stale)
		}
		for what, n := range s.failures {
			fmt.Printf("  %s: %d x %s\n", sides[i].name, n, what)
		}
	}

	fmt.Printf("\n  middleware cost per request at saturation (1/gated - 1/bare, from the medians):\n")
	for i := 1; i < len(sides); i++ {
		wall := 1e6/sums[i].median - 1e6/sums[0].median
		fmt.Printf("    %-7s %+.1f µs wall = ~%.1f CPU-µs on %d procs (measured CPU: %+.1f µs/req)\n",
			sides[i].name, wall, wall*float64(procs), procs, sums[i].cpuPerReq-sums[0].cpuPerReq)
	}
	if len(inproc) > 0 {
		fmt.Printf("\n  in-process ServeHTTP on one goroutine, no network:\n")
		for _, r := range inproc {
			note := ""
			if r.extra != 0 {
				note = fmt.Sprintf("  middleware %+d ns", r.extra)
			}
			if r.bad > 0 {
				note += fmt.Sprintf("  (%d answers not 200!)", r.bad)
			}
			fmt.Printf("    %-22s %7d ns/op %4d allocs/op %6d B/op%s\n", r.name, r.ns, r.allocs, r.size, note)
		}
	}
}
