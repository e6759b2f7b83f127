package integration

import (
	"crypto/tls"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver of the test database

	"github.com/pbxgate/pbxgate/internal/acme/acmetest"
)

// testPostgres returns the URL of a fresh database on the test server,
// dropped at the end. Without a server the test is skipped, except in CI
// or with PBXGATE_REQUIRE_POSTGRES=1.
func testPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("PBXGATE_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" || os.Getenv("PBXGATE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PBXGATE_TEST_POSTGRES is not set: source scripts/pg.sh and run pg_start first")
		}
		t.Skip("PBXGATE_TEST_POSTGRES is not set (source scripts/pg.sh and run pg_start)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("pbxgate_it_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		_ = admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		_ = admin.Close()
	})
	i := strings.LastIndex(base, "/")
	rest := ""
	if q := strings.Index(base[i:], "?"); q >= 0 {
		rest = base[i+q:]
	}
	return base[:i+1] + name + rest
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// clusterNode is one pbxgate process of the cluster test.
type clusterNode struct {
	p     *proc
	https string
	data  string
}

func (n *clusterNode) checks(t *testing.T) int {
	t.Helper()
	pw, err := os.ReadFile(filepath.Join(n.data, "admin-password"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("GET", "https://"+n.https+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", strings.TrimSpace(string(pw)))
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := new(strings.Builder)
	if _, err := fmt.Fprint(buf, readAll(t, resp)); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "pbxgate_acme_checks_total "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int(f)
		}
	}
	return 0
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// TestACMEClusterOneOrder: two pbxgate processes on one PostgreSQL
// database, both with the same ACME domain, start at once: exactly one
// order reaches the CA, the challenge is answered from the shared store,
// and both nodes serve the certificate.
func TestACMEClusterOneOrder(t *testing.T) {
	pg := testPostgres(t)
	dir := t.TempDir()
	httpA := freePort(t)
	ca := acmetest.Start(t, acmetest.Options{HTTPPort: httpA, Log: testWriter{t}})
	roots := ca.WriteTLSRoots(t)
	cfg := func(name string, httpPort int) string {
		path := filepath.Join(dir, name+".yaml")
		yaml := fmt.Sprintf(`database: %q
master_domain: pbx.test
listeners:
  - {name: https, address: "127.0.0.1:0", tls: true}
  - {name: http, address: "127.0.0.1:%d"}
acme:
  directory: %q
  ca_roots: [%q]
  check_interval: 1s
`, pg, httpPort, ca.DirectoryURL(), roots)
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cfgA, cfgB := cfg("a", httpA), cfg("b", freePort(t))
	const name = "cluster.pbx.test"
	if out, errOut, code := run(t, "", "domain", "add", name, "--acme", "--acme-email", "ops@pbx.test", "--config", cfgA, "--data", filepath.Join(dir, "data-a")); code != 0 {
		t.Fatalf("domain add: %d %s%s", code, out, errOut)
	}

	var nodes []*clusterNode
	for _, n := range []struct{ cfg, data string }{{cfgA, "data-a"}, {cfgB, "data-b"}} {
		data := filepath.Join(dir, n.data)
		p := serve(t, "--config", n.cfg, "--data", data)
		nodes = append(nodes, &clusterNode{p: p, data: data})
	}
	for _, n := range nodes {
		m := n.p.waitLog(t, `msg=listening listener=https address=(\S+)`)
		n.https = m[1]
	}
	waitFor(t, 60*time.Second, "the certificate on both nodes", func() bool {
		for _, n := range nodes {
			c, err := tls.Dial("tcp", n.https, &tls.Config{ServerName: name, RootCAs: ca.IssuerRoots()})
			if err != nil {
				return false
			}
			_ = c.Close()
		}
		return true
	})
	// Both nodes go on checking; none orders again.
	for _, n := range nodes {
		c := n.checks(t)
		waitFor(t, 30*time.Second, "three more checks on a node", func() bool { return n.checks(t) >= c+3 })
	}
	if got := ca.NewOrders(); got != 1 {
		t.Fatalf("the CA received %d orders from the cluster, want exactly 1", got)
	}
	ordered := 0
	for _, n := range nodes {
		ordered += strings.Count(n.p.stderr.String(), `msg="acme order"`)
	}
	if ordered != 1 {
		t.Fatalf("the nodes logged %d orders, want 1", ordered)
	}
}
