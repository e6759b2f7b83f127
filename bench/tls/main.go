// Command tls measures full TLS 1.3 handshakes per second against one or
// more servers, in alternating rounds, and compares them: bench/tls.sh runs it
// against pbxgate's TLS listener and nginx serving the same ECDSA P-256
// certificate on this machine.
//
//	go run ./bench/tls -target pbxgate=127.0.0.1:8443 -target nginx=127.0.0.1:9443 \
//	    [-pid pbxgate=PID] [-pid nginx=PID] [-sni name] [-expect-sha256 HEX] \
//	    [-c 2xGOMAXPROCS] [-d 5s] [-rounds 3] [-base nginx]
//
// Every handshake is a new TCP connection and a full TLS 1.3 handshake with
// X25519 and no session resumption; the client closes the connection as soon
// as the handshake is done. See README.md for how to read the report.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// target is one server under test.
type target struct {
	name, addr string
	pid        int // 0: its CPU time is not measured
}

type options struct {
	targets          []target
	sni, base        string
	expect           []byte // SHA-256 of the leaf certificate; nil: not checked
	clients, rounds  int
	warmup, duration time.Duration
	timeout          time.Duration
}

// targetsFlag collects -target name=host:port in the order given.
type targetsFlag struct{ ts *[]target }

func (f targetsFlag) String() string {
	if f.ts == nil {
		return ""
	}
	var parts []string
	for _, t := range *f.ts {
		parts = append(parts, t.name+"="+t.addr)
	}
	return strings.Join(parts, ",")
}

func (f targetsFlag) Set(v string) error {
	name, addr, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want name=host:port, got %q", v)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("target %s: %w", name, err)
	}
	for _, t := range *f.ts {
		if t.name == name {
			return fmt.Errorf("target %s given twice", name)
		}
	}
	*f.ts = append(*f.ts, target{name: name, addr: addr})
	return nil
}

// pidsFlag collects -pid name=PID.
type pidsFlag map[string]int

func (f pidsFlag) String() string { return fmt.Sprint(map[string]int(f)) }

func (f pidsFlag) Set(v string) error {
	name, p, ok := strings.Cut(v, "=")
	pid, err := strconv.Atoi(p)
	if !ok || name == "" || err != nil || pid <= 0 {
		return fmt.Errorf("want name=PID, got %q", v)
	}
	f[name] = pid
	return nil
}

// parseOptions reads the command line.
func parseOptions(args []string) (options, error) {
	o := options{}
	pids := pidsFlag{}
	var expect string
	fs := flag.NewFlagSet("tls", flag.ContinueOnError)
	fs.Var(targetsFlag{&o.targets}, "target", "server to measure as name=host:port; repeat for several")
	fs.Var(pids, "pid", "name=PID of a target's server process: its CPU time (and its children's) is reported")
	fs.StringVar(&o.sni, "sni", "bench.example.com", "server name sent in the ClientHello")
	fs.StringVar(&expect, "expect-sha256", "", "hex SHA-256 of the leaf certificate every handshake must show")
	fs.StringVar(&o.base, "base", "nginx", "target the others are compared with")
	fs.IntVar(&o.clients, "c", 2*runtime.GOMAXPROCS(0), "concurrent handshaking workers per target")
	fs.DurationVar(&o.duration, "d", 5*time.Second, "measured window per target and round")
	fs.DurationVar(&o.warmup, "warmup", 500*time.Millisecond, "load before each window, not counted")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each measures every target once")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "deadline of one connection")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if len(o.targets) == 0 {
		return o, errors.New("no -target given")
	}
	if o.clients < 1 || o.rounds < 1 || o.duration <= 0 || o.warmup < 0 || o.timeout <= 0 {
		return o, errors.New("-c, -rounds, -d and -timeout must be positive, -warmup not negative")
	}
	for name, pid := range pids {
		i := o.index(name)
		if i < 0 {
			return o, fmt.Errorf("-pid %s: no such target", name)
		}
		o.targets[i].pid = pid
	}
	if expect != "" {
		sum, err := parseSHA256(expect)
		if err != nil {
			return o, fmt.Errorf("-expect-sha256: %w", err)
		}
		o.expect = sum
	}
	return o, nil
}

// index returns the position of the target called name, or -1.
func (o options) index(name string) int {
	for i, t := range o.targets {
		if t.name == name {
			return i
		}
	}
	return -1
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tls bench: %v\n", err)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "tls bench: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	hs := make([]*handshaker, len(o.targets))
	probes := make([]probe, len(o.targets))
	for i, t := range o.targets {
		hs[i] = newHandshaker(t.addr, o.sni, o.expect, o.timeout)
		p, err := hs[i].probe()
		if err != nil {
			return fmt.Errorf("target %s: first handshake: %w", t.name, err)
		}
		probes[i] = p
	}
	results := make([][]result, len(o.targets))
	for r := range o.rounds {
		for _, i := range roundOrder(len(o.targets), r) {
			t := o.targets[i]
			res := runRound(hs[i], t.pid, o.clients, o.warmup, o.duration)
			fmt.Fprintf(os.Stderr, "round %d/%d  %-8s %8.0f handshakes/s  %d errors\n", r+1, o.rounds, t.name, res.rate(), res.fails)
			results[i] = append(results[i], res)
		}
	}
	report(os.Stdout, o, probes, results)
	return nil
}

// roundOrder is the order in which round r measures n targets: forwards in
// even rounds, backwards in odd ones, so that no target always goes first.
func roundOrder(n, r int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
		if r%2 == 1 {
			order[i] = n - 1 - i
		}
	}
	return order
}
