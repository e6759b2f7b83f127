package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pbxgate/pbxgate/internal/store"
)

func runBans(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("empty", func(t *testing.T) { testBansEmpty(t, open(t)) })
	t.Run("put/round-trip", func(t *testing.T) { testBanRoundTrip(t, open(t)) })
	t.Run("put/upsert-replaces", func(t *testing.T) { testBanUpsert(t, open(t)) })
	t.Run("put/reason-cut", func(t *testing.T) { testBanReasonCut(t, open(t)) })
	t.Run("list/expired-not-listed", func(t *testing.T) { testBansExpired(t, open(t)) })
	t.Run("list/sorted-by-address", func(t *testing.T) { testBansSorted(t, open(t)) })
	t.Run("ip/canonical", func(t *testing.T) { testBanIPForms(t, open(t)) })
	t.Run("args/invalid", func(t *testing.T) { testBanInvalid(t, open(t)) })
	t.Run("delete", func(t *testing.T) { testBanDelete(t, open(t)) })
	t.Run("prune", func(t *testing.T) { testBansPrune(t, open(t)) })
	t.Run("revision", func(t *testing.T) { testBansRevision(t, open) })
	t.Run("concurrency/same-ip", func(t *testing.T) { testBanConcurrentPut(t, open(t)) })
	t.Run("concurrency/put-and-delete", func(t *testing.T) { testBanConcurrentPutDelete(t, open) })
}

// banT0 is a fixed instant with nanoseconds, in a zone other than UTC.
var banT0 = time.Date(2026, 5, 4, 3, 2, 1, 987654321, time.FixedZone("CEST", 2*3600))

func ban(ip string, until time.Duration) store.Ban {
	return store.Ban{IP: ip, Since: banT0, Until: banT0.Add(until), Reason: "digest failures", Count: 1, Node: "node-a"}
}

// storedBan is b as the store returns it: times in UTC at microseconds.
func storedBan(b store.Ban) store.Ban {
	b.Since = b.Since.UTC().Truncate(time.Microsecond)
	b.Until = b.Until.UTC().Truncate(time.Microsecond)
	return b
}

func mustPutBan(t *testing.T, db *store.DB, b store.Ban) {
	t.Helper()
	if err := db.PutBan(context.Background(), b); err != nil {
		t.Fatalf("PutBan(%s): %v", b.IP, err)
	}
}

// bansAt returns the bans in force at now and fails the test on an error.
func bansAt(t *testing.T, db *store.DB, now time.Time) []store.Ban {
	t.Helper()
	bans, err := db.Bans(context.Background(), now)
	if err != nil {
		t.Fatalf("Bans(%v): %v", now, err)
	}
	return bans
}

func equalBans(t *testing.T, got, want []store.Ban) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("Bans() = %d bans %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.IP != w.IP || !g.Since.Equal(w.Since) || !g.Until.Equal(w.Until) || g.Reason != w.Reason ||
			g.Count != w.Count || g.Manual != w.Manual || g.Node != w.Node ||
			g.Since.Location() != time.UTC || g.Until.Location() != time.UTC {
			t.Errorf("Bans()[%d] = %+v, want %+v (times in UTC)", i, g, w)
		}
	}
}

func revision(t *testing.T, db *store.DB) int64 {
	t.Helper()
	rev, err := db.BansRevision(context.Background())
	if err != nil {
		t.Fatalf("BansRevision(): %v", err)
	}
	return rev
}

func testBansEmpty(t *testing.T, db *store.DB) {
	if got := bansAt(t, db, banT0); len(got) != 0 {
		t.Errorf("Bans() on a new store = %+v, want none", got)
	}
	if rev := revision(t, db); rev != 0 {
		t.Errorf("BansRevision() on a new store = %d, want 0", rev)
	}
}

func testBanRoundTrip(t *testing.T, db *store.DB) {
	b := store.Ban{IP: "192.0.2.7", Since: banT0, Until: banT0.Add(time.Hour), Reason: "manual: ünïcode",
		Count: 3, Manual: true, Node: "node-b"}
	mustPutBan(t, db, b)
	equalBans(t, bansAt(t, db, banT0), []store.Ban{storedBan(b)})
}

func testBanUpsert(t *testing.T, db *store.DB) {
	first := ban("192.0.2.1", time.Hour)
	other := ban("192.0.2.2", time.Hour)
	second := store.Ban{IP: "192.0.2.1", Since: banT0.Add(2 * time.Hour), Until: banT0.Add(26 * time.Hour),
		Reason: "again", Count: 2, Manual: true, Node: "node-b"}
	for _, b := range []store.Ban{first, other, second} {
		mustPutBan(t, db, b)
	}
	equalBans(t, bansAt(t, db, banT0), []store.Ban{storedBan(second), storedBan(other)})
	// A put may shorten a ban too: the row is replaced whole.
	shorter := first
	shorter.Until = banT0.Add(time.Minute)
	mustPutBan(t, db, shorter)
	equalBans(t, bansAt(t, db, banT0.Add(2*time.Minute)), []store.Ban{storedBan(other)})
}

