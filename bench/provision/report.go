package main

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func printRender(r renderReport) {
	models := make([]string, len(renderModels))
	for i, m := range renderModels {
		models[i] = m.model
	}
	cache := "its default, as in the daemon"
	if r.cache > 0 {
		cache = fmt.Sprintf("%d files", r.cache)
	}
	fmt.Printf("\nrendering in process: provision.Service over an in-memory store, Server.ServeHTTP, no network\n")
	fmt.Printf("  devices   %d in %d tenants, one extension and one line each; models in turn: %s\n",
		r.devices, r.tenants, strings.Join(models, ", "))
	fmt.Printf("  add       %d extensions + %d devices (Service.AddExtension, AddDevice) in %.2fs: %.1f µs per device\n",
		r.devices, r.devices, r.add.Seconds(), float64(r.add.Microseconds())/float64(r.devices))
	fmt.Printf("  loaded    heap %.0f MiB after GC, of which ~%.0f MiB are the store's %d JSON items (a database's, in the daemon)\n",
		mib(r.heapLoaded), mib(r.storeBytes), r.storeItems)
	fmt.Printf("  reload    Service.Load of the whole model from the store (what a node does at start): %.2fs\n", r.reload.Seconds())
	fmt.Printf("  fetches   GET of every device file with the device's own Basic credentials; file cache: %s\n\n", cache)
	fmt.Printf("  %-12s %10s %8s %8s %9s %8s %10s %8s %8s %8s\n", "pass", "goroutines", "files", "wall", "files/s",
		"MiB out", "peak heap", "reloads", "writes", "non-200")
	for _, p := range r.passes {
		var bad int64
		for _, n := range p.bad {
			bad += n
		}
		cut := ""
		if p.cut {
			cut = fmt.Sprintf("  (stopped at %v)", probeLimit)
		}
		fmt.Printf("  %-12s %10d %8d %7.2fs %9.0f %8.1f %6.0f MiB %8d %8d %8d%s\n", p.name, p.workers, p.files, p.wall.Seconds(),
			float64(p.files)/p.wall.Seconds(), mib(uint64(p.bytes)), mib(p.peakHeap), p.reloads, p.writes, bad, cut)
		for code, n := range p.bad {
			if code == 0 {
				fmt.Printf("    %d devices not found in the service\n", n)
			} else {
				fmt.Printf("    %d answers %d\n", n, code)
			}
		}
	}
	fmt.Printf("  first fetch: each device's first fetch records the use of its own credentials (a store write);\n")
	fmt.Printf("    that write changes no file, so the files stay cached\n")
	fmt.Printf("  render: every file rendered again (a server without a cache); again: from the daemon's cache as far as it holds them\n")
	fmt.Printf("  burst: first fetches of %d devices (credentials rotated) by %d goroutines at once; reloads are full\n", min(r.devices, probeDevices), r.workers)
	fmt.Printf("    loads of the model (Store.List), made when another write came between a write's Bump and its apply\n")
	fmt.Printf("\n  heap after the passes %.0f MiB after GC (model, store, file cache); peak heap %.0f MiB (sampled every 10ms)\n",
		mib(r.heapRendered), mib(r.peakHeap))
	fmt.Printf("  peak RSS (VmHWM) %.0f MiB after adding the devices, %.0f MiB after the three passes, %.0f MiB after the burst;\n",
		mib(uint64(r.rssLoaded)), mib(uint64(r.rssRendered)), mib(uint64(r.rssEnd)))
	fmt.Printf("  Go runtime Sys %.0f MiB at the end\n", mib(r.sys))
}

// summary folds the rounds of one side.
type summary struct {
	rates             []float64
	median            float64
	self, server      float64 // CPU µs per answer counted
	busy              float64
	fails             int64
	failures          map[string]int64
	ok                int64
	window, cpuServer time.Duration
}

