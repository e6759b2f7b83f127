package config

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden .err files of TestBadConfigs")

// badConfigs lists testdata/*.bad.yaml and *.bad.xml.
func badConfigs(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"testdata/*.bad.yaml", "testdata/*.bad.xml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	if len(files) == 0 {
		t.Fatal("no bad configs in testdata")
	}
	return files
}

// TestBadConfigs loads every testdata/*.bad.{yaml,xml}, validates it when it
// loads, and compares the error with the golden file next to it (name +
// ".err"). Run with -update to rewrite the goldens after checking them.
func TestBadConfigs(t *testing.T) {
	for _, file := range badConfigs(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(file)
			if err == nil {
				err = c.Validate()
			}
			if err == nil {
				t.Fatalf("%s: no error", file)
			}
			got := err.Error() + "\n"
			golden := file + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatalf("read golden (run with -update to create it): %v", rerr)
			}
			if got != string(want) {
				t.Errorf("%s:\ngot:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

// TestGoldensHaveConfigs keeps testdata tidy: every .err has its config.
func TestGoldensHaveConfigs(t *testing.T) {
	errs, err := filepath.Glob("testdata/*.err")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		if _, err := os.Stat(strings.TrimSuffix(e, ".err")); err != nil {
			t.Errorf("%s has no config file", e)
		}
	}
}

// TestGoodConfigs loads and validates every testdata/*.good.{yaml,xml}.
func TestGoodConfigs(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/*.good.yaml", "testdata/*.good.xml"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no good configs in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(file)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("validate: %v", err)
			}
			if c.Source != file {
				t.Errorf("Source = %q, want %q", c.Source, file)
			}
		})
	}
}
