package proxy

import (
	"testing"

	"go.uber.org/goleak"
)

// The proxy spawns goroutines for WebSocket copies and upstream
// connections; none may outlive the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