func testBanReasonCut(t *testing.T, db *store.DB) {
	b := ban("192.0.2.1", time.Hour)
	b.Reason = "user agent \x00 \xff " + strings.Repeat("é", 500)
	mustPutBan(t, db, b)
	got := bansAt(t, db, banT0)
	if len(got) != 1 {
		t.Fatalf("Bans() = %+v, want one", got)
	}
	r := got[0].Reason
	if len(r) > 256 || !utf8.ValidString(r) || strings.ContainsRune(r, 0) || !strings.HasPrefix(r, "user agent ") {
		t.Errorf("reason = %q (%d bytes), want at most 256 bytes of valid UTF-8 without NUL", r, len(r))
	}
}

func testBansExpired(t *testing.T, db *store.DB) {
	ended := ban("192.0.2.1", time.Minute)
	endsNow := ban("192.0.2.2", time.Hour)
	running := ban("192.0.2.3", time.Hour+time.Microsecond)
	for _, b := range []store.Ban{ended, endsNow, running} {
		mustPutBan(t, db, b)
	}
	now := banT0.Add(time.Hour)
	equalBans(t, bansAt(t, db, now), []store.Ban{storedBan(running)})
	equalBans(t, bansAt(t, db, banT0), []store.Ban{storedBan(ended), storedBan(endsNow), storedBan(running)})
}

func testBansSorted(t *testing.T, db *store.DB) {
	ips := []string{"2001:db8::1", "10.0.0.10", "::1", "192.0.2.1", "10.0.0.2", "2001:db8::a:1", "2001:db8::9:ffff"}
	for _, ip := range ips {
		mustPutBan(t, db, ban(ip, time.Hour))
	}
	var got []string
	for _, b := range bansAt(t, db, banT0) {
		got = append(got, b.IP)
	}
	want := []string{"10.0.0.2", "10.0.0.10", "192.0.2.1", "::1", "2001:db8::1", "2001:db8::9:ffff", "2001:db8::a:1"}
	if !slices.Equal(got, want) {
		t.Errorf("Bans() addresses = %q, want %q", got, want)
	}
}

// testBanIPForms puts addresses in other spellings than the canonical one:
// each is stored canonical, and the same host always lands on one row.
func testBanIPForms(t *testing.T, db *store.DB) {
	ctx := context.Background()
	tests := []struct{ in, want string }{
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"::FFFF:c000:201", "192.0.2.1"},
		{"192.0.2.1", "192.0.2.1"},
		{"2001:DB8:0:0::0:1", "2001:db8::1"},
		{"fe80::1%eth0", "fe80::1"},
		{"::ffff:0:0", "0.0.0.0"},
	}
	for i, tt := range tests {
		b := ban(tt.in, time.Hour)
		b.Count = i + 1
		mustPutBan(t, db, b)
		var found bool
		for _, got := range bansAt(t, db, banT0) {
			if got.IP == tt.in && tt.in != tt.want {
				t.Errorf("PutBan(%q) stored it as given, want %q", tt.in, tt.want)
			}
			if got.IP == tt.want && got.Count == i+1 {
				found = true
			}
		}
		if !found {
			t.Errorf("PutBan(%q): no ban of %q with count %d", tt.in, tt.want, i+1)
		}
	}
	var ips []string
	for _, b := range bansAt(t, db, banT0) {
		ips = append(ips, b.IP)
	}
	if want := []string{"0.0.0.0", "192.0.2.1", "2001:db8::1", "fe80::1"}; !slices.Equal(ips, want) {
		t.Errorf("Bans() addresses = %q, want %q", ips, want)
	}
	// Any spelling deletes the canonical row.
	if ok, err := db.DeleteBan(ctx, "::ffff:192.0.2.1"); err != nil || !ok {
		t.Errorf("DeleteBan(::ffff:192.0.2.1) = %v, %v; want true", ok, err)
	}
	if ok, err := db.DeleteBan(ctx, "2001:db8::0:1"); err != nil || !ok {
		t.Errorf("DeleteBan(2001:db8::0:1) = %v, %v; want true", ok, err)
	}
	if got := bansAt(t, db, banT0); len(got) != 2 {
		t.Errorf("Bans() after deletes = %+v, want 0.0.0.0 and fe80::1", got)
	}
}

