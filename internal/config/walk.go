package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// walker goes over a YAML node tree alongside the Go type it will be decoded
// into. It records the line of every field path and reports, all at once and
// by path, what yaml.v3 would report one by one with Go type names: unknown
// and duplicate keys, values of the wrong kind, booleans other than
// true/false, durations without a unit, empty list items.
type walker struct {
	cfg    *Config
	file   string
	errs   Errors
	budget int // nodes left to visit; aliases can make a tree huge
	depth  int // nesting of value calls; merge keys can recurse
}

// maxDepth bounds nesting: Config is 6 levels deep, merges add some.
const maxDepth = 64

var (
	durationType    = reflect.TypeFor[Duration]()
	stdDurationType = reflect.TypeFor[time.Duration]()
)

// errorf records an error at line of the walked file.
func (w *walker) errorf(line int, path, format string, args ...any) {
	w.errs = append(w.errs, at(w.file, line, path, format, args...))
}

// value checks the node n that will be decoded into a value of type t.
func (w *walker) value(n *yaml.Node, t reflect.Type, path string) {
	w.budget--
	w.depth++
	defer func() { w.depth-- }()
	switch {
	case w.budget == 0:
		w.errorf(n.Line, path, "document too large once its aliases are expanded")
	case w.depth == maxDepth:
		w.errorf(n.Line, path, "nested too deep (merge keys?)")
	}
	if w.budget <= 0 || w.depth >= maxDepth {
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		n = n.Alias
	}
	if isNull(n) {
		// yaml.v3 leaves structs and scalars as they were (the default)
		// and empties lists.
		return
	}
	switch k := t.Kind(); {
	case t == durationType || t == stdDurationType:
		if n.Kind != yaml.ScalarNode {
			w.errorf(n.Line, path, "want a duration like \"10s\", got %s", describeNode(n))
			return
		}
		if _, err := parseDuration(n.Value); err != nil {
			w.errorf(n.Line, path, "%v", err)
		}
	case k == reflect.Pointer:
		w.value(n, t.Elem(), path)
	case k == reflect.Struct:
		w.mapping(n, t, path)
	case k == reflect.Map:
		w.mapOf(n, t, path)
	case k == reflect.Slice || k == reflect.Array:
		w.sequence(n, t, path)
	case k == reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.errorf(n.Line, path, "want a string, got %s", describeNode(n))
		}
	case k == reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			w.errorf(n.Line, path, "want true or false, got %s", describeNode(n))
		}
	case isIntKind(k):
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(reflect.New(t).Interface()) != nil {
			w.errorf(n.Line, path, "want an integer%s, got %s", intRange(t), describeNode(n))
		}
	case k == reflect.Float32 || k == reflect.Float64:
		if tag := n.ShortTag(); n.Kind != yaml.ScalarNode || tag != "!!int" && tag != "!!float" {
			w.errorf(n.Line, path, "want a number, got %s", describeNode(n))
		}
	default:
		// Interfaces and other kinds are left to yaml.v3 (Config has
		// none; TestWalkerKnowsConfigTypes keeps it so).
	}
}

// sequence checks a list decoded into the slice or array type t.
func (w *walker) sequence(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.SequenceNode {
		w.errorf(n.Line, path, "want a list, got %s", describeNode(n))
		return
	}
	for i, item := range n.Content {
		p := path + "[" + strconv.Itoa(i) + "]"
		w.cfg.setPos(p, w.file, item.Line)
		if isNull(item) || (item.Kind == yaml.AliasNode && item.Alias != nil && isNull(item.Alias)) {
			// yaml.v3 would drop the item silently and shift the ones
			// after it.
			w.errorf(item.Line, p, "empty list item")
			continue
		}
		w.value(item, t.Elem(), p)
	}
}

// mapOf checks a mapping decoded into the map type t: any key, values of
// the element type.
func (w *walker) mapOf(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.errorf(n.Line, path, "want a mapping of keys, got %s", describeNode(n))
		return
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			w.errorf(k.Line, path, "a key must be a plain name, got %s", describeNode(k))
			continue
		}
		p := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			w.errorf(k.Line, p, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		w.cfg.setPos(p, w.file, k.Line)
		w.value(v, t.Elem(), p)
	}
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// intRange says the range of small integer types, for messages.
func intRange(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return fmt.Sprintf(" from 0 to %d", uint64(1)<<t.Bits()-1)
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return fmt.Sprintf(" from %d to %d", -(int64(1) << (t.Bits() - 1)), int64(1)<<(t.Bits()-1)-1)
	case reflect.Uint, reflect.Uint64:
		return " from 0"
	}
	return ""
}

// mapping checks a mapping node decoded into the struct type t.
func (w *walker) mapping(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.errorf(n.Line, path, "want a mapping of keys, got %s", describeNode(n))
		return
	}
	fields := yamlFields(t)
	// Merged mappings (<<: *anchor) first: keys written here override them.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			w.merge(n.Content[i+1], t, path)
		}
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			w.errorf(k.Line, path, "a key must be a plain name, got %s", describeNode(k))
			continue
		}
		p := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			w.errorf(k.Line, p, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		ft, ok := fields[k.Value]
		if !ok {
			w.errorf(k.Line, p, "unknown key (known here: %s)", strings.Join(fieldNames(t), ", "))
			continue
		}
		w.cfg.setPos(p, w.file, k.Line)
		w.value(v, ft, p)
	}
}

// merge checks the value of a "<<" key: a mapping or a list of mappings.
func (w *walker) merge(v *yaml.Node, t reflect.Type, path string) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind == yaml.SequenceNode {
		for _, m := range v.Content {
			w.value(m, t, path)
		}
		return
	}
	w.value(v, t, path)
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describeNode names what a node holds, for messages.
func describeNode(n *yaml.Node) string {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

// yamlFields maps the YAML keys of struct type t to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type)
	for f := range t.Fields() {
		if name, ok := yamlName(f); ok {
			m[name] = f.Type
		}
	}
	return m
}

// fieldNames lists the YAML keys of struct type t in declaration order.
func fieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if name, ok := yamlName(f); ok {
			names = append(names, name)
		}
	}
	return slices.Clip(names)
}

// yamlName is the key yaml.v3 uses for field f, false when it has none.
func yamlName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("yaml")
	if tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, true
}
