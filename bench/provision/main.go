// Command provision measures pbxgate's provisioning server, in one run on
// this machine:
//
//   - rendering: a provision.Service over an in-memory store with -render
//     devices of four vendors, every device file fetched through
//     provision.Server.ServeHTTP with the device's Basic credentials (no
//     network): time to add the devices, files per second, peak memory;
//
//   - serving: the real daemon, started in process on loopback with -devices
//     yealink/t46s devices made through its REST API, against nginx serving
//     the same files (fetched once from pbxgate) with auth_basic: per-device
//     authenticated fetches per second over keep-alive connections.
//
//     go run ./bench/provision [-d 5s] [-rounds 3] [-c 64] [-devices 1000] [-render 100000] [-https]
//
// It talks to nothing but loopback. See README.md for how to read the
// report.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"
)

type options struct {
	clients, rounds, devices, render, workers int
	cache                                     int
	warmup, duration                          time.Duration
	https                                     bool
	nginx                                     string
	seed                                      uint64
}

func main() {
	var o options
	flag.IntVar(&o.clients, "c", 64, "concurrent keep-alive connections per side")
	flag.DurationVar(&o.duration, "d", 5*time.Second, "measured window per side and round")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "load before each window, not counted")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each measures every side once")
	flag.IntVar(&o.devices, "devices", 1000, "devices served over loopback (0: skip that part)")
	flag.IntVar(&o.render, "render", 100_000, "devices rendered in process (0: skip that part)")
	flag.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "goroutines rendering in process")
	flag.IntVar(&o.cache, "cache", 0, "CacheEntries of the in-process server (0: its default, as the daemon's)")
	flag.BoolVar(&o.https, "https", false, "also measure over HTTPS (TLS 1.3, keep-alive)")
	flag.StringVar(&o.nginx, "nginx", "nginx", "the nginx binary")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the clients' random device choice")
	flag.Parse()
	if o.clients < 1 || o.rounds < 1 || o.duration <= 0 || o.devices < 0 || o.render < 0 || o.workers < 1 || o.cache < 0 {
		fmt.Fprintln(os.Stderr, "provision bench: -c, -rounds, -d and -workers must be positive, -devices and -render not negative")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "provision bench: %v\n", err)
		os.Exit(1)
	}
}

func progress(format string, args ...any) { fmt.Fprintf(os.Stderr, "  "+format+"\n", args...) }

func run(ctx context.Context, o options) error {
	fmt.Printf("pbxgate provisioning benchmark (%s %s/%s, %d CPUs, GOMAXPROCS %d)\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if o.render > 0 {
		fmt.Fprintf(os.Stderr, "== rendering %d devices in process\n", o.render)
		r, err := renderBench(ctx, o.render, o.workers, o.cache)
		if err != nil {
			return fmt.Errorf("render: %w", err)
		}
		printRender(r)
		// What the next part measures must not pay for this part's heap.
		debug.FreeOSMemory()
	}
	if o.devices > 0 {
		return serve(ctx, o)
	}
	return nil
}

// serve is the loopback part: pbxgate against nginx.
func serve(ctx context.Context, o options) error {
	tmp, err := os.MkdirTemp("", "pbxgate-bench-provision-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	// nginx's workers, when it runs as root, are another user: they must be
	// able to reach their files (the data directory and keys stay private).
	if err := os.Chmod(tmp, 0o711); err != nil {
		return err
	}
	certDir := filepath.Join(tmp, "cert")
	pool, err := makeCert(certDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "== starting pbxgate, adding %d devices through the REST API\n", o.devices)
	g, err := startGateway(ctx, tmp, certDir)
	if err != nil {
		return fmt.Errorf("start pbxgate: %w", err)
	}
	defer g.close()
	api := newTransport(pool, 8)
	t0 := time.Now()
	devs, err := g.provisionDevices(ctx, &http.Client{Transport: api, Timeout: 30 * time.Second}, o.devices)
	api.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("provision devices: %w", err)
	}
	setup := time.Since(t0)

	var sides []side
	add := func(name, scheme, base string, pid int) error {
		s, err := newSide(name, scheme, base, devs, pid)
		sides = append(sides, s)
		return err
	}
	if err := add("pbxgate", "http", g.http, 0); err != nil {
		return err
	}
	var ngx *nginx
	nginxNote := ""
	if bin, err := exec.LookPath(o.nginx); err != nil {
		nginxNote = fmt.Sprintf("nginx not found (%v): pbxgate alone (bash bench/tls.sh installs nginx)", err)
	} else if ngx, err = startNginx(bin, filepath.Join(tmp, "nginx"), certDir, devs); err != nil {
		nginxNote = fmt.Sprintf("nginx did not start: %v; pbxgate alone", err)
		ngx = nil
	} else {
		defer ngx.stop()
		if err := add("nginx", "http", ngx.http, ngx.pid()); err != nil {
			return err
		}
	}
	if o.https {
		if err := add("pbxgate", "https", g.https, 0); err != nil {
			return err
		}
		if ngx != nil {
			if err := add("nginx", "https", ngx.https, ngx.pid()); err != nil {
				return err
			}
		}
	}
	if nginxNote != "" {
		fmt.Fprintln(os.Stderr, "  "+nginxNote)
	}

	results := make([][]result, len(sides))
	for r := range o.rounds {
		order := make([]int, len(sides))
		for i := range order {
			order[i] = i
		}
		if r%2 == 1 {
			slices.Reverse(order)
		}
		for _, i := range order {
			res, err := runSide(ctx, sides[i], devs, pool, o.clients, o.warmup, o.duration, o.seed+uint64(r))
			if err != nil {
				return fmt.Errorf("%s: %w", sides[i].label(), err)
			}
			progress("round %d/%d  %-14s %8.0f req/s", r+1, o.rounds, sides[i].label(), res.rate())
			results[i] = append(results[i], res)
		}
	}
	var size int
	for _, d := range devs {
		size += len(d.body)
	}
	fmt.Printf("\nserving over loopback: %d keep-alive connections, GET /provision/<mac>.cfg of a random device of %d with its own Basic credentials\n",
		o.clients, o.devices)
	fmt.Printf("  files     yealink/t46s, one line each, %d bytes on average; %d devices added through the REST API in %.1fs (and fetched once)\n",
		size/len(devs), len(devs), setup.Seconds())
	fmt.Printf("  pbxgate   the daemon in this process (SQLite store, log level warn), GOMAXPROCS %d\n", runtime.GOMAXPROCS(0))
	if ngx != nil {
		fmt.Printf("  nginx     %s, %d workers, auth_basic with one user file of %d {SHA} users, sendfile, open_file_cache\n",
			ngx.version, runtime.NumCPU(), len(devs))
	} else {
		fmt.Printf("  nginx     %s\n", nginxNote)
	}
	fmt.Printf("  windows   %d rounds x %v per side (%v warm-up); an answer counts if it is 200 with the device's exact file\n\n",
		o.rounds, o.duration, o.warmup)
	printServe(sides, results)
	g.log.print()
	if ngx != nil {
		if l := ngx.errorLog(); l != "" {
			lines := strings.Split(l, "\n")
			fmt.Printf("\n  nginx error log (%d lines; the first ones):\n", len(lines))
			for _, line := range lines[:min(len(lines), 5)] {
				fmt.Printf("    %s\n", line)
			}
		}
	}
	return nil
}
