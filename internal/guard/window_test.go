package guard

import (
	"fmt"
	"testing"
)

func TestWindowAdd(t *testing.T) {
	type add struct {
		t   int64
		w   int
		key uint64
	}
	// m returns the key of MAC n of OUI o.
	m := func(o, n uint64) uint64 { return o<<24 | n + 1 }
	tests := []struct {
		name    string
		adds    []add
		max     int
		horizon int64
		since   int64
		sum     int
		oui     uint32
		sumOUI  int
		len     int
	}{
		{"empty", nil, 5, 100, 0, 0, 0, 0, 0},
		{"sums", []add{{1, 1, 0}, {2, 2, 0}, {3, 1, m(7, 1)}}, 5, 100, 0, 4, 7, 1, 3},
		{"since-excludes-equal", []add{{10, 1, 0}, {20, 1, 0}}, 5, 100, 10, 1, 0, 0, 2},
		{"horizon-forgets", []add{{1, 1, 0}, {50, 1, 0}, {101, 1, 0}}, 5, 100, 0, 2, 0, 0, 2},
		{"horizon-forgets-equal", []add{{1, 1, 0}, {101, 1, 0}}, 5, 100, 0, 1, 0, 0, 1},
		{"capacity-keeps-newest", []add{{1, 1, 0}, {2, 1, 0}, {3, 1, 0}, {4, 1, 0}}, 3, 100, 0, 3, 0, 0, 3},
		{"capacity-with-weights", []add{{1, 5, m(0, 1)}, {2, 5, m(0, 2)}, {3, 5, m(0, 3)}}, 2, 100, 0, 10, 0, 10, 2},
		{"out-of-order-clamped", []add{{10, 1, 0}, {5, 1, 0}}, 5, 100, 9, 2, 0, 0, 2},
		{"oui-only", []add{{1, 1, m(1, 1)}, {2, 1, m(2, 1)}, {3, 1, m(1, 2)}}, 5, 100, 0, 3, 1, 2, 3},
		{"same-key-counts-once", []add{{1, 1, m(1, 1)}, {2, 1, m(1, 1)}, {3, 1, m(1, 1)}}, 5, 100, 2, 1, 1, 1, 1},
		{"same-key-keeps-others", []add{{1, 1, m(1, 1)}, {2, 1, m(1, 2)}, {3, 1, m(1, 1)}, {4, 1, 0}, {5, 1, 0}}, 5, 100, 0, 4, 1, 2, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w window
			for _, a := range tt.adds {
				w.add(a.t, a.w, a.key, tt.max, tt.horizon)
			}
			if got := w.sum(tt.since); got != tt.sum {
				t.Errorf("sum(%d) = %d, want %d (%v)", tt.since, got, tt.sum, w)
			}
			if got := w.sumOUI(tt.since, tt.oui); got != tt.sumOUI {
				t.Errorf("sumOUI(%d, %d) = %d, want %d", tt.since, tt.oui, got, tt.sumOUI)
			}
			if len(w) != tt.len {
				t.Errorf("len = %d, want %d", len(w), tt.len)
			}
		})
	}
}

// TestWindowThresholdExact checks the claim that a window of max entries
// tells a weight of max or more exactly: against a full history, for every
// pattern of weights and gaps.
func TestWindowThresholdExact(t *testing.T) {
	const (
		find = 10
		max  = 5
	)
	for pattern := range 1 << 12 {
		var w window
		var all []entry
		now := int64(0)
		for i := range 6 {
			now += int64(pattern>>(2*i)&3) * 3 // gaps of 0, 3, 6, 9
			weight := 1 + (pattern>>i)&1
			w.add(now, weight, 0, max, find)
			all = append(all, entry{t: now, w: int32(weight)})
			full := window(all).sum(now - find)
			if got := w.sum(now - find); (got >= max) != (full >= max) || (full < max && got != full) {
				t.Fatalf("pattern %b step %d: window %d, full history %d", pattern, i, got, full)
			}
		}
	}
}

func TestRecent(t *testing.T) {
	var r recent[string]
	r.touch("a", 1, 3, 100)
	r.touch("b", 2, 3, 100)
	r.touch("a", 3, 3, 100) // moves a to the end
	r.touch("c", 4, 3, 100)
	r.touch("d", 5, 3, 100) // full: b, the oldest, goes
	if got := fmt.Sprint(keys(r)); got != "[a c d]" {
		t.Errorf("keys = %s, want [a c d]", got)
	}
	if got := r.count(3); got != 2 {
		t.Errorf("count(3) = %d, want 2", got)
	}
	r.touch("e", 104, 3, 100) // a (3) and c (4) forgotten
	if got := fmt.Sprint(keys(r)); got != "[d e]" {
		t.Errorf("keys = %s, want [d e]", got)
	}
	r.remove("d")
	if got := fmt.Sprint(keys(r)); got != "[e]" || r.last() != 104 {
		t.Errorf("keys = %s last %d, want [e] 104", got, r.last())
	}
}

func keys[K comparable](r recent[K]) []K {
	out := make([]K, len(r))
	for i, e := range r {
		out[i] = e.k
	}
	return out
}

func TestTable(t *testing.T) {
	tbl := newTable[int, int](3)
	for k := range 3 {
		v, fresh := tbl.upsert(k, nil)
		*v = k * 10
		if !fresh {
			t.Fatalf("upsert(%d) not fresh", k)
		}
	}
	tbl.get(0) // 1 is now the least recently used
	v, fresh := tbl.upsert(3, nil)
	if !fresh || *v != 10 {
		t.Errorf("upsert(3) = %d %v, want the reused node of 1 (10) and fresh", *v, fresh)
	}
	*v = 30
	if _, ok := tbl.peek(1); ok || tbl.len() != 3 {
		t.Errorf("1 still there or len %d", tbl.len())
	}
	if k, _ := tbl.oldest(); k != 2 {
		t.Errorf("oldest = %d, want 2", k)
	}
	// keep protects 2: 0 goes instead.
	tbl.upsert(4, func(v *int) bool { return *v == 20 })
	if _, ok := tbl.peek(2); !ok {
		t.Error("protected 2 evicted")
	}
	if _, ok := tbl.peek(0); ok {
		t.Error("0 kept, want evicted")
	}
	if n := tbl.prune(false, func(k int, _ *int) bool { return k%2 == 0 }); n != 2 || tbl.len() != 1 {
		t.Errorf("prune: %d deleted, %d left", n, tbl.len())
	}
	if !tbl.del(3) || tbl.del(3) || tbl.len() != 0 {
		t.Error("del")
	}
	if _, ok := tbl.oldest(); ok {
		t.Error("oldest of an empty table")
	}
}

func TestParseMAC(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"001565aabbcc", 0x001565aabbcc, true},
		{"001565AABBCC", 0x001565aabbcc, true},
		{"ffffffffffff", 0xffffffffffff, true},
		{"00:15:65:aa:bb:cc", 0, false},
		{"001565aabbc", 0, false},
		{"001565aabbcg", 0, false},
		{"", 0, false},
		{"/y000000000000.cfg", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseMAC(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseMAC(%q) = %x %v, want %x %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
