package config

import (
	"encoding/xml"
	"strings"
	"unicode"
	"unicode/utf8"
)

// root reads the root element: SSLKeystore and SecurityContext children.
func (r *xmlReader) root(sx *secXML, el *xmlStart) {
	// The root's own attributes (xmlns, schema locations) say nothing
	// about security and are not checked.
	r.children("", "SSLKeystore or SecurityContext", func(c *xmlStart) bool {
		switch strings.ToLower(c.Name.Local) {
		case "sslkeystore":
			r.keystore(sx, c)
		case "securitycontext":
			r.context(sx, c)
		default:
			return false
		}
		return true
	})
}

func (r *xmlReader) keystore(sx *secXML, el *xmlStart) {
	const who = "SSLKeystore"
	a := r.attrs(el, who, "filename", "keystorepassword", "keypassword", "certalias")
	r.children(who, "", nil)
	if sx.keystore != nil {
		r.errorf(el.line, who, "given twice (first at line %d)", sx.keystore.line)
		return
	}
	ks := &xmlKeystore{line: el.line}
	ptr := func(name string) *xmlValue {
		if v, ok := a[name]; ok {
			return &v
		}
		return nil
	}
	ks.file, ks.storePassword = ptr("filename"), ptr("keystorepassword")
	ks.keyPassword, ks.alias = ptr("keypassword"), ptr("certalias")
	sx.keystore = ks
}

func (r *xmlReader) context(sx *secXML, el *xmlStart) {
	name := ""
	for _, a := range el.Attr {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, "name") {
			name = a.Value
			break
		}
	}
	who := "SecurityContext" + quoteIf(name)
	a := r.attrs(el, who, "name", "enabled")
	x := &xmlContext{name: name, line: el.line}
	switch {
	case strings.TrimSpace(name) == "":
		r.errorf(el.line, who, "missing attribute name")
	case (&Contexts{}).ByName(name) == nil:
		r.errorf(a["name"].line, who, "unknown context (want one of %s)", strings.Join(ContextNames, ", "))
	default:
		x.ok = true
		for _, prev := range sx.contexts {
			if prev.ok && prev.name == name {
				r.errorf(el.line, who, "context given twice (first at line %d)", prev.line)
				x.ok = false
			}
		}
	}
	x.enabled = r.boolAttr(a, "enabled", who)
	seen := make(map[string]int)
	r.children(who, "SSL, RealmAuth or IPAccess", func(c *xmlStart) bool {
		switch strings.ToLower(c.Name.Local) {
		case "ssl":
			if r.once(seen, c, who) {
				w := who + ": SSL"
				x.ssl = r.boolAttr(r.attrs(c, w, "enabled"), "enabled", w)
				r.children(w, "", nil)
			}
		case "realmauth":
			if r.once(seen, c, who) {
				x.realm = r.realmAuth(c, who+": RealmAuth")
			}
		case "ipaccess":
			if r.once(seen, c, who) {
				x.ip = r.ipAccess(c, who+": IPAccess")
			}
		default:
			return false
		}
		return true
	})
	sx.contexts = append(sx.contexts, x)
}

func (r *xmlReader) realmAuth(el *xmlStart, who string) *xmlRealm {
	ra := &xmlRealm{line: el.line}
	ra.enabled = r.boolAttr(r.attrs(el, who, "enabled"), "enabled", who)
	seen := make(map[string]int)
	r.children(who, "RealmAuthUsers", func(c *xmlStart) bool {
		if !strings.EqualFold(c.Name.Local, "RealmAuthUsers") {
			return false
		}
		if r.once(seen, c, who) {
			ra.users = r.realmUsers(c, who)
		}
		return true
	})
	return ra
}

func (r *xmlReader) realmUsers(el *xmlStart, who string) *xmlUsers {
	us := &xmlUsers{line: el.line}
	r.attrs(el, who+": RealmAuthUsers")
	r.children(who+": RealmAuthUsers", "RealmAuthUser", func(c *xmlStart) bool {
		if !strings.EqualFold(c.Name.Local, "RealmAuthUser") {
			return false
		}
		if u, ok := r.realmUser(c, who); ok {
			us.users = append(us.users, u)
		}
		return true
	})
	return us
}

