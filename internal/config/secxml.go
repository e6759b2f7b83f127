package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The accepted shape is documented in the package comment (config.go).

// secXML is what a security.xml says.
type secXML struct {
	file     string // display name
	keystore *xmlKeystore
	contexts []*xmlContext
}

// xmlValue is an attribute value or a list entry, with its line.
type xmlValue struct {
	s    string
	line int
}

type xmlBool struct {
	v    bool
	line int
}

type xmlKeystore struct {
	line                                    int
	file, storePassword, keyPassword, alias *xmlValue // nil when absent
}

type xmlContext struct {
	name    string
	line    int
	ok      bool // a known context, not seen before: to apply
	enabled *xmlBool
	ssl     *xmlBool
	realm   *xmlRealm
	ip      *xmlIP
}

type xmlRealm struct {
	line    int
	enabled *xmlBool
	users   *xmlUsers // nil when <RealmAuthUsers> is absent
}

type xmlUsers struct {
	line  int
	users []xmlUser
}

type xmlUser struct {
	line               int
	username, password xmlValue
}

type xmlIP struct {
	line         int
	enabled      *xmlBool
	white, black *xmlList // nil when absent
}

type xmlList struct {
	line    int
	entries []xmlValue
}

// xmlStart is a start element with its line and the raw bytes of its tag.
type xmlStart struct {
	xml.StartElement
	line int
	tag  []byte
}

// xmlText is character data with the line it starts on.
type xmlText struct {
	s    string
	line int
}

// xmlReader reads a security.xml token by token.
type xmlReader struct {
	d    *xml.Decoder
	data []byte
	file string
	errs Errors
	stop bool // end of input or a fatal error: no more tokens
	eof  bool // the input ended cleanly
}

// parseSecurityXML reads a security.xml; file is its display name. All
// errors found are returned, sorted by line.
func parseSecurityXML(data []byte, file string) (*secXML, Errors) {
	data = bytes.TrimPrefix(data, utf8BOM)
	r := &xmlReader{d: xml.NewDecoder(bytes.NewReader(data)), data: data, file: file}
	sx := &secXML{file: file}
	root := false
	for !r.stop {
		switch t := r.next().(type) {
		case *xmlStart:
			if root {
				r.errorf(t.line, "", "<%s> after the root element: a document has one root", t.Name.Local)
				r.skip()
				continue
			}
			root = true
			r.root(sx, t)
		case xmlText:
			r.noText(t, "")
		}
	}
	if r.eof && !root {
		line, _ := r.d.InputPos()
		r.errorf(line, "", "no root element")
	}
	if len(r.errs) > 0 {
		r.errs.sortByPos(file)
		return nil, r.errs
	}
	return sx, nil
}

// errorf records an error at line; who names the element ("" for none).
func (r *xmlReader) errorf(line int, who, format string, args ...any) {
	if who != "" {
		format = who + ": " + format
	}
	r.errs = append(r.errs, at(r.file, line, "", format, args...))
}

// next returns the next token that matters: *xmlStart, xml.EndElement or
// xmlText. It returns nil at the end of the input and after a fatal error
// (malformed XML, a DOCTYPE), which it records.
func (r *xmlReader) next() any {
	for !r.stop {
		line, _ := r.d.InputPos()
		off := r.d.InputOffset()
		tok, err := r.d.Token()
		if err != nil {
			r.stop = true
			var se *xml.SyntaxError
			switch {
			case errors.Is(err, io.EOF):
				r.eof = true
			case errors.As(err, &se):
				r.errorf(se.Line, "", "malformed XML: %s", se.Msg)
			default:
				r.errorf(line, "", "malformed XML: %s", strings.TrimPrefix(err.Error(), "xml: "))
			}
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			end := min(max(r.d.InputOffset(), off), int64(len(r.data)))
			return &xmlStart{StartElement: t.Copy(), line: line, tag: r.data[off:end]}
		case xml.EndElement:
			return t
		case xml.CharData:
			return xmlText{s: string(t), line: line}
		case xml.Directive:
			r.errorf(line, "", "<!%s …> is not allowed: security.xml takes no DTD and no entities", firstWord(t))
			r.stop = true
			return nil
		}
		// Comments and processing instructions (<?xml …?>) are fine.
	}
	return nil
}

