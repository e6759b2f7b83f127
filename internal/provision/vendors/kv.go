package vendors

import (
	"bytes"
	"slices"
	"strconv"
)

// KV builds a text file of key/value lines ("key = value", "key: value",
// KEY="value") in which every key appears once: setting a key again replaces
// its value in place, so raw overrides land where the key was.
type KV struct {
	keys   []string
	values map[string]string
}

// Set sets key to value.
func (kv *KV) Set(key, value string) {
	if kv.values == nil {
		kv.values = make(map[string]string)
	}
	if _, ok := kv.values[key]; !ok {
		kv.keys = append(kv.keys, key)
	}
	kv.values[key] = value
}

// SetInt sets key to the decimal n.
func (kv *KV) SetInt(key string, n int) { kv.Set(key, strconv.Itoa(n)) }

// SetBool sets key to on or off depending on b.
func (kv *KV) SetBool(key string, b bool, on, off string) {
	if b {
		kv.Set(key, on)
	} else {
		kv.Set(key, off)
	}
}

// SetRaw applies raw vendor keys in sorted order (deterministic output).
func (kv *KV) SetRaw(raw map[string]string) {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kv.Set(k, raw[k])
	}
}

// Len returns the number of keys.
func (kv *KV) Len() int { return len(kv.keys) }

// Value returns the value of key.
func (kv *KV) Value(key string) (string, bool) {
	v, ok := kv.values[key]
	return v, ok
}

// Write appends each key in insertion order as format(key, value) followed by
// newline.
func (kv *KV) Write(buf *bytes.Buffer, format func(key, value string) string, newline string) {
	for _, k := range kv.keys {
		buf.WriteString(format(k, kv.values[k]))
		buf.WriteString(newline)
	}
}
