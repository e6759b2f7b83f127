package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestWalkerKnowsConfigTypes fails when a field of a type the walker does
// not check is added to Config.
func TestWalkerKnowsConfigTypes(t *testing.T) {
	var check func(t reflect.Type, path string)
	check = func(ty reflect.Type, path string) {
		switch k := ty.Kind(); {
		case ty == durationType || ty == stdDurationType:
		case k == reflect.Pointer, k == reflect.Slice, k == reflect.Array, k == reflect.Map:
			check(ty.Elem(), path+"[]")
		case k == reflect.Struct:
			for f := range ty.Fields() {
				if name, ok := yamlName(f); ok {
					check(f.Type, joinPath(path, name))
				}
			}
		case k == reflect.String, k == reflect.Bool, k == reflect.Float32, k == reflect.Float64, isIntKind(k):
		default:
			t.Errorf("%s: the walker does not check %s", path, ty)
		}
	}
	check(reflect.TypeFor[Config](), "")
}

// walkSample is not a part of Config: it covers the kinds the walker
// handles for fields Config may grow.
type walkSample struct {
	Port  uint16            `yaml:"port"`
	Level int8              `yaml:"level"`
	Ratio float64           `yaml:"ratio"`
	Tags  map[string]string `yaml:"tags"`
	Opt   *bool             `yaml:"opt"`
	Wait  time.Duration     `yaml:"wait"`
	Pair  [2]string         `yaml:"pair"`
	Any   any               `yaml:"any"`
}

func TestWalkerKinds(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // error texts, in order
	}{
		{"ok/all", "port: 8080\nlevel: -3\nratio: 1.5\ntags: {a: b, c: d}\nopt: true\nwait: 2s\npair: [x, y]\nany: [1, {x: y}]\n", nil},
		{"ok/int-as-float", "ratio: 2\n", nil},
		{"fail/uint16-range", "port: 70000\n", []string{`w.yaml:1: port: want an integer from 0 to 65535, got "70000"`}},
		{"fail/uint-negative", "port: -1\n", []string{`w.yaml:1: port: want an integer from 0 to 65535, got "-1"`}},
		{"fail/int8-range", "level: 200\n", []string{`w.yaml:1: level: want an integer from -128 to 127, got "200"`}},
		{"fail/float-string", "ratio: half\n", []string{`w.yaml:1: ratio: want a number, got "half"`}},
		{"fail/map-dup", "tags:\n  a: b\n  a: c\n", []string{`w.yaml:3: tags.a: duplicate key (first at line 2)`}},
		{"fail/map-value", "tags:\n  a: [b]\n", []string{`w.yaml:2: tags.a: want a string, got a list`}},
		{"fail/map-not", "tags: x\n", []string{`w.yaml:1: tags: want a mapping of keys, got "x"`}},
		{"fail/pointer-elem", "opt: maybe\n", []string{`w.yaml:1: opt: want true or false, got "maybe"`}},
		{"fail/std-duration", "wait: 5\n", []string{`w.yaml:1: wait: "5" has no unit: write a duration like "10s" or "2m"`}},
		{"fail/key-not-scalar", "? [a]\n: b\n", []string{`w.yaml:1: a key must be a plain name, got a list`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			w := &walker{cfg: &Config{}, file: "w.yaml", budget: 1000}
			w.value(doc.Content[0], reflect.TypeFor[walkSample](), "")
			var got []string
			for _, e := range w.errs {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(tt.want) == 0 {
				var v walkSample
				if err := doc.Decode(&v); err != nil {
					t.Errorf("walker accepted what yaml.v3 refuses: %v", err)
				}
			}
		})
	}
}
