package config

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FieldError is one problem in a configuration, located by field path and,
// when known, by the file and line the value came from.
type FieldError struct {
	// Path is the field path, like contexts.voicemail.ip_access.whitelist[2].
	// It is empty for problems that concern a whole file (malformed XML).
	Path string
	// Pos is "file:line", or "" when the value did not come from a file.
	Pos string
	// Msg says what is wrong.
	Msg string

	file string // file name of Pos, for sorting
	line int    // line of Pos, for sorting
	err  error  // wrapped cause, if any
}

// Error formats the error as "file:line: path: msg", leaving out the parts
// that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Pos != "" {
		b.WriteString(e.Pos)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the cause, if there is one.
func (e *FieldError) Unwrap() error { return e.err }

// Errors is every problem found in a configuration, one per line.
type Errors []*FieldError

// Error joins the errors with newlines.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// err returns es as an error, or nil when es is empty (never a typed nil).
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// sortByPos orders errors by file then line: the file named main first,
// other files by name, and errors without a position last. The sort is
// stable, so errors on one line keep the order they were found in.
func (es Errors) sortByPos(main string) {
	rank := func(e *FieldError) int {
		switch e.file {
		case "":
			return 2
		case main:
			return 0
		}
		return 1
	}
	slices.SortStableFunc(es, func(a, b *FieldError) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.file, b.file); c != 0 {
			return c
		}
		return cmp.Compare(a.line, b.line)
	})
}

// String formats p as "file:line", or "" when p is unknown.
func (p position) String() string {
	if p.file == "" {
		return ""
	}
	return p.file + ":" + strconv.Itoa(p.line)
}

// at returns a FieldError located at file:line.
func at(file string, line int, path, format string, args ...any) *FieldError {
	e := &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
	if file != "" && line > 0 {
		e.file, e.line = file, line
		e.Pos = position{file, line}.String()
	}
	return e
}

// Pos returns "file:line" for the field path, like
// "pbxgate.yaml:12" for contexts.voicemail.ip_access.whitelist[2], or ""
// when the field did not come from a file (a default value). File names are
// base names.
func (c *Config) Pos(path string) string {
	return c.lines[path].String()
}

// Errorf returns a FieldError for the field path, located where that field
// was read. Packages that check what this package does not (IP entries,
// password forms, trusted proxies) use it so that their errors carry the line
// too:
//
//	return cfg.Errorf("contexts.voicemail.ip_access.whitelist[2]", "%q is not an IP or CIDR", s)
//
// A field that was not in the file (a default, or a key left out) is located
// at its nearest parent that was: a missing listeners[0].keystore.store_password
// points at listeners[0].keystore.
func (c *Config) Errorf(path, format string, args ...any) *FieldError {
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := c.lines[p]; ok {
			return at(pos.file, pos.line, path, format, args...)
		}
	}
	return at("", 0, path, format, args...)
}

// parentPath strips the last ".key" or "[i]" of a field path.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// setPos records that the field path was read from file:line.
func (c *Config) setPos(path, file string, line int) {
	if c.lines == nil {
		c.lines = make(map[string]position)
	}
	c.lines[path] = position{file: file, line: line}
}

// dropPos forgets the positions of path and of every field below it
// (path.x, path[i]), for when a value is replaced whole.
func (c *Config) dropPos(path string) {
	for p := range c.lines {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			delete(c.lines, p)
		}
	}
}

// displayName is the name a file is given in positions: its base name, so
// that messages (and golden files) do not depend on where the file lies.
func displayName(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Base(path)
}

// Report gathers the errors found in c by validation and by the packages
// that compile it (IP lists, realm users, …) into one list: the first error
// of each field path is kept (validation and a compiler may both find a bad
// value) and the list is ordered by file and line.
func (c *Config) Report(es Errors) Errors {
	seen := map[string]bool{}
	out := make(Errors, 0, len(es))
	for _, e := range es {
		if e.Path != "" && seen[e.Path] {
			continue
		}
		seen[e.Path] = true
		out = append(out, e)
	}
	out.sortByPos(displayName(c.Source))
	return out
}
