package storetest

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/store"
)

func testGetNotFound(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustPut(t, db, "ns", "present", "x")
	mustPut(t, db, "other", "absent", "x")
	for _, key := range []string{"absent", "presen", "present2", "PRESENT"} {
		_, err := db.Get(ctx, "ns", key)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(ns, %q) error = %v, want ErrNotFound", key, err)
		}
	}
}

func testPutUpdate(t *testing.T, db *store.DB) {
	ctx := context.Background()
	before := time.Now().UTC().Truncate(time.Microsecond)
	for i, val := range []string{"one", "two", "three"} {
		v, err := db.Put(ctx, "ns", "k", []byte(val))
		if err != nil {
			t.Fatalf("Put #%d: %v", i+1, err)
		}
		if v != int64(i+1) {
			t.Fatalf("Put #%d returned version %d, want %d", i+1, v, i+1)
		}
	}
	after := time.Now().UTC()
	it, err := db.Get(ctx, "ns", "k")
	if err != nil {
		t.Fatal(err)
	}
	if it.Namespace != "ns" || it.Key != "k" || string(it.Value) != "three" || it.Version != 3 {
		t.Errorf("Get = %+v, want ns/k = \"three\" at version 3", it)
	}
	if it.Updated.Location() != time.UTC {
		t.Errorf("Updated location = %v, want UTC", it.Updated.Location())
	}
	if it.Updated.Before(before) || it.Updated.After(after) {
		t.Errorf("Updated = %v, want within [%v, %v]", it.Updated, before, after)
	}
}

func testNamespaces(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustPut(t, db, "a", "k", "in a")
	mustPut(t, db, "b", "k", "in b")
	mustPut(t, db, "b", "k", "in b again")
	for ns, want := range map[string]struct {
		val     string
		version int64
	}{"a": {"in a", 1}, "b": {"in b again", 2}} {
		it, err := db.Get(ctx, ns, "k")
		if err != nil {
			t.Fatal(err)
		}
		if string(it.Value) != want.val || it.Version != want.version {
			t.Errorf("Get(%s, k) = %q v%d, want %q v%d", ns, it.Value, it.Version, want.val, want.version)
		}
	}
}

func testCompareAndSwap(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name     string
		puts     int   // Puts before the swap: the item's version, 0 = absent
		old      int64 // version named in the swap
		want     int64
		conflict bool
	}{
		{name: "ok/create-only-absent", puts: 0, old: 0, want: 1},
		{name: "fail/create-only-existing", puts: 1, old: 0, conflict: true},
		{name: "ok/swap-current", puts: 2, old: 2, want: 3},
		{name: "fail/swap-stale", puts: 2, old: 1, conflict: true},
		{name: "fail/swap-future", puts: 1, old: 5, conflict: true},
		{name: "fail/swap-absent", puts: 0, old: 1, conflict: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			for range tt.puts {
				mustPut(t, db, "ns", "k", "before")
			}
			got, err := db.CompareAndSwap(ctx, "ns", "k", tt.old, []byte("after"))
			it, getErr := db.Get(ctx, "ns", "k")
			if tt.conflict {
				if !errors.Is(err, store.ErrConflict) {
					t.Fatalf("CompareAndSwap(old=%d) = %d, %v; want ErrConflict", tt.old, got, err)
				}
				// Nothing was written.
				if tt.puts == 0 {
					if !errors.Is(getErr, store.ErrNotFound) {
						t.Errorf("after conflict on absent item: Get = %+v, %v; want ErrNotFound", it, getErr)
					}
				} else if getErr != nil || string(it.Value) != "before" || it.Version != int64(tt.puts) {
					t.Errorf("after conflict: Get = %q v%d, %v; want \"before\" v%d", it.Value, it.Version, getErr, tt.puts)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CompareAndSwap(old=%d) = %d, %v; want %d", tt.old, got, err, tt.want)
			}
			if getErr != nil || string(it.Value) != "after" || it.Version != tt.want {
				t.Errorf("after swap: Get = %q v%d, %v; want \"after\" v%d", it.Value, it.Version, getErr, tt.want)
			}
		})
	}
	t.Run("fail/negative-version", func(t *testing.T) {
		db := open(t)
		_, err := db.CompareAndSwap(context.Background(), "ns", "k", -1, []byte("x"))
		if err == nil || errors.Is(err, store.ErrConflict) {
			t.Fatalf("CompareAndSwap(old=-1) error = %v, want an argument error", err)
		}
	})
}

