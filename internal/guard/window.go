package guard

// entry is one counted event of a window.
type entry struct {
	t int64 // Unix nanoseconds
	// key is the MAC+1 of an unknown-MAC probe (0: none): a window counts a
	// MAC once, and can tell the probes of one vendor from the others.
	key uint64
	w   int32 // weight
}

// window is a sliding window of weighted events, oldest first. It holds at
// most max entries: as every weight is at least 1, the last max entries are
// enough to tell whether the window holds a weight of max or more, which is
// all a threshold needs. Scores therefore saturate a little above the largest
// threshold, and memory stays bounded whatever the rate of events.
type window []entry

// add records an event of weight w at time t, forgetting the entries at or
// before t-horizon and, when max entries are held, the oldest. An entry with
// the same key (not 0) is replaced: the event counts once, at its latest
// time. Events that arrive out of order (emitted by concurrent requests) are
// recorded at the time of the newest entry, which keeps the window sorted.
func (win *window) add(t int64, w int, key uint64, max int, horizon int64) {
	s := *win
	if n := len(s); n > 0 && t < s[n-1].t {
		t = s[n-1].t
	}
	out := s[:0]
	for _, e := range s {
		if e.t > t-horizon && (key == 0 || e.key != key) {
			out = append(out, e)
		}
	}
	if len(out) >= max {
		out = out[:copy(out, out[len(out)-max+1:])]
	}
	*win = append(out, entry{t: t, key: key, w: int32(w)})
}

// sum is the weight of the entries after since (an event exactly FindTime
// old is forgotten).
func (win window) sum(since int64) int {
	total := 0
	for i := len(win) - 1; i >= 0 && win[i].t > since; i-- {
		total += int(win[i].w)
	}
	return total
}

// sumOUI is the weight of the entries after since whose key is a MAC of
// oui.
func (win window) sumOUI(since int64, oui uint32) int {
	total := 0
	for i := len(win) - 1; i >= 0 && win[i].t > since; i-- {
		if k := win[i].key; k != 0 && uint32((k-1)>>24) == oui {
			total += int(win[i].w)
		}
	}
	return total
}

// last is the time of the newest entry, or 0.
func (win window) last() int64 {
	if len(win) == 0 {
		return 0
	}
	return win[len(win)-1].t
}

// seen is one distinct key of a recent set and when it was last seen.
type seen[K comparable] struct {
	k K
	t int64
}

// recent is a bounded set of distinct keys with the time each was last
// seen, oldest first: the failing users of a site, the sources probing an
// OUI.
type recent[K comparable] []seen[K]

// touch records k at t, forgetting the keys seen at or before t-horizon and,
// when max keys are held, the oldest.
func (r *recent[K]) touch(k K, t int64, max int, horizon int64) {
	s := *r
	if n := len(s); n > 0 && t < s[n-1].t {
		t = s[n-1].t
	}
	out := s[:0]
	for _, e := range s {
		if e.k != k && e.t > t-horizon {
			out = append(out, e)
		}
	}
	if len(out) >= max {
		out = out[:copy(out, out[len(out)-max+1:])]
	}
	*r = append(out, seen[K]{k: k, t: t})
}

// remove forgets k.
func (r *recent[K]) remove(k K) {
	s := *r
	out := s[:0]
	for _, e := range s {
		if e.k != k {
			out = append(out, e)
		}
	}
	*r = out
}

// count is the number of keys seen after since.
func (r recent[K]) count(since int64) int {
	n := 0
	for i := len(r) - 1; i >= 0 && r[i].t > since; i-- {
		n++
	}
	return n
}

// last is when the newest key was seen, or 0.
func (r recent[K]) last() int64 {
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1].t
}
