package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/pbxgate/pbxgate/"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-json", mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	pkgs := map[string]pkg{}
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, mod)] = p
	}
	return pkgs
}

// TestImportRules checks who may depend on whom.
func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	rules := []struct {
		name string
		// who: the packages the rule applies to.
		who []string
		// mayNot: packages (or standard library paths) they must not
		// depend on, directly or not.
		mayNot []string
	}{
		{"domain packages decide without HTTP, storage or wiring",
			[]string{"internal/access", "internal/config", "internal/event", "internal/alarm", "internal/certs", "internal/sni", "internal/domains", "internal/guard"},
			[]string{"net/http", mod + "internal/store", mod + "internal/daemon", mod + "internal/gateway", mod + "internal/cli"}},
		{"the IP engine and the guard stay pure",
			[]string{"internal/access", "internal/guard"},
			[]string{"net", "log/slog", "os/exec"}},
		{"the certificate index and the domain rules do no I/O of their own",
			[]string{"internal/sni", "internal/domains"},
			[]string{"log/slog", "os/exec", "net/http", "database/sql"}},
		{"front-ends never reach storage or the composition root",
			[]string{"internal/gateway", "internal/api", "internal/webui", "internal/files", "internal/proxy", "internal/realm", "internal/listen"},
			[]string{mod + "internal/store", mod + "internal/daemon", mod + "internal/cli"}},
		{"building blocks import no pbxgate domain",
			[]string{"internal/config", "internal/event", "internal/reqinfo"},
			[]string{mod + "internal/access", mod + "internal/realm", mod + "internal/certs"}},
		{"the ACME client speaks HTTP to its CA but never reaches storage, the gateway or the composition root",
			[]string{"internal/acme"},
			[]string{mod + "internal/store", mod + "internal/daemon", mod + "internal/gateway", mod + "internal/cli", mod + "internal/api"}},
		{"the provisioning server never reaches storage, the gateway or the composition root",
			[]string{"internal/provision", "internal/provision/ident"},
			[]string{mod + "internal/store", mod + "internal/daemon", mod + "internal/gateway", mod + "internal/cli", mod + "internal/api"}},
		{"the phone model and the vendor renderers are pure: no I/O, no HTTP, no storage",
			[]string{"internal/provision/model", "internal/provision/vendors"},
			[]string{"net/http", "net", "os/exec", "database/sql", "log/slog", mod + "internal/store", mod + "internal/provision"}},
		{"only the composition root and the command line sit above it",
			[]string{"internal/store"},
			[]string{mod + "internal/daemon", mod + "internal/gateway", mod + "internal/config"}},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, who := range r.who {
				p, ok := pkgs[who]
				if !ok {
					t.Errorf("package %s not found", who)
					continue
				}
				deps := map[string]bool{}
				for _, d := range p.Deps {
					deps[d] = true
				}
				for _, bad := range r.mayNot {
					if deps[bad] {
						t.Errorf("%s depends on %s", who, bad)
					}
				}
			}
		})
	}
	// Only the composition root imports the store (and the store's tests).
	for name, p := range pkgs {
		for _, imp := range p.Imports {
			if imp == mod+"internal/store" && name != "internal/daemon" && !strings.HasPrefix(name, "internal/store") {
				t.Errorf("%s imports internal/store; only internal/daemon wires it in", name)
			}
			if imp == mod+"internal/acme/acmetest" {
				t.Errorf("%s imports internal/acme/acmetest, the test CA; only tests do", name)
			}
			// Benchmark programs start the daemon as the command line does.
			if imp == mod+"internal/daemon" && name != "internal/cli" && !strings.HasPrefix(name, "bench/") {
				t.Errorf("%s imports internal/daemon; only internal/cli and the benchmarks do", name)
			}
		}
	}
}
