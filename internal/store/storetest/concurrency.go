package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/pbxgate/pbxgate/internal/store"
)

// testCASCounter has 8 goroutines increment one counter 50 times each by
// read, CompareAndSwap, retry on conflict. A lost update or a swap that
// succeeded against a stale version would leave the count below 400.
func testCASCounter(t *testing.T, db *store.DB) {
	const workers, rounds = 8, 50
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() { errs <- increment(ctx, db, rounds) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	it, err := db.Get(ctx, "counter", "n")
	if err != nil {
		t.Fatal(err)
	}
	if string(it.Value) != strconv.Itoa(workers*rounds) || it.Version != workers*rounds {
		t.Fatalf("counter = %q at version %d, want %d at version %d", it.Value, it.Version, workers*rounds, workers*rounds)
	}
}

// increment adds one to the counter n times, each by a successful swap.
func increment(ctx context.Context, db *store.DB, n int) error {
	const maxConflicts = 100000 // a livelock guard, never reached in practice
	conflicts := 0
	for done := 0; done < n; {
		var cur, version int64
		it, err := db.Get(ctx, "counter", "n")
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if cur, err = strconv.ParseInt(string(it.Value), 10, 64); err != nil {
				return fmt.Errorf("counter value %q: %w", it.Value, err)
			}
			version = it.Version
		}
		_, err = db.CompareAndSwap(ctx, "counter", "n", version, []byte(strconv.FormatInt(cur+1, 10)))
		switch {
		case errors.Is(err, store.ErrConflict):
			if conflicts++; conflicts > maxConflicts {
				return fmt.Errorf("%d conflicts without progress", conflicts)
			}
		case err != nil:
			return err
		default:
			done++
		}
	}
	return nil
}
