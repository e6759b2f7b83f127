package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/store"
)

// NodeIDFile keeps the node's identity in the data directory.
const NodeIDFile = "node-id"

// nodeID returns this node's identity (hostname-random), made on first start.
func nodeID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, NodeIDFile)
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("node id: %w", err)
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "node"
	}
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	id := host + "-" + hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("node id: %w", err)
	}
	return id, nil
}

const heartbeatEvery = 15 * time.Second

// heartbeat records this node in the store's cluster table until ctx ends.
func (d *Daemon) heartbeat(ctx context.Context) {
	host, _ := os.Hostname()
	n := store.Node{ID: d.node, Hostname: host, Version: d.opts.Version, StartedAt: d.started}
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		n.LastSeen = d.now()
		if err := d.store.Heartbeat(ctx, n); err != nil && ctx.Err() == nil {
			d.log.Warn("heartbeat", "component", "store", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// nodes lists the nodes that share the store, for the system state.
func (d *Daemon) nodes(ctx context.Context) ([]api.Node, error) {
	ns, err := d.store.Nodes(ctx)
	if err != nil {
		d.log.Warn("list nodes", "component", "store", "err", err)
		return nil, err
	}
	out := make([]api.Node, len(ns))
	for i, n := range ns {
		out[i] = api.Node{ID: n.ID, Hostname: n.Hostname, Version: n.Version, StartedAt: n.StartedAt, LastSeen: n.LastSeen}
	}
	return out, nil
}
