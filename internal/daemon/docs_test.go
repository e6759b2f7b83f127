package daemon

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pbxgate/pbxgate/internal/config"
)

// TestDocSnippets loads every YAML snippet of the README and of docs/ as a
// configuration and builds it, so that an example cannot rot. File server
// roots, which name directories of a production machine, are replaced by
// empty temporary directories.
func TestDocSnippets(t *testing.T) {
	files := []string{"../../README.md"}
	top, _ := filepath.Glob("../../docs/*.md")
	more, _ := filepath.Glob("../../docs/*/*.md")
	files = append(append(files, top...), more...)
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```")
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllSubmatch(b, -1) {
			n++
			name := filepath.Base(f) + "#" + string(rune('0'+i))
			t.Run(name, func(t *testing.T) {
				cfg, err := config.Parse(m[1], name)
				if err != nil {
					t.Fatalf("snippet does not parse: %v\n%s", err, m[1])
				}
				if err := cfg.Validate(); err != nil {
					t.Fatalf("snippet does not validate: %v\n%s", err, m[1])
				}
				for _, c := range config.ContextNames {
					if ctx := cfg.Contexts.ByName(c); ctx.Root != "" {
						ctx.Root = t.TempDir()
					}
				}
				d := &Daemon{checkOnly: true, log: discard(), now: nowFunc(), adminPW: "pw"}
				b, err := d.build(cfg)
				if err != nil {
					t.Fatalf("snippet does not build: %v\n%s", err, m[1])
				}
				b.snap.Retire()
			})
		}
	}
	if n == 0 {
		t.Fatal("no yaml snippet found in the docs")
	}
}