func testBanInvalid(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for _, ip := range []string{"", "192.0.2", "192.0.2.1/32", "192.0.2.256", "example.com", " 192.0.2.1",
		"192.0.2.1\x00", "[2001:db8::1]", "192.0.2.1:5060", "\xff"} {
		t.Run(fmt.Sprintf("fail/ip-%q", ip), func(t *testing.T) {
			if err := db.PutBan(ctx, ban(ip, time.Hour)); err == nil {
				t.Errorf("PutBan(%q) succeeded, want an error", ip)
			}
			if _, err := db.DeleteBan(ctx, ip); err == nil {
				t.Errorf("DeleteBan(%q) succeeded, want an error", ip)
			}
		})
	}
	bad := []struct {
		name   string
		mutate func(b *store.Ban)
	}{
		{"fail/zero-since", func(b *store.Ban) { b.Since = time.Time{} }},
		{"fail/zero-until", func(b *store.Ban) { b.Until = time.Time{} }},
		{"fail/until-before-since", func(b *store.Ban) { b.Until = b.Since.Add(-time.Microsecond) }},
		{"fail/until-year-10000", func(b *store.Ban) { b.Until = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"fail/negative-count", func(b *store.Ban) { b.Count = -1 }},
		{"fail/node-nul", func(b *store.Ban) { b.Node = "a\x00b" }},
		{"fail/node-invalid-utf8", func(b *store.Ban) { b.Node = "\xff" }},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			b := ban("192.0.2.1", time.Hour)
			tt.mutate(&b)
			if err := db.PutBan(ctx, b); err == nil {
				t.Errorf("PutBan(%+v) succeeded, want an error", b)
			}
		})
	}
	if got := bansAt(t, db, time.Time{}); len(got) != 0 {
		t.Errorf("refused puts stored %+v", got)
	}
	if rev := revision(t, db); rev != 0 {
		t.Errorf("BansRevision() = %d after refused writes only, want 0", rev)
	}
	// The control: the limits themselves are accepted.
	ok := ban("192.0.2.1", 0)
	ok.Until = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	ok.Count = 0
	mustPutBan(t, db, ok)
}

func testBanDelete(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := ban("192.0.2.1", time.Hour), ban("2001:db8::1", time.Hour)
	mustPutBan(t, db, a)
	mustPutBan(t, db, b)
	if ok, err := db.DeleteBan(ctx, "192.0.2.1"); err != nil || !ok {
		t.Fatalf("DeleteBan(192.0.2.1) = %v, %v; want true", ok, err)
	}
	if ok, err := db.DeleteBan(ctx, "192.0.2.1"); err != nil || ok {
		t.Fatalf("second DeleteBan(192.0.2.1) = %v, %v; want false", ok, err)
	}
	if ok, err := db.DeleteBan(ctx, "198.51.100.1"); err != nil || ok {
		t.Fatalf("DeleteBan(unknown) = %v, %v; want false", ok, err)
	}
	equalBans(t, bansAt(t, db, banT0), []store.Ban{storedBan(b)})
	// An expired ban is still a row until pruned: deleting it says so.
	mustPutBan(t, db, ban("192.0.2.9", time.Second))
	if ok, err := db.DeleteBan(ctx, "192.0.2.9"); err != nil || !ok {
		t.Fatalf("DeleteBan(expired) = %v, %v; want true", ok, err)
	}
}

func testBansPrune(t *testing.T, db *store.DB) {
	ctx := context.Background()
	early, atCut, late := ban("192.0.2.1", time.Minute), ban("192.0.2.2", time.Hour), ban("192.0.2.3", 2*time.Hour)
	for _, b := range []store.Ban{early, atCut, late} {
		mustPutBan(t, db, b)
	}
	n, err := db.PruneBans(ctx, atCut.Until)
	if err != nil || n != 1 {
		t.Fatalf("PruneBans(until of the second) = %d, %v; want 1", n, err)
	}
	equalBans(t, bansAt(t, db, time.Time{}), []store.Ban{storedBan(atCut), storedBan(late)})
	if n, err := db.PruneBans(ctx, atCut.Until); err != nil || n != 0 {
		t.Fatalf("second PruneBans = %d, %v; want 0", n, err)
	}
	if n, err := db.PruneBans(ctx, banT0.Add(3*time.Hour)); err != nil || n != 2 {
		t.Fatalf("PruneBans(after all) = %d, %v; want 2", n, err)
	}
	if got := bansAt(t, db, time.Time{}); len(got) != 0 {
		t.Errorf("Bans() after pruning all = %+v", got)
	}
}

