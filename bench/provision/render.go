package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision"
	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	// The vendors of renderModels (internal/daemon registers them too).
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/cisco"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/ciscospa"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/polycom"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/yealink"
)

// renderModels are the models of the in-process part, given to the
// devices in turn, each with a MAC prefix of its vendor.
var renderModels = []struct{ model, oui string }{
	{"yealink/t46s", "001565"},
	{"polycom/vvx400", "64167f"},
	{"ciscospa/spa504g", "e05fb9"},
	{"cisco/8841", "00562b"},
}

const (
	masterDomain     = "pbx.example.com"
	devicesPerTenant = 1000
	// probeDevices are fetched for the first time concurrently, for
	// probeLimit at most.
	probeDevices = 1000
	probeLimit   = 2 * time.Second
)

func tenantName(t int) string { return "t" + strconv.Itoa(t+1) + "." + masterDomain }

// renderMAC is the address of device i of the in-process part.
func renderMAC(i int) model.MAC {
	return model.MAC(fmt.Sprintf("%s%06x", renderModels[i%len(renderModels)].oui, i))
}

// renderReport is what the in-process part measured.
type renderReport struct {
	devices, tenants, workers int
	cache                     int
	add, reload               time.Duration
	heapLoaded, storeBytes    uint64
	storeItems                int
	passes                    []passReport
	heapRendered, sys         uint64
	peakHeap                  uint64
	rssLoaded, rssRendered    int64
	rssEnd                    int64
}

type passReport struct {
	name     string
	wall     time.Duration
	files    int64
	bytes    int64
	peakHeap uint64
	bad      map[int]int64 // status other than 200 → count
	workers  int
	reloads  int64 // full loads of the model from the store
	writes   int64 // items written to the store
	cut      bool  // stopped at its time limit
}

// renderBench fills a provision.Service over an in-memory store with n
// devices, then fetches every device file of every device through
// provision.Server.ServeHTTP with the device's Basic credentials: first
// fetches one by one, then twice again with workers goroutines, then a
// burst of concurrent first fetches. cacheEntries is the server's
// CacheEntries (0: its default, as in the daemon).
func renderBench(ctx context.Context, n, workers, cacheEntries int) (renderReport, error) {
	r := renderReport{devices: n, tenants: (n + devicesPerTenant - 1) / devicesPerTenant, workers: workers, cache: cacheEntries}
	peak := startPeakSampler(10 * time.Millisecond)
	defer peak.stop()

	st := newMemStore()
	doms := memDomains{masterDomain: true}
	for t := range r.tenants {
		doms[tenantName(t)] = true
	}
	svc := provision.NewService(provision.Options{Store: st, Domains: doms, Master: masterDomain})
	if err := svc.Load(ctx, true); err != nil {
		return r, err
	}
	if _, err := svc.PutSettings(ctx, provision.Settings{SIPServerAddress: "sip." + masterDomain, ServerHostname: "prov." + masterDomain}); err != nil {
		return r, fmt.Errorf("settings: %w", err)
	}
	t0 := time.Now()
	for i := range n {
		tenant := tenantName(i / devicesPerTenant)
		num := strconv.Itoa(10000 + i%devicesPerTenant)
		if _, err := svc.AddExtension(ctx, provision.Extension{Domain: tenant, Number: num, DisplayName: "User " + num}); err != nil {
			return r, fmt.Errorf("extension %s@%s: %w", num, tenant, err)
		}
		d := provision.Device{MAC: renderMAC(i), Domain: tenant, Model: renderModels[i%len(renderModels)].model,
			Label: "desk " + num, Lines: []provision.DeviceLine{{Line: 1, Extension: num, Label: num}}}
		if _, err := svc.AddDevice(ctx, d); err != nil {
			return r, fmt.Errorf("device %s: %w", d.MAC, err)
		}
	}
	r.add = time.Since(t0)
	progress("added %d devices in %.1fs", n, r.add.Seconds())
	r.heapLoaded = heapAfterGC()
	r.storeItems, r.storeBytes = st.size()
	r.rssLoaded = peakRSS()

	t0 = time.Now()
	if err := svc.Load(ctx, true); err != nil {
		return r, fmt.Errorf("reload: %w", err)
	}
	r.reload = time.Since(t0)

	srv, err := provision.NewServer(provision.ServerOptions{Service: svc, CacheEntries: cacheEntries})
	if err != nil {
		return r, err
	}
	// Run drains the audit queue (into the store, which drops it).
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { srv.Run(runCtx, time.Hour) })
	defer func() { cancel(); wg.Wait() }()
	// A server whose cache holds a single file renders every file it serves.
	uncached, err := provision.NewServer(provision.ServerOptions{Service: svc, CacheEntries: 1})
	if err != nil {
		return r, err
	}
	pass := func(name string, srv *provision.Server, n, workers int, limit time.Duration) {
		pctx, stop := context.WithTimeout(ctx, limit)
		defer stop()
		lists, writes := st.lists.Load(), st.writes.Load()
		peak.reset()
		p := renderPass(pctx, srv, svc, n, workers)
		p.name, p.workers, p.peakHeap = name, workers, peak.reset()
		p.reloads, p.writes = st.lists.Load()-lists, st.writes.Load()-writes
		p.cut = pctx.Err() != nil && ctx.Err() == nil
		r.passes = append(r.passes, p)
		progress("%-12s %7d files in %.2fs", name, p.files, p.wall.Seconds())
	}
	// One by one: each first fetch is a store write.
	pass("first fetch", srv, n, 1, time.Hour)
	// Every file rendered, by a server without a cache.
	pass("render", uncached, n, workers, time.Hour)
	// From the daemon's cache, as far as it holds them.
	pass("again", srv, n, workers, time.Hour)
	r.heapRendered, r.rssRendered = heapAfterGC(), peakRSS()
	// A boot storm: the first fetches of probeDevices devices (their
	// credentials rotated, so that the next fetch is a first one again),
	// concurrent, for probeLimit at most.
	k := min(n, probeDevices)
	for i := 0; i < k && ctx.Err() == nil; i++ {
		if _, err := svc.RotateCredentials(ctx, renderMAC(i)); err != nil {
			return r, fmt.Errorf("rotate %s: %w", renderMAC(i), err)
		}
	}
	pass("burst", srv, k, workers, probeLimit)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.sys, r.peakHeap, r.rssEnd = ms.Sys, peak.max(), peakRSS()
	runtime.KeepAlive(svc)
	return r, ctx.Err()
}

