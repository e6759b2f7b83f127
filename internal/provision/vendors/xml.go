package vendors

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// EscapeXML returns s escaped for use in XML text and attribute values.
func EscapeXML(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Content types of the rendered files.
const (
	TypeText = "text/plain; charset=utf-8"
	TypeXML  = "application/xml"
)

// ValidXMLName tells whether s can be written as an element or attribute
// name: the ASCII subset the phones' parameter names use (a letter or '_',
// then letters, digits, '_', '-', '.'), not starting with "xml", which XML
// reserves. Raw keys that are not are refused.
func ValidXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return !strings.HasPrefix(strings.ToLower(s), "xml")
}