// testBansRevision checks that the revision moves with every change, is
// seen through another handle, and stays put when nothing changed.
func testBansRevision(t *testing.T, open func(t *testing.T) *store.DB) {
	ctx := context.Background()
	db, other := open(t), open(t)
	steps := []struct {
		name  string
		write func() error
		moves bool
	}{
		{"put/new", func() error { return db.PutBan(ctx, ban("192.0.2.1", time.Hour)) }, true},
		{"put/same-again", func() error { return db.PutBan(ctx, ban("192.0.2.1", time.Hour)) }, true},
		{"put/other", func() error { return other.PutBan(ctx, ban("192.0.2.2", time.Minute)) }, true},
		{"list", func() error { _, err := db.Bans(ctx, banT0); return err }, false},
		{"delete/absent", func() error { return deleteBan(ctx, db, "198.51.100.1", false) }, false},
		{"delete/present", func() error { return deleteBan(ctx, other, "192.0.2.1", true) }, true},
		{"delete/again", func() error { return deleteBan(ctx, db, "192.0.2.1", false) }, false},
		{"put/invalid", func() error {
			if db.PutBan(ctx, ban("not an ip", time.Hour)) == nil {
				return fmt.Errorf("PutBan(not an ip) succeeded")
			}
			return nil
		}, false},
		{"prune/nothing", func() error { return pruneBans(ctx, db, banT0, 0) }, false},
		{"prune/one", func() error { return pruneBans(ctx, db, banT0.Add(time.Hour), 1) }, true},
	}
	last := revision(t, db)
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		rev, rev2 := revision(t, db), revision(t, other)
		if rev != rev2 {
			t.Fatalf("%s: the two handles see revisions %d and %d", s.name, rev, rev2)
		}
		switch {
		case s.moves && rev <= last:
			t.Errorf("%s: revision %d after %d, want it to grow", s.name, rev, last)
		case !s.moves && rev != last:
			t.Errorf("%s: revision %d after %d, want it unchanged", s.name, rev, last)
		}
		last = rev
	}
}

func deleteBan(ctx context.Context, db *store.DB, ip string, want bool) error {
	ok, err := db.DeleteBan(ctx, ip)
	if err == nil && ok != want {
		err = fmt.Errorf("DeleteBan(%s) = %v, want %v", ip, ok, want)
	}
	return err
}

func pruneBans(ctx context.Context, db *store.DB, before time.Time, want int64) error {
	n, err := db.PruneBans(ctx, before)
	if err == nil && n != want {
		err = fmt.Errorf("PruneBans(%v) = %d, want %d", before, n, want)
	}
	return err
}

// testBanConcurrentPut has goroutines ban one address, spelled two ways,
// at once: the store ends with one row, one of the writes whole, and the
// revision counts every put.
func testBanConcurrentPut(t *testing.T, db *store.DB) {
	const workers, rounds = 8, 20
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				ip := "192.0.2.77"
				if (w+r)%2 == 1 {
					ip = "::ffff:192.0.2.77"
				}
				b := ban(ip, time.Duration(w*rounds+r+1)*time.Minute)
				b.Count = w*rounds + r + 1
				b.Node = fmt.Sprintf("node-%d", w)
				errs <- db.PutBan(ctx, b)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := bansAt(t, db, banT0)
	if len(got) != 1 || got[0].IP != "192.0.2.77" {
		t.Fatalf("Bans() after concurrent puts = %+v, want one ban of 192.0.2.77", got)
	}
	// The row is one put's, not a mix of several.
	g := got[0]
	if w := (g.Count - 1) / rounds; g.Node != fmt.Sprintf("node-%d", w) ||
		!g.Until.Equal(banT0.Add(time.Duration(g.Count)*time.Minute).Truncate(time.Microsecond)) {
		t.Errorf("ban = %+v: count, node and until come from different puts", g)
	}
	if rev := revision(t, db); rev != workers*rounds {
		t.Errorf("BansRevision() = %d after %d puts, want %d", rev, workers*rounds, workers*rounds)
	}
}

// testBanConcurrentPutDelete has two handles put and delete one address at
// once: no write fails (on PostgreSQL, no lock-order deadlock between them),
// and the revision counts exactly the puts and the deletes that deleted.
func testBanConcurrentPutDelete(t *testing.T, open func(t *testing.T) *store.DB) {
	const workers, rounds = 4, 25
	ctx := context.Background()
	dbs := []*store.DB{open(t), open(t)}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		deleted int64
	)
	errs := make(chan error, 2*workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for range rounds {
				errs <- dbs[w%2].PutBan(ctx, ban("2001:db8::77", time.Hour))
			}
		})
		wg.Go(func() {
			for range rounds {
				ok, err := dbs[(w+1)%2].DeleteBan(ctx, "2001:db8::77")
				if ok {
					mu.Lock()
					deleted++
					mu.Unlock()
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := bansAt(t, dbs[0], banT0); len(got) > 1 {
		t.Errorf("Bans() = %+v, want at most one ban", got)
	}
	if rev, want := revision(t, dbs[0]), workers*rounds+deleted; rev != want {
		t.Errorf("BansRevision() = %d after %d puts and %d deletes that deleted, want %d", rev, workers*rounds, deleted, want)
	}
}
