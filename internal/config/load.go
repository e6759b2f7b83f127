package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the configuration file at path.
//
// A file whose first non-blank byte is '<' is an iSymphony security.xml: the
// result is [Default] with the XML applied. Anything else is YAML decoded on
// top of [Default]; an empty file gives the defaults. When the YAML sets
// security_xml, that file is read too (relative to the YAML file's
// directory) and applied over the YAML.
//
// Load does not validate: call [Config.Validate]. Problems in the files are
// returned as [Errors], each with its file and line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	if c.SecurityXML == "" {
		return c, nil
	}
	xmlPath := c.SecurityXML
	if !filepath.IsAbs(xmlPath) {
		xmlPath = filepath.Join(filepath.Dir(path), xmlPath)
	}
	xdata, err := os.ReadFile(xmlPath)
	if err != nil {
		// Say the path as written, not the resolved one: the message is
		// the same wherever the files lie.
		cause := err
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			cause = pe.Err
		}
		e := c.Errorf("security_xml", "read %q: %v", c.SecurityXML, cause)
		e.err = err
		return nil, Errors{e}
	}
	sx, errs := parseSecurityXML(xdata, displayName(xmlPath))
	if len(errs) > 0 {
		return nil, errs
	}
	c.applySecurityXML(sx, filepath.Dir(xmlPath))
	c.xmlFile = xmlPath
	return c, nil
}

// Files returns the files c was read from: the file given to [Load] and the
// security.xml it names, if any. They are the files to watch for changes.
func (c *Config) Files() []string {
	var files []string
	if c.Source != "" {
		files = append(files, c.Source)
	}
	if c.xmlFile != "" {
		files = append(files, c.xmlFile)
	}
	return files
}

// Parse reads a configuration from data, as [Load] reads a file named name
// (YAML, or security.xml when the first non-blank byte is '<'), but without
// touching the file system: a security_xml key is kept, not read. A
// security.xml's SSLKeystore file name is taken relative to the directory of
// name.
func Parse(data []byte, name string) (*Config, error) {
	c := Default()
	c.Source = name
	if isXML(data) {
		sx, errs := parseSecurityXML(data, displayName(name))
		if len(errs) > 0 {
			return nil, errs
		}
		c.applySecurityXML(sx, filepath.Dir(name))
		return c, nil
	}
	if err := c.decodeYAML(data, displayName(name)); err != nil {
		return nil, err
	}
	return c, nil
}

// isXML reports whether the first non-blank byte of data (after a UTF-8
// byte order mark) is '<'.
func isXML(data []byte) bool {
	data = bytes.TrimPrefix(data, utf8BOM)
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeYAML decodes data over c.
//
// How yaml.v3 decodes onto a struct that already holds values (checked in
// TestDefaultsSurvive): a key that is absent leaves the field alone, so
// defaults survive at every depth; a mapping is merged key by key into the
// struct it decodes into; a list replaces the list it decodes into whole,
// and its items start from zero values, not from the default items; a key
// with no value (null) leaves a struct or scalar alone and empties a list.
//
// The node tree is walked first (see walker) to record the line of every
// field and to report all problems at once by path; the decode itself then
// runs with KnownFields(true), a second guard against unknown keys.
func (c *Config) decodeYAML(data []byte, file string) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil // an empty file: the defaults
	case err != nil:
		return yamlErrors(err, file)
	}
	for {
		// More documents are refused unless empty (a stray "---").
		var extra yaml.Node
		err := dec.Decode(&extra)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return yamlErrors(err, file)
		}
		if len(extra.Content) > 0 && !isNull(extra.Content[0]) {
			return Errors{at(file, extra.Line, "", "more than one YAML document in the file")}
		}
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil
	}
	root := doc.Content[0]
	w := &walker{cfg: c, file: file, budget: 2*len(data) + 1000}
	w.value(root, reflect.TypeFor[Config](), "")
	if len(w.errs) > 0 {
		w.errs.sortByPos(file)
		return w.errs
	}
	dec = yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return yamlErrors(err, file)
	}
	return nil
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser, as opposed to
// its scanner (checked by the yaml-syntax goldens).
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlErrors turns an error of yaml.v3 into located Errors.
func yamlErrors(err error, file string) Errors {
	var msgs []string
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var errs Errors
	for _, m := range msgs {
		line := 0
		if sub := yamlLineRE.FindStringSubmatch(m); sub != nil {
			line, _ = strconv.Atoi(sub[1])
			m = sub[2]
			if yamlParserProblems[m] {
				// yaml.v3 reports the parser's marks 0-based (its
				// scanner's 1-based): the line where the enclosing
				// block or flow collection starts.
				line++
			}
		}
		m = strings.TrimPrefix(m, "yaml: ")
		e := at(file, line, "", "invalid YAML: %s", m)
		if e.Pos == "" {
			e.Pos = file
			e.file = file
		}
		errs = append(errs, e)
	}
	return errs
}
