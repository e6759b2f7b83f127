package ciscospa

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// section is one group of <router-configuration> (adapters only): an
// element holding a flat list of elements, or, with no name, elements
// written directly under <router-configuration>.
type section struct {
	name string
	kv   vendors.KV
}

// writeProfile writes kv as a <flat-profile>, one element per key, then the
// router sections if any.
func writeProfile(buf *bytes.Buffer, kv *vendors.KV, router []section) {
	buf.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<flat-profile>\n")
	kv.Write(buf, element("  "), "\n")
	if len(router) > 0 {
		buf.WriteString("  <router-configuration>\n")
		for _, s := range router {
			if s.name == "" {
				s.kv.Write(buf, element("    "), "\n")
				continue
			}
			buf.WriteString("    <" + s.name + ">\n")
			s.kv.Write(buf, element("      "), "\n")
			buf.WriteString("    </" + s.name + ">\n")
		}
		buf.WriteString("  </router-configuration>\n")
	}
	buf.WriteString("</flat-profile>\n")
}

// element returns a KV formatter that writes <key>value</key> indented.
func element(indent string) func(key, value string) string {
	return func(key, value string) string {
		return indent + "<" + key + ">" + vendors.EscapeXML(value) + "</" + key + ">"
	}
}

// checkRaw refuses raw keys that are not element names, in sorted order so
// that the error is deterministic.
func checkRaw(raw map[string]string) error {
	var bad []string
	for k := range raw {
		if !vendors.ValidXMLName(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return fmt.Errorf("ciscospa: raw key %q is not a profile element name", bad[0])
}

// errOption is returned for credentials the resync option syntax cannot
// carry.
var errOption = errors.New("ciscospa: provisioning credential holds a double quote or a control character")

// resyncOption formats s as an argument of a bracketed resync option: '$'
// is doubled (the options are macro expanded) and s is quoted unless it
// is made of characters that need no quoting.
func resyncOption(s string) (string, error) {
	plain := s != ""
	for _, c := range s {
		switch {
		case c == '"' || c < 0x20 || c == 0x7f:
			return "", errOption
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.ContainsRune("-_.@+:/", c):
		default:
			plain = false
		}
	}
	s = escapeMacro(s)
	if plain {
		return s, nil
	}
	return `"` + s + `"`, nil
}

// escapeMacro doubles '$' in a value the phone macro-expands ($$ expands
// to one $).
func escapeMacro(s string) string { return strings.ReplaceAll(s, "$", "$$") }

// deviceURL is the URL of the device file under base, with the $MA macro.
func deviceURL(base string) string {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return escapeMacro(base) + "$MA.xml"
}

// profileRule is the device file URL preceded by the device's own
// credentials as the --uid and --pwd resync options.
func profileRule(base, user, pass string) (string, error) {
	if user == "" && pass == "" {
		return deviceURL(base), nil
	}
	u, err := resyncOption(user)
	if err != nil {
		return "", err
	}
	p, err := resyncOption(pass)
	if err != nil {
		return "", err
	}
	return "[--uid " + u + " --pwd " + p + "]" + deviceURL(base), nil
}
