package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

// t0 is a fixed instant with nanoseconds, in a zone other than UTC.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("IST", 5*3600+1800))

func node(id string, started, seen time.Time) store.Node {
	return store.Node{ID: id, Hostname: id + ".example.net", Version: "1.2.3", StartedAt: started, LastSeen: seen}
}

// stored is n as the store returns it: UTC, microseconds.
func stored(n store.Node) store.Node {
	n.StartedAt = n.StartedAt.UTC().Truncate(time.Microsecond)
	n.LastSeen = n.LastSeen.UTC().Truncate(time.Microsecond)
	return n
}

func equalNodes(t *testing.T, got, want []store.Node) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("Nodes() = %d nodes %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Hostname != w.Hostname || g.Version != w.Version ||
			!g.StartedAt.Equal(w.StartedAt) || !g.LastSeen.Equal(w.LastSeen) ||
			g.StartedAt.Location() != time.UTC || g.LastSeen.Location() != time.UTC {
			t.Errorf("Nodes()[%d] = %+v, want %+v (times in UTC)", i, g, w)
		}
	}
}

func testNodesEmpty(t *testing.T, db *store.DB) {
	nodes, err := db.Nodes(context.Background())
	if err != nil || len(nodes) != 0 {
		t.Fatalf("Nodes() on a new store = %+v, %v; want none", nodes, err)
	}
}

func testHeartbeatInsert(t *testing.T, db *store.DB) {
	ctx := context.Background()
	b := node("node-b", t0, t0.Add(time.Minute))
	a := node("node-a", t0.Add(time.Second), t0.Add(2*time.Minute))
	c := node("node-c", t0, t0)
	for _, n := range []store.Node{b, c, a} {
		if err := db.Heartbeat(ctx, n); err != nil {
			t.Fatalf("Heartbeat(%s): %v", n.ID, err)
		}
	}
	got, err := db.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equalNodes(t, got, []store.Node{stored(a), stored(b), stored(c)})
}

func testHeartbeatUpsert(t *testing.T, db *store.DB) {
	ctx := context.Background()
	first := node("n1", t0, t0)
	other := node("n2", t0, t0)
	second := store.Node{ID: "n1", Hostname: "renamed", Version: "2.0.0", StartedAt: t0.Add(time.Hour), LastSeen: t0.Add(time.Hour + time.Millisecond)}
	for _, n := range []store.Node{first, other, second} {
		if err := db.Heartbeat(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equalNodes(t, got, []store.Node{stored(second), stored(other)})
}

func testHeartbeatInvalid(t *testing.T, db *store.DB) {
	ctx := context.Background()
	valid := node("n", t0, t0)
	tests := []struct {
		name   string
		change func(n *store.Node)
	}{
		{name: "fail/empty-id", change: func(n *store.Node) { n.ID = "" }},
		{name: "fail/nul-in-hostname", change: func(n *store.Node) { n.Hostname = "a\x00b" }},
		{name: "fail/invalid-utf8-version", change: func(n *store.Node) { n.Version = "\xff" }},
		{name: "fail/long-id", change: func(n *store.Node) { n.ID = strings.Repeat("n", 5000) }},
		{name: "fail/zero-started", change: func(n *store.Node) { n.StartedAt = time.Time{} }},
		{name: "fail/zero-last-seen", change: func(n *store.Node) { n.LastSeen = time.Time{} }},
		{name: "fail/year-10000", change: func(n *store.Node) { n.LastSeen = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := valid
			tt.change(&n)
			if err := db.Heartbeat(ctx, n); err == nil {
				t.Errorf("Heartbeat(%+v) succeeded, want an error", n)
			}
		})
	}
	if err := db.ForgetNode(ctx, ""); err == nil {
		t.Error("ForgetNode(\"\") succeeded, want an error")
	}
	if nodes, err := db.Nodes(ctx); err != nil || len(nodes) != 0 {
		t.Errorf("after invalid heartbeats Nodes() = %+v, %v; want none", nodes, err)
	}
}

func testForget(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := node("a", t0, t0), node("b", t0, t0)
	for _, n := range []store.Node{a, b} {
		if err := db.Heartbeat(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ForgetNode(ctx, "a"); err != nil {
		t.Fatalf("ForgetNode(a): %v", err)
	}
	if err := db.ForgetNode(ctx, "unknown"); err != nil {
		t.Fatalf("ForgetNode(unknown): %v", err)
	}
	got, err := db.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equalNodes(t, got, []store.Node{stored(b)})
}

func testTimeRoundTrip(t *testing.T, db *store.DB) {
	ctx := context.Background()
	tests := []struct {
		name string
		at   time.Time
	}{
		{name: "ok/nanoseconds-in-zone", at: t0},
		{name: "ok/negative-offset", at: time.Date(2031, 7, 1, 2, 3, 4, 999999999, time.FixedZone("X", -7*3600))},
		{name: "ok/whole-millisecond", at: time.Date(2024, 2, 29, 23, 59, 59, 123000000, time.UTC)},
		{name: "ok/one-microsecond", at: time.Date(2000, 1, 1, 0, 0, 0, 1000, time.UTC)},
		{name: "ok/before-1970", at: time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{name: "ok/year-1", at: time.Date(1, 1, 1, 0, 0, 1, 1000, time.UTC)},
		{name: "ok/year-9999", at: time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{name: "ok/local-with-monotonic", at: time.Now()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := node("time", tt.at.Add(-time.Microsecond), tt.at)
			if err := db.Heartbeat(ctx, n); err != nil {
				t.Fatal(err)
			}
			got, err := db.Nodes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			equalNodes(t, got, []store.Node{stored(n)})
			if len(got) == 1 {
				if d := tt.at.Sub(got[0].LastSeen); d < 0 || d >= time.Microsecond {
					t.Errorf("LastSeen %v is %v from %v, want less than 1µs below", got[0].LastSeen, d, tt.at)
				}
			}
		})
	}
}
