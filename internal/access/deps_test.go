package access

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the engine pure: no HTTP, no sockets, nothing of pbxgate's
// storage or wiring.
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
	forbidden := map[string]bool{"net": true, "net/http": true, "log": true, "log/slog": true, "os/exec": true}
	for _, dep := range strings.Fields(string(out)) {
		if forbidden[dep] || strings.HasPrefix(dep, "github.com/pbxgate/pbxgate/") && dep != "github.com/pbxgate/pbxgate/internal/access" {
			t.Errorf("package access depends on %s", dep)
		}
	}
}
