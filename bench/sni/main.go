// Command sni measures the SNI certificate index (internal/sni): Build time
// and Lookup cost at 1k, 100k and 1M domains, and the heap that 100k domains
// with a certificate each take.
//
//	go run ./bench/sni [-sizes 1000,100000,1000000] [-mem 100000] [-distinct=true]
//
// The lookup trees have one tenant with a certificate of its own per ten
// domains (tK.example.com) and nine children without one (sJ.tK.example.com),
// sharing a pool of 16 certificates. The memory part builds -mem domains
// twice: with the pool (the index's own cost per domain), and, with
// -distinct, with one distinct leaf certificate and ECDSA P-256 key per
// domain, all signed by one CA key (what parsed certificates cost on top).
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"math/big"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/sni"
)

func main() {
	sizes := flag.String("sizes", "1000,100000,1000000", "comma-separated tree sizes for the lookup benchmark")
	memN := flag.Int("mem", 100_000, "domains with a certificate each for the memory measure")
	distinct := flag.Bool("distinct", true, "also measure memory with a distinct certificate and key per domain")
	flag.Parse()
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 11 {
			fmt.Fprintf(os.Stderr, "sni bench: -sizes: %q is not a number of at least 11\n", s)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	if err := run(ns, *memN, *distinct); err != nil {
		fmt.Fprintf(os.Stderr, "sni bench: %v\n", err)
		os.Exit(1)
	}
}

func run(sizes []int, memN int, distinct bool) error {
	ca, err := newCA()
	if err != nil {
		return err
	}
	pool := make([]*tls.Certificate, 16)
	for i := range pool {
		if pool[i], err = ca.leaf(fmt.Sprintf("pool%d.example.com", i)); err != nil {
			return err
		}
	}

	fmt.Printf("sni index benchmark (%s/%s, GOMAXPROCS %d, %s)\n",
		runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Println("\nlookup (ns/op, allocs/op) and build time; tree: 1 tenant with a certificate per 10 domains")
	fmt.Printf("  %10s %10s %18s %18s %18s %18s\n", "domains", "build", "exact", "inherited", "dns-walk", "walk-to-master")
	for _, n := range sizes {
		domains, tenants, children := tree(n, func(int) *tls.Certificate { return nil }, pool)
		start := time.Now()
		ix, err := sni.Build("example.com", domains, time.Now())
		build := time.Since(start)
		if err != nil {
			return fmt.Errorf("build %d: %w", n, err)
		}
		outside := make([]string, 4096)
		for i := range outside {
			outside[i] = fmt.Sprintf("host%d.unrelated%d.net", i, i)
		}
		fmt.Printf("  %10d %10v %18s %18s %18s %18s\n", n, round(build),
			bench(ix, spread(tenants, "")), bench(ix, spread(children, "")),
			bench(ix, spread(children, "x.y.")), bench(ix, outside))
	}

	fmt.Printf("\nheap for %d domains, each with a certificate of its own (live heap after GC)\n", memN)
	base := heapAlloc()
	domains, _, _ := tree(memN, func(i int) *tls.Certificate { return pool[i%len(pool)] }, pool)
	withInput := heapAlloc()
	ix, err := sni.Build("example.com", domains, time.Now())
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	domains = nil
	index := heapAlloc()
	runtime.KeepAlive(domains)
	fmt.Printf("  shared pool of %d certificates:\n", len(pool))
	fmt.Printf("    input []Domain with names     %7.1f MB\n", mb(withInput-base))
	fmt.Printf("    index incl. names, input gone %7.1f MB  (%.0f bytes/domain)\n", mb(index-base), float64(index-base)/float64(memN))
	runtime.KeepAlive(ix)
	ix = nil //nolint:ineffassign // drop the reference before measuring the heap

	if !distinct {
		return nil
	}
	base = heapAlloc()
	start := time.Now()
	certs, err := ca.leaves(memN)
	if err != nil {
		return err
	}
	made := time.Since(start)
	withCerts := heapAlloc()
	domains, _, _ = tree(memN, func(i int) *tls.Certificate { return certs[i] }, pool)
	start = time.Now()
	ix, err = sni.Build("example.com", domains, time.Now())
	build := time.Since(start)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	domains, certs = nil, nil //nolint:ineffassign // drop the references before measuring the heap
	total := heapAlloc()
	runtime.KeepAlive(ix)
	fmt.Printf("  %d distinct leaf certificates (ECDSA P-256 key each, one CA; chain = leaf only):\n", memN)
	fmt.Printf("    made and parsed in            %7v\n", round(made))
	fmt.Printf("    certificates alone            %7.1f MB  (%.0f bytes/certificate: DER + x509.Certificate + key)\n",
		mb(withCerts-base), float64(withCerts-base)/float64(memN))
	fmt.Printf("    build time                    %7v\n", round(build))
	fmt.Printf("    index + names + certificates  %7.1f MB  (%.0f bytes/domain)\n", mb(total-base), float64(total-base)/float64(memN))
	return nil
}

// tree returns n domains under example.com, one tenant tK.example.com per
// ten domains and children sJ.tK.example.com. Domain i gets certOf(i) as
// its own certificate; when that is nil, the master and the tenants get one
// from pool and the children none.
func tree(n int, certOf func(i int) *tls.Certificate, pool []*tls.Certificate) (domains []sni.Domain, tenants, children []string) {
	one := func(i int, dflt *tls.Certificate) []*tls.Certificate {
		if c := certOf(i); c != nil {
			return []*tls.Certificate{c}
		}
		if dflt != nil {
			return []*tls.Certificate{dflt}
		}
		return nil
	}
	domains = make([]sni.Domain, 0, n)
	domains = append(domains, sni.Domain{Name: "example.com", Certs: one(0, pool[0])})
	nt := max(1, (n-1)/10)
	for k := range nt {
		name := "t" + strconv.Itoa(k) + ".example.com"
		domains = append(domains, sni.Domain{Name: name, Parent: "example.com", Certs: one(len(domains), pool[k%len(pool)])})
		tenants = append(tenants, name)
	}
	for j := 0; len(domains) < n; j++ {
		parent := tenants[j%nt]
		name := "s" + strconv.Itoa(j) + "." + parent
		domains = append(domains, sni.Domain{Name: name, Parent: parent, Certs: one(len(domains), nil)})
		children = append(children, name)
	}
	return domains, tenants, children
}

// spread picks 4096 names across from, each with prefix.
func spread(from []string, prefix string) []string {
	out := make([]string, 4096)
	for i := range out {
		out[i] = prefix + from[(i*7919)%len(from)]
	}
	return out
}

// bench runs Lookup over names and formats ns/op and allocs/op.
func bench(ix *sni.Index, names []string) string {
	misses := 0
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if ix.Lookup(names[i&4095]).Domain == "" {
				misses++
			}
			i++
		}
	})
	s := fmt.Sprintf("%.1f ns, %d allocs", float64(res.T.Nanoseconds())/float64(res.N), res.AllocsPerOp())
	if misses > 0 {
		s += " (MISSES)"
	}
	return s
}

// ca signs leaf certificates.
type ca struct {
	key  crypto.Signer
	cert *x509.Certificate
}

func newCA() (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ca key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sni bench CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	return &ca{key: key, cert: cert}, nil
}

// leaf makes a leaf certificate for name and *.name with a key of its own.
func (c *ca) leaf(name string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("leaf key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name, "*." + name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, key.Public(), c.key)
	if err != nil {
		return nil, fmt.Errorf("leaf certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("leaf certificate: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// leaves makes n distinct leaves, one per domain of tree(n), in parallel.
func (c *ca) leaves(n int) ([]*tls.Certificate, error) {
	out := make([]*tls.Certificate, n)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := w; i < n; i += len(errs) {
				c, err := c.leaf("d" + strconv.Itoa(i) + ".example.com")
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = c
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// round shortens d to three significant places or so.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
