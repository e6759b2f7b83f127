package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/pbxgate/pbxgate/internal/store"
	"github.com/pbxgate/pbxgate/internal/store/storetest"
)

func TestMain(m *testing.M) {
	// The crash and multi-process tests run this binary again as a child.
	if mode := os.Getenv(childModeEnv); mode != "" {
		os.Exit(runChild(mode, os.Getenv(childDirEnv)))
	}
	goleak.VerifyTestMain(m)
}

// backend returns the Open arguments of a database private to t: the same
// database for every call with the same t, a new empty one for a new t.
type backend func(t *testing.T) (database, dataDir string)

// opener turns a backend into the open function of storetest.Run.
func opener(b backend) func(t *testing.T) *store.DB {
	return func(t *testing.T) *store.DB {
		t.Helper()
		database, dir := b(t)
		db, err := store.Open(context.Background(), database, dir, testLogger(t))
		if err != nil {
			t.Fatalf("store.Open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// perTest remembers one value per test, made on first use.
type perTest struct {
	mu   sync.Mutex
	vals map[*testing.T]string
}

func (p *perTest) get(t *testing.T, make func() string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.vals[t]; ok {
		return v
	}
	if p.vals == nil {
		p.vals = map[*testing.T]string{}
	}
	v := make()
	p.vals[t] = v
	t.Cleanup(func() {
		p.mu.Lock()
		delete(p.vals, t)
		p.mu.Unlock()
	})
	return v
}

// sqliteBackend gives each test its own data directory.
func sqliteBackend() backend {
	var dirs perTest
	return func(t *testing.T) (string, string) {
		return "", dirs.get(t, t.TempDir)
	}
}

// postgresBackend creates a database pbxgate_test_<random> for the duration
// of t, dropped at its end, and gives each test inside it its own schema
// (through search_path), so that runs and tests never see each other.
func postgresBackend(t *testing.T) backend {
	t.Helper()
	base := postgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := "pbxgate_test_" + randomHex(t)
	// Prefer a database whose default collation does not sort by bytes
	// (ICU en-US: "B" sorts after "a"), so the tests show that the store's
	// ordering does not depend on it. Servers before 15 or without ICU get
	// their default.
	if _, err := admin.Exec("CREATE DATABASE " + name +
		" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"); err != nil {
		t.Logf("no ICU database (%v); using the server's default collation", err)
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			_ = admin.Close()
			t.Fatalf("create test database: %v", err)
		}
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		_ = admin.Close()
	})
	dbURL := withDatabase(t, base, name)
	conn, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })

	var schemas perTest
	return func(t *testing.T) (string, string) {
		schema := schemas.get(t, func() string {
			s := "t_" + randomHex(t)
			if _, err := conn.Exec("CREATE SCHEMA " + s); err != nil {
				t.Fatalf("create test schema: %v", err)
			}
			return s
		})
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), ""
	}
}

// postgresURL returns the server the PostgreSQL tests use. Without one they
// are skipped, except in CI or when PBXGATE_REQUIRE_POSTGRES=1, where a
// silent skip would hide that half the store is untested.
func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("PBXGATE_TEST_POSTGRES")
	if u != "" {
		return u
	}
	if os.Getenv("CI") == "true" || os.Getenv("PBXGATE_REQUIRE_POSTGRES") == "1" {
		t.Fatal("PBXGATE_TEST_POSTGRES is not set, and CI=true or PBXGATE_REQUIRE_POSTGRES=1 forbid skipping: source scripts/pg.sh and run pg_start first")
	}
	t.Skip("PBXGATE_TEST_POSTGRES is not set (source scripts/pg.sh and run pg_start)")
	return ""
}

func withDatabase(t *testing.T, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("PBXGATE_TEST_POSTGRES is not a URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func TestSQLite(t *testing.T) {
	b := sqliteBackend()
	storetest.Run(t, opener(b))
	runBackendTests(t, b)
}

func TestPostgres(t *testing.T) {
	b := postgresBackend(t)
	storetest.Run(t, opener(b))
	runBackendTests(t, b)
}
