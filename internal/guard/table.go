package guard

// table is a map bounded to max entries, ordered by last use: when it is
// full, a new key takes the place (and the memory) of the least recently used
// one. It is not safe for concurrent use: the Guard's mutex guards every
// table.
type table[K comparable, V any] struct {
	max int
	m   map[K]*node[K, V]
	// root is the sentinel of a circular list: root.next is the most
	// recently used node, root.prev the least.
	root node[K, V]
}

type node[K comparable, V any] struct {
	key        K
	val        V
	prev, next *node[K, V]
}

// evictTries bounds how many protected entries upsert skips before it evicts
// one anyway.
const evictTries = 8

func newTable[K comparable, V any](max int) *table[K, V] {
	t := &table[K, V]{max: max, m: make(map[K]*node[K, V])}
	t.root.prev, t.root.next = &t.root, &t.root
	return t
}

func (t *table[K, V]) len() int { return len(t.m) }

// get returns the value of k and marks it used.
func (t *table[K, V]) get(k K) (*V, bool) {
	n, ok := t.m[k]
	if !ok {
		return nil, false
	}
	t.front(n)
	return &n.val, true
}

// peek returns the value of k without marking it used.
func (t *table[K, V]) peek(k K) (*V, bool) {
	n, ok := t.m[k]
	if !ok {
		return nil, false
	}
	return &n.val, true
}

// upsert returns the value of k, marked used. A new key gets a zero value,
// except when the table is full: then it takes the node of the least recently
// used entry, whose old value the caller must reset (fresh is false only for
// a key that was already there). keep, if not nil, protects entries from
// eviction: up to evictTries protected entries are moved to the front before
// the least recently used one is evicted whatever it is.
func (t *table[K, V]) upsert(k K, keep func(*V) bool) (v *V, fresh bool) {
	if n, ok := t.m[k]; ok {
		t.front(n)
		return &n.val, false
	}
	var n *node[K, V]
	if len(t.m) >= t.max {
		for i := 0; keep != nil && i < evictTries && keep(&t.root.prev.val); i++ {
			t.front(t.root.prev)
		}
		n = t.root.prev
		t.unlink(n)
		delete(t.m, n.key)
	} else {
		n = new(node[K, V])
	}
	n.key = k
	t.m[k] = n
	t.link(n)
	return &n.val, true
}

// oldest returns the least recently used key.
func (t *table[K, V]) oldest() (K, bool) {
	if len(t.m) == 0 {
		var zero K
		return zero, false
	}
	return t.root.prev.key, true
}

func (t *table[K, V]) del(k K) bool {
	n, ok := t.m[k]
	if !ok {
		return false
	}
	t.unlink(n)
	delete(t.m, k)
	return true
}

// prune deletes the entries for which drop returns true, from the least
// recently used on. With ordered, it stops at the first entry it keeps: use
// it where the order of use is the order of expiry. It returns how many
// entries it deleted.
func (t *table[K, V]) prune(ordered bool, drop func(K, *V) bool) int {
	deleted := 0
	for n := t.root.prev; n != &t.root; {
		prev := n.prev
		if drop(n.key, &n.val) {
			t.unlink(n)
			delete(t.m, n.key)
			deleted++
		} else if ordered {
			break
		}
		n = prev
	}
	return deleted
}

// each calls fn for every entry, from the least recently used on.
func (t *table[K, V]) each(fn func(K, *V)) {
	for n := t.root.prev; n != &t.root; n = n.prev {
		fn(n.key, &n.val)
	}
}

func (t *table[K, V]) front(n *node[K, V]) {
	if t.root.next == n {
		return
	}
	t.unlink(n)
	t.link(n)
}

func (t *table[K, V]) link(n *node[K, V]) {
	n.prev, n.next = &t.root, t.root.next
	t.root.next.prev = n
	t.root.next = n
}

func (t *table[K, V]) unlink(n *node[K, V]) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}