func testDelete(t *testing.T, open func(t *testing.T) *store.DB) {
	t.Run("ok/existing", func(t *testing.T) {
		ctx := context.Background()
		db := open(t)
		mustPut(t, db, "ns", "k", "x")
		mustPut(t, db, "ns", "keep", "y")
		if err := db.Delete(ctx, "ns", "k"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := db.Get(ctx, "ns", "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get after Delete: %v, want ErrNotFound", err)
		}
		if _, err := db.Get(ctx, "ns", "keep"); err != nil {
			t.Errorf("Delete removed another key: %v", err)
		}
	})
	t.Run("ok/absent-is-not-an-error", func(t *testing.T) {
		db := open(t)
		if err := db.Delete(context.Background(), "ns", "never"); err != nil {
			t.Fatalf("Delete of absent key: %v", err)
		}
	})
	t.Run("ok/recreate-starts-at-version-1", func(t *testing.T) {
		ctx := context.Background()
		db := open(t)
		mustPut(t, db, "ns", "k", "x")
		mustPut(t, db, "ns", "k", "x")
		if err := db.Delete(ctx, "ns", "k"); err != nil {
			t.Fatal(err)
		}
		if v, err := db.CompareAndSwap(ctx, "ns", "k", 0, []byte("new")); err != nil || v != 1 {
			t.Fatalf("create after Delete = %d, %v; want version 1", v, err)
		}
	})
}