// skip consumes the rest of the element just started.
func (r *xmlReader) skip() {
	for depth := 1; depth > 0 && !r.stop; {
		switch r.next().(type) {
		case *xmlStart:
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// noText reports t unless it is white space.
func (r *xmlReader) noText(t xmlText, who string) {
	s := strings.TrimSpace(t.s)
	if s == "" {
		return
	}
	line := t.line + strings.Count(t.s[:strings.Index(t.s, s)], "\n")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	r.errorf(line, who, "unexpected text %q", s)
}

// children reads the content of the element just started up to its end.
// handle reads a child element whole and reports whether it knows it; an
// unknown child is an error naming want, the known children.
func (r *xmlReader) children(who, want string, handle func(*xmlStart) bool) {
	for !r.stop {
		switch t := r.next().(type) {
		case *xmlStart:
			if handle != nil && handle(t) {
				continue
			}
			if want == "" {
				r.errorf(t.line, who, "unknown element <%s> (none is allowed here)", t.Name.Local)
			} else {
				r.errorf(t.line, who, "unknown element <%s> (want %s)", t.Name.Local, want)
			}
			r.skip()
		case xmlText:
			r.noText(t, who)
		case xml.EndElement:
			return
		}
	}
}

// once reports whether the element is the first of its name in its parent,
// and reports an error if not; seen maps lowercase names to lines.
func (r *xmlReader) once(seen map[string]int, el *xmlStart, who string) bool {
	key := strings.ToLower(el.Name.Local)
	if first, dup := seen[key]; dup {
		r.errorf(el.line, who, "<%s> given twice (first at line %d)", el.Name.Local, first)
		r.skip()
		return false
	}
	seen[key] = el.line
	return true
}

// attrs returns the attributes of el by lowercase name. Names not in known
// (lowercase) and repeated names are errors; xmlns declarations are ignored.
func (r *xmlReader) attrs(el *xmlStart, who string, known ...string) map[string]xmlValue {
	out := make(map[string]xmlValue)
	for _, a := range el.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		name := a.Name.Local
		if a.Name.Space != "" {
			name = a.Name.Space + ":" + name
		}
		line := el.attrLine(name)
		key := strings.ToLower(name)
		if !slices.Contains(known, key) {
			r.errorf(line, who, "unknown attribute %q", name)
			continue
		}
		if _, dup := out[key]; dup {
			r.errorf(line, who, "attribute %q given twice", name)
			continue
		}
		out[key] = xmlValue{s: a.Value, line: line}
	}
	return out
}

// boolAttr reads attribute name of attrs as true or false (any case); nil
// when it is absent or wrong (then an error is recorded).
func (r *xmlReader) boolAttr(attrs map[string]xmlValue, name, who string) *xmlBool {
	v, ok := attrs[name]
	if !ok {
		return nil
	}
	switch strings.ToLower(strings.TrimSpace(v.s)) {
	case "true":
		return &xmlBool{v: true, line: v.line}
	case "false":
		return &xmlBool{v: false, line: v.line}
	}
	r.errorf(v.line, who, "%s=%q is not true or false", name, v.s)
	return nil
}

// attrLine finds the line of attribute name in the tag, or the tag's line.
func (el *xmlStart) attrLine(name string) int {
	tag, quote := el.tag, byte(0)
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case isXMLSpace(tag[max(i-1, 0)]) && bytes.HasPrefix(tag[i:], []byte(name)):
			rest := bytes.TrimLeft(tag[i+len(name):], " \t\r\n")
			if len(rest) > 0 && rest[0] == '=' {
				return el.line + bytes.Count(tag[:i], []byte("\n"))
			}
		}
	}
	return el.line
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func firstWord(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, " \t\r\n[>"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 20 {
		s = s[:20]
	}
	return s
}

func quoteIf(s string) string {
	if s == "" {
		return ""
	}
	return " " + strconv.Quote(s)
}
