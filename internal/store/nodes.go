package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Node is one pbxgate process of the cluster, as its last heartbeat
// described it.
type Node struct {
	ID       string
	Hostname string
	// Version is the pbxgate version the node runs.
	Version   string
	StartedAt time.Time
	LastSeen  time.Time
}

// Heartbeat inserts n, or replaces every field of the node with n's ID.
// Times are stored in UTC at microsecond precision; both must be set.
func (db *DB) Heartbeat(ctx context.Context, n Node) error {
	if err := checkNode(n); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q.nodeUpsert,
			n.ID, n.Hostname, n.Version, db.timeArg(n.StartedAt), db.timeArg(n.LastSeen))
		return err
	})
	if err != nil {
		return fmt.Errorf("heartbeat %s: %w", n.ID, err)
	}
	return nil
}

// Nodes returns every known node, sorted by ID, with times in UTC.
func (db *DB) Nodes(ctx context.Context) ([]Node, error) {
	rows, err := db.read.QueryContext(ctx, db.q.nodeList)
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	defer rows.Close()
	var nodes []Node
	for rows.Next() {
		var n Node
		if err := rows.Scan(&n.ID, &n.Hostname, &n.Version, timeScan{&n.StartedAt}, timeScan{&n.LastSeen}); err != nil {
			return nil, fmt.Errorf("list nodes: %w", err)
		}
		nodes = append(nodes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	return nodes, nil
}

// ForgetNode removes the node with the given ID. Forgetting an unknown node
// is not an error.
func (db *DB) ForgetNode(ctx context.Context, id string) error {
	if err := checkText("node id", id, maxFieldLen, true); err != nil {
		return fmt.Errorf("forget node: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q.nodeDelete, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("forget node %s: %w", id, err)
	}
	return nil
}

func checkNode(n Node) error {
	return errors.Join(
		checkText("node id", n.ID, maxFieldLen, true),
		checkText("node hostname", n.Hostname, maxFieldLen, false),
		checkText("node version", n.Version, maxFieldLen, false),
		checkTime("node started_at", n.StartedAt),
		checkTime("node last_seen", n.LastSeen),
	)
}

// Bounds of times that both backends store: PostgreSQL's timestamptz starts
// at 4713 BC; stay in the common era, and well inside int64 microseconds.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

func checkTime(field string, t time.Time) error {
	switch {
	case t.IsZero():
		return fmt.Errorf("%s is not set", field)
	case t.Before(minTime) || t.After(maxTime):
		return fmt.Errorf("%s %s is out of range", field, t)
	}
	return nil
}