func (r *xmlReader) realmUser(el *xmlStart, ctxWho string) (xmlUser, bool) {
	name := ""
	for _, a := range el.Attr {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, "username") {
			name = a.Value
			break
		}
	}
	who := ctxWho + ": RealmAuthUser" + quoteIf(name)
	a := r.attrs(el, who, "username", "password")
	r.children(who, "", nil)
	u, ok := xmlUser{line: el.line, username: a["username"], password: a["password"]}, true
	if _, has := a["username"]; !has || name == "" {
		r.errorf(el.line, who, "missing attribute username")
		ok = false
	}
	if _, has := a["password"]; !has {
		r.errorf(el.line, who, "missing attribute password")
		ok = false
	}
	return u, ok
}

func (r *xmlReader) ipAccess(el *xmlStart, who string) *xmlIP {
	ip := &xmlIP{line: el.line}
	ip.enabled = r.boolAttr(r.attrs(el, who, "enabled"), "enabled", who)
	seen := make(map[string]int)
	r.children(who, "WhiteList or BlackList", func(c *xmlStart) bool {
		switch strings.ToLower(c.Name.Local) {
		case "whitelist":
			if r.once(seen, c, who) {
				ip.white = r.list(c, who+": WhiteList")
			}
		case "blacklist":
			if r.once(seen, c, who) {
				ip.black = r.list(c, who+": BlackList")
			}
		default:
			return false
		}
		return true
	})
	return ip
}

// list reads a WhiteList or BlackList: text, and entry elements of any name.
func (r *xmlReader) list(el *xmlStart, who string) *xmlList {
	l := &xmlList{line: el.line}
	r.attrs(el, who)
	for !r.stop {
		switch t := r.next().(type) {
		case xmlText:
			l.entries = append(l.entries, splitEntries(t.s, t.line)...)
		case *xmlStart:
			l.entries = append(l.entries, r.entry(t, who)...)
		case xml.EndElement:
			return l
		}
	}
	return l
}

// entry reads one list entry element: an address in its text or in one of
// the attributes ip, address, value, cidr, entry.
func (r *xmlReader) entry(el *xmlStart, listWho string) []xmlValue {
	who := listWho + ": <" + el.Name.Local + ">"
	a := r.attrs(el, who, "ip", "address", "value", "cidr", "entry", "name", "description", "comment")
	var fromAttr []xmlValue
	var attrName string
	for _, n := range []string{"ip", "address", "value", "cidr", "entry"} {
		v, ok := a[n]
		if !ok {
			continue
		}
		if attrName != "" {
			r.errorf(v.line, who, "both %s and %s are given: one address per entry", attrName, n)
			continue
		}
		attrName, fromAttr = n, splitEntries(v.s, v.line)
	}
	var fromText []xmlValue
	for done := false; !done && !r.stop; {
		switch t := r.next().(type) {
		case xmlText:
			fromText = append(fromText, splitEntries(t.s, t.line)...)
		case *xmlStart:
			r.errorf(t.line, who, "unexpected element <%s> inside a list entry", t.Name.Local)
			r.skip()
		case xml.EndElement:
			done = true
		}
	}
	if attrName != "" && len(fromText) > 0 {
		r.errorf(el.line, who, "address given both as attribute %s and as text", attrName)
		return nil
	}
	return append(fromAttr, fromText...)
}

// splitEntries splits list text at commas, semicolons and white space; line
// is the line the text starts on.
func splitEntries(s string, line int) []xmlValue {
	var out []xmlValue
	start := -1
	for i := 0; i <= len(s); {
		r, size := utf8.RuneError, 1
		if i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		sep := i == len(s) || r == ',' || r == ';' || unicode.IsSpace(r)
		switch {
		case sep && start >= 0:
			out = append(out, xmlValue{s: s[start:i], line: line})
			start = -1
		case !sep && start < 0:
			start = i
		}
		if r == '\n' {
			line++
		}
		i += size
	}
	return out
}
