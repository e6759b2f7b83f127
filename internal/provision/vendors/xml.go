package vendors

import (
	"bytes"
	"encoding/xml"
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
