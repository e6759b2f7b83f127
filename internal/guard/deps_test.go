package guard

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the engine pure: no sockets, no HTTP, no logging, nothing
// of pbxgate but the event definitions.
func TestDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := map[string]bool{"net": true, "net/http": true, "log": true, "log/slog": true, "os/exec": true, "database/sql": true}
	allowed := map[string]bool{"github.com/pbxgate/pbxgate/internal/guard": true, "github.com/pbxgate/pbxgate/internal/event": true}
	for _, dep := range strings.Fields(string(out)) {
		if forbidden[dep] || strings.HasPrefix(dep, "github.com/pbxgate/pbxgate/") && !allowed[dep] {
			t.Errorf("package guard depends on %s", dep)
		}
	}
}