// renderPass fetches every device file of devices 0..n-1 once.
func renderPass(ctx context.Context, srv http.Handler, svc *provision.Service, n, workers int) passReport {
	var next, files, size atomic.Int64
	var mu sync.Mutex
	bad := map[int]int64{}
	var wg sync.WaitGroup
	t0 := time.Now()
	for range workers {
		wg.Go(func() {
			w := &countWriter{h: http.Header{}}
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				mac := renderMAC(i)
				d, ok := svc.Device(mac)
				v, m, found := vendors.FindModel(d.Model)
				if !ok || !found {
					mu.Lock()
					bad[0]++
					mu.Unlock()
					continue
				}
				for _, f := range v.Files(m.ID, mac) {
					if !f.Device {
						continue
					}
					req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/provision/"+f.Name, nil)
					req.RemoteAddr = "127.0.0.1:5060"
					req.SetBasicAuth(d.HTTPUsername, d.HTTPPassword)
					w.reset()
					srv.ServeHTTP(w, req)
					if w.code != http.StatusOK {
						mu.Lock()
						bad[w.code]++
						mu.Unlock()
						continue
					}
					files.Add(1)
					size.Add(w.n)
				}
			}
		})
	}
	wg.Wait()
	return passReport{wall: time.Since(t0), files: files.Load(), bytes: size.Load(), bad: bad}
}

// countWriter is a ResponseWriter that keeps the status and counts the
// body's bytes.
type countWriter struct {
	h    http.Header
	code int
	n    int64
}

func (w *countWriter) reset() { clear(w.h); w.code, w.n = 0, 0 }

func (w *countWriter) Header() http.Header { return w.h }

func (w *countWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += int64(len(p))
	return len(p), nil
}

// heapAfterGC collects and returns the bytes of live heap objects.
func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// peakSampler records the largest heap seen, sampled without stopping the
// world (runtime/metrics).
type peakSampler struct {
	all, since atomic.Uint64
	done       chan struct{}
	wg         sync.WaitGroup
}

func startPeakSampler(every time.Duration) *peakSampler {
	p := &peakSampler{done: make(chan struct{})}
	p.wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			metrics.Read(s)
			if s[0].Value.Kind() == metrics.KindUint64 {
				v := s[0].Value.Uint64()
				for _, m := range []*atomic.Uint64{&p.all, &p.since} {
					if old := m.Load(); v > old {
						m.CompareAndSwap(old, v)
					}
				}
			}
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	})
	return p
}

// reset returns the peak since the last reset and starts a new one.
func (p *peakSampler) reset() uint64 { return p.since.Swap(0) }

func (p *peakSampler) max() uint64 { return p.all.Load() }

func (p *peakSampler) stop() { close(p.done); p.wg.Wait() }