// listKeys are stored in namespace "ns" by testListPrefix: LIKE wildcards,
// the escape character, case, and runes at the edges of UTF-8.
var listKeys = []string{
	"a", "a%", "a%b", "a_", "a_b", "ab", "aB", "abc", `a\`, `a\b`, "b", "z",
	"é", "éa", "\uD7FF", "\uE000", "\U0010FFFF", "\U0010FFFFx", "\U0010FFFF\U0010FFFF",
}

func testListPrefix(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for _, k := range listKeys {
		mustPut(t, db, "ns", k, "v:"+k)
	}
	mustPut(t, db, "ns2", "a1", "other namespace")
	mustPut(t, db, "n", "a2", "other namespace")

	all := slices.Clone(listKeys)
	slices.Sort(all) // Go compares strings by bytes, as the store must
	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{name: "ok/empty-prefix-lists-namespace", prefix: "", want: all},
		{name: "ok/percent-is-literal", prefix: "a%", want: []string{"a%", "a%b"}},
		{name: "ok/underscore-is-literal", prefix: "a_", want: []string{"a_", "a_b"}},
		{name: "ok/backslash-is-literal", prefix: `a\`, want: []string{`a\`, `a\b`}},
		{name: "ok/case-sensitive", prefix: "aB", want: []string{"aB"}},
		{name: "ok/byte-order", prefix: "a", want: []string{"a", "a%", "a%b", "aB", `a\`, `a\b`, "a_", "a_b", "ab", "abc"}},
		{name: "ok/whole-key", prefix: "abc", want: []string{"abc"}},
		{name: "ok/two-byte-rune", prefix: "é", want: []string{"é", "éa"}},
		{name: "ok/before-surrogates", prefix: "\uD7FF", want: []string{"\uD7FF"}},
		{name: "ok/max-rune", prefix: "\U0010FFFF", want: []string{"\U0010FFFF", "\U0010FFFFx", "\U0010FFFF\U0010FFFF"}},
		{name: "ok/max-rune-twice", prefix: "\U0010FFFF\U0010FFFF", want: []string{"\U0010FFFF\U0010FFFF"}},
		{name: "ok/no-match", prefix: "A", want: nil},
		{name: "ok/longer-than-keys", prefix: "abcd", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := db.List(ctx, "ns", tt.prefix)
			if err != nil {
				t.Fatalf("List(%q): %v", tt.prefix, err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Key)
				if it.Namespace != "ns" || string(it.Value) != "v:"+it.Key || it.Version != 1 || it.Updated.IsZero() {
					t.Errorf("List(%q) item %+v, want ns, value \"v:%s\", version 1, Updated set", tt.prefix, it, it.Key)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("List(%q) keys = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func testBinaryValues(t *testing.T, db *store.DB) {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	tests := []struct {
		name string
		val  []byte
		want []byte
	}{
		{name: "ok/nil-reads-empty", val: nil, want: []byte{}},
		{name: "ok/empty", val: []byte{}, want: []byte{}},
		{name: "ok/one-nul", val: []byte{0}, want: []byte{0}},
		{name: "ok/nuls-inside", val: []byte("\x00ab\x00\x00c\x00"), want: []byte("\x00ab\x00\x00c\x00")},
		{name: "ok/every-byte", val: every, want: every},
		{name: "ok/invalid-utf8", val: []byte{0xff, 0xfe, 0xc3}, want: []byte{0xff, 0xfe, 0xc3}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.Put(ctx, "bin", tt.name, tt.val); err != nil {
				t.Fatal(err)
			}
			it, err := db.Get(ctx, "bin", tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if it.Value == nil || !bytes.Equal(it.Value, tt.want) {
				t.Errorf("Get value = %#v, want %#v", it.Value, tt.want)
			}
			items, err := db.List(ctx, "bin", tt.name)
			if err != nil || len(items) != 1 || items[0].Value == nil || !bytes.Equal(items[0].Value, tt.want) {
				t.Errorf("List = %+v, %v; want one item with value %#v", items, err, tt.want)
			}
		})
	}
}

func testLargeValues(t *testing.T, db *store.DB) {
	ctx := context.Background()
	rng := rand.New(rand.NewChaCha8([32]byte{'p', 'b', 'x'}))
	big := func() []byte {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	first, second := big(), big()
	v, err := db.Put(ctx, "big", "k", first)
	if err != nil {
		t.Fatal(err)
	}
	it, err := db.Get(ctx, "big", "k")
	if err != nil || !bytes.Equal(it.Value, first) {
		t.Fatalf("Get after Put: %d bytes, equal=%v, %v", len(it.Value), bytes.Equal(it.Value, first), err)
	}
	if _, err := db.CompareAndSwap(ctx, "big", "k", v, second); err != nil {
		t.Fatal(err)
	}
	items, err := db.List(ctx, "big", "")
	if err != nil || len(items) != 1 || !bytes.Equal(items[0].Value, second) {
		t.Fatalf("List after CompareAndSwap: %d items, %v", len(items), err)
	}
}

func testInvalidKV(t *testing.T, db *store.DB) {
	ctx := context.Background()
	tests := []struct {
		name    string
		ns, key string
	}{
		{name: "fail/empty-namespace", ns: "", key: "k"},
		{name: "fail/empty-key", ns: "ns", key: ""},
		{name: "fail/nul-in-key", ns: "ns", key: "a\x00b"},
		{name: "fail/nul-in-namespace", ns: "n\x00s", key: "k"},
		{name: "fail/invalid-utf8-key", ns: "ns", key: "\xff"},
		{name: "fail/key-too-long", ns: "ns", key: strings.Repeat("k", 4096)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := map[string]error{}
			_, calls["Get"] = db.Get(ctx, tt.ns, tt.key)
			_, calls["Put"] = db.Put(ctx, tt.ns, tt.key, []byte("v"))
			_, calls["CompareAndSwap"] = db.CompareAndSwap(ctx, tt.ns, tt.key, 0, []byte("v"))
			calls["Delete"] = db.Delete(ctx, tt.ns, tt.key)
			for name, err := range calls {
				if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
					t.Errorf("%s(%q, %q) error = %v, want an argument error", name, tt.ns, tt.key, err)
				}
			}
		})
	}
	for _, bad := range []struct{ name, ns, prefix string }{
		{"fail/list-empty-namespace", "", ""},
		{"fail/list-nul-prefix", "ns", "\x00"},
		{"fail/list-invalid-utf8-prefix", "ns", "a\xc3"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			if _, err := db.List(ctx, bad.ns, bad.prefix); err == nil {
				t.Errorf("List(%q, %q) succeeded, want an error", bad.ns, bad.prefix)
			}
		})
	}
}

func testCanceled(t *testing.T, db *store.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Put(ctx, "ns", "k", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with canceled context: %v, want context.Canceled", err)
	}
	if _, err := db.Get(context.Background(), "ns", "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after canceled Put: %v, want ErrNotFound", err)
	}
	if _, err := db.Get(ctx, "ns", "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with canceled context: %v, want context.Canceled", err)
	}
}