func summarize(rs []result) summary {
	s := summary{failures: map[string]int64{}}
	var self time.Duration
	for _, r := range rs {
		s.rates = append(s.rates, r.rate())
		s.ok += r.ok
		self += r.selfCPU
		s.cpuServer += r.serverCPU
		s.window += r.window
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
	if s.ok > 0 {
		s.self = float64(self.Microseconds()) / float64(s.ok)
		s.server = float64(s.cpuServer.Microseconds()) / float64(s.ok)
	}
	s.busy = (self + s.cpuServer).Seconds() / s.window.Seconds() / float64(runtime.NumCPU())
	return s
}

func printServe(sides []side, results [][]result) {
	sums := make([]summary, len(sides))
	nginxOf := map[string]int{}
	for i, s := range sides {
		sums[i] = summarize(results[i])
		if s.name == "nginx" {
			nginxOf[s.scheme] = i
		}
	}
	fmt.Printf("  %-14s %12s  %-24s %8s %15s %16s %8s %7s\n", "side", "req/s median", "rounds", "vs nginx",
		"proc CPU µs/req", "nginx CPU µs/req", "CPU busy", "errors")
	for i, s := range sides {
		rounds := ""
		for _, r := range sums[i].rates {
			rounds += fmt.Sprintf("%.0f ", r)
		}
		vs, ngxCPU := "-", "-"
		if j, ok := nginxOf[s.scheme]; ok && sums[j].median > 0 {
			vs = fmt.Sprintf("%.3f", sums[i].median/sums[j].median)
		}
		if s.serverPID != 0 {
			ngxCPU = fmt.Sprintf("%.1f", sums[i].server)
		}
		fmt.Printf("  %-14s %12.0f  %-24s %8s %15.1f %16s %7.0f%% %7d\n", s.label(), sums[i].median, rounds, vs,
			sums[i].self, ngxCPU, 100*sums[i].busy, sums[i].fails)
	}
	for i, s := range sums {
		for what, n := range s.failures {
			fmt.Printf("  %s: %d x %s\n", sides[i].label(), n, what)
		}
	}
	fmt.Println()
	for i, s := range sides {
		j, ok := nginxOf[s.scheme]
		if s.name != "pbxgate" {
			continue
		}
		if !ok || sums[j].median == 0 || sums[j].server == 0 {
			fmt.Printf("  %s: pbxgate %.0f req/s (no nginx figure to compare with)\n", s.scheme, sums[i].median)
			continue
		}
		srv := sums[i].self - sums[j].self
		paired := ""
		for r := range min(len(sums[i].rates), len(sums[j].rates)) {
			paired += fmt.Sprintf(" %.2f", sums[i].rates[r]/sums[j].rates[r])
		}
		fmt.Printf("  %-5s pbxgate/nginx requests per second (medians): %.3f (round by round:%s)\n",
			s.scheme, sums[i].median/sums[j].median, paired)
		fmt.Printf("        server CPU per request: pbxgate ~%.1f µs (its process's, less the client's %.1f µs in the nginx\n"+
			"        windows), nginx %.1f µs: pbxgate/nginx %.2f\n", srv, sums[j].self, sums[j].server, srv/sums[j].server)
	}
	for i, s := range sums {
		if s.busy < 0.85 {
			fmt.Printf("  note: %s kept the CPUs only %.0f%% busy: something else ran on them, its rates are noise\n",
				sides[i].label(), 100*s.busy)
		}
	}
}

// print writes the daemon's warnings and errors, counted.
func (l *logCounter) print() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) == 0 {
		fmt.Printf("\n  pbxgate log: no warnings or errors\n")
		return
	}
	fmt.Printf("\n  pbxgate log (warnings and errors, by message):\n")
	for _, k := range slices.Sorted(maps.Keys(l.entries)) {
		e := l.entries[k]
		rows := ""
		if e.rows > 0 {
			rows = fmt.Sprintf(", %d rows in all", e.rows)
		}
		fmt.Printf("    %d x %s%s; first:%s\n", e.n, k, rows, e.first)
	}
}
