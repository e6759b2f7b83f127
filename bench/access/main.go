// Command access measures the IP access engine (internal/access) at scale: it
// compiles a whitelist and a blacklist of random prefixes (one million by
// default, three in four IPv4), reports the compile time and the heap the
// tables take, and benchmarks Decide over random addresses.
//
//	go run ./bench/access [-n 1000000] [-seed 1]
//
// The prefixes are random over the whole address space, which is the worst
// case for table size; real access lists are far smaller and clustered.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/access"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of prefixes, half whitelist, half blacklist")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *n < 2 {
		fmt.Fprintln(os.Stderr, "access bench: -n must be at least 2")
		os.Exit(2)
	}
	if err := run(*n, *seed); err != nil {
		fmt.Fprintf(os.Stderr, "access bench: %v\n", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	prefixes := make([]netip.Prefix, n)
	entries := make([]string, n)
	v4 := 0
	for i := range prefixes {
		prefixes[i] = randomPrefix(rng)
		entries[i] = prefixes[i].String()
		if prefixes[i].Addr().Is4() {
			v4++
		}
	}

	before := heapAlloc()
	start := time.Now()
	rules, err := access.Compile(entries[:n/2], entries[n/2:])
	compile := time.Since(start)
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	after := heapAlloc()
	runtime.KeepAlive(entries)
	white, black := rules.Len()

	// Lookups: half inside a listed prefix, half anywhere.
	addrs := make([]netip.Addr, 1<<16)
	for i := range addrs {
		if i%2 == 0 {
			addrs[i] = within(rng, prefixes[rng.IntN(n)])
		} else {
			addrs[i] = randomPrefix(rng).Addr()
		}
	}
	allowed := 0
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if rules.Decide(addrs[i&(len(addrs)-1)]).Allowed {
				allowed++
			}
			i++
		}
	})
	runtime.KeepAlive(rules)

	fmt.Printf("access engine benchmark (seed %d, %s/%s, GOMAXPROCS %d)\n",
		seed, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Printf("  prefixes      %d (%d IPv4, %d IPv6)\n", n, v4, n-v4)
	fmt.Printf("  distinct      %d whitelist, %d blacklist\n", white, black)
	fmt.Printf("  compile time  %v (parse + insert)\n", compile.Round(time.Millisecond))
	fmt.Printf("  table heap    %.1f MB (%.0f bytes/prefix)\n",
		float64(after-before)/(1<<20), float64(after-before)/float64(white+black))
	fmt.Printf("  Decide        %.1f ns/op, %d allocs/op, %d B/op (%d lookups)\n",
		float64(res.T.Nanoseconds())/float64(res.N), res.AllocsPerOp(), res.AllocedBytesPerOp(), res.N)
	return nil
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// randomPrefix returns a masked prefix anywhere in the address space: IPv4
// three times in four (/8 to /32), IPv6 otherwise (/16 to /128).
func randomPrefix(rng *rand.Rand) netip.Prefix {
	if rng.IntN(4) < 3 {
		x := rng.Uint32()
		a := netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		return netip.PrefixFrom(a, 8+rng.IntN(25)).Masked()
	}
	var b [16]byte
	hi, lo := rng.Uint64(), rng.Uint64()
	for i := range 8 {
		b[i], b[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), 16+rng.IntN(113)).Masked()
}

// within returns a random address inside p.
func within(rng *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		if rng.IntN(2) == 1 {
			b[i/8] |= 0x80 >> (i % 8)
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
