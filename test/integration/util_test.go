package integration

import (
	"encoding/json"
	"io"
	"sync"
)

// lockedWriter serialises writes of concurrent log handlers to one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// compact renders a decoded JSON document on one line for substring checks.
func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
