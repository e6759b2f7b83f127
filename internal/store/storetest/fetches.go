package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

func runFetches(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("record-and-read", func(t *testing.T) { testFetchesRecord(t, open(t)) })
	t.Run("prune", func(t *testing.T) { testFetchesPrune(t, open(t)) })
}

func testFetchesRecord(t *testing.T, db *store.DB) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var batch []store.Fetch
	for i := range 5 {
		batch = append(batch, store.Fetch{MAC: "001565a1b2c3", Time: t0.Add(time.Duration(i) * time.Second), IP: "127.0.0.10",
			UserAgent: "Yealink SIP-T46S 66.86.0.15", File: "001565a1b2c3.cfg", Result: "ok", Hash: "ab"})
	}
	batch = append(batch, store.Fetch{MAC: "001565ffffff", Time: t0, IP: "127.0.0.9", UserAgent: string(make([]byte, 1000)), File: "x", Result: "unauthorized"})
	if err := db.RecordFetches(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordFetches(ctx, nil); err != nil {
		t.Fatalf("RecordFetches(nil) = %v", err)
	}
	got, err := db.Fetches(ctx, "001565a1b2c3", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("Fetches(limit 3) = %d rows", len(got))
	}
	if !got[0].Time.Equal(t0.Add(4*time.Second)) || !got[2].Time.Equal(t0.Add(2*time.Second)) {
		t.Errorf("not newest first: %v, %v", got[0].Time, got[2].Time)
	}
	if got[0].IP != "127.0.0.10" || got[0].File != "001565a1b2c3.cfg" || got[0].Result != "ok" || got[0].Hash != "ab" {
		t.Errorf("row = %+v", got[0])
	}
	other, err := db.Fetches(ctx, "001565ffffff", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(other) != 1 || len(other[0].UserAgent) > 256 {
		t.Errorf("long user agent not cut to 256 bytes: %+v", other)
	}
	none, err := db.Fetches(ctx, "000000000001", 10)
	if err != nil || len(none) != 0 {
		t.Errorf("Fetches(unknown) = %v, %v", none, err)
	}
}

func testFetchesPrune(t *testing.T, db *store.DB) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := db.RecordFetches(ctx, []store.Fetch{
		{MAC: "001565a1b2c3", Time: t0, Result: "ok"},
		{MAC: "001565a1b2c3", Time: t0.Add(time.Hour), Result: "ok"},
	}); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneFetches(ctx, t0.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("PruneFetches = %d, %v; want 1", n, err)
	}
	got, _ := db.Fetches(ctx, "001565a1b2c3", 10)
	if len(got) != 1 || !got[0].Time.Equal(t0.Add(time.Hour)) {
		t.Errorf("after prune: %+v", got)
	}
}
