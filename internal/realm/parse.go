package realm

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxHeaderLen bounds the Authorization header values that are parsed.
const MaxHeaderLen = 4096

// Credentials are the directives of a Digest Authorization header (RFC 7616
// §3.4), unquoted and unescaped, as the client sent them.
type Credentials struct {
	// Username comes from username, or from username* (RFC 8187,
	// UTF-8 only) decoded.
	Username string
	Realm    string
	Nonce    string
	URI      string
	// Response is the hex digest the client computed.
	Response string
	// Algorithm is "" when the client sent none (which means MD5).
	Algorithm string
	CNonce    string
	Opaque    string
	QOP       string
	// NC is the nonce count as sent: 8 hex digits.
	NC string
	// Userhash is userhash=true.
	Userhash bool
}

// ParseDigest parses the part of a Digest Authorization header after
// "Digest ". Directive names are case-insensitive; values are tokens or
// quoted strings with backslash escapes. A directive that appears twice,
// a missing username, realm, nonce, uri or response, and input longer than
// [MaxHeaderLen] are errors; unknown directives are ignored.
func ParseDigest(header string) (Credentials, error) {
	var c Credentials
	if len(header) > MaxHeaderLen {
		return c, fmt.Errorf("digest header: longer than %d bytes", MaxHeaderLen)
	}
	seen := map[string]bool{}
	p := parser{s: header}
	for {
		p.skipListSeparators()
		if p.done() {
			break
		}
		name, value, err := p.directive()
		if err != nil {
			return Credentials{}, fmt.Errorf("digest header: %w", err)
		}
		key := name
		if key == "username*" {
			key = "username"
		}
		if seen[key] {
			return Credentials{}, fmt.Errorf("digest header: directive %q appears twice", key)
		}
		seen[key] = true
		if err := c.set(name, value); err != nil {
			return Credentials{}, fmt.Errorf("digest header: %w", err)
		}
		p.skipSpace()
		if !p.done() && p.s[p.i] != ',' {
			return Credentials{}, fmt.Errorf("digest header: want ',' after directive %q at offset %d", name, p.i)
		}
	}
	for _, name := range []string{"username", "realm", "nonce", "uri", "response"} {
		if !seen[name] {
			return Credentials{}, fmt.Errorf("digest header: directive %q is missing", name)
		}
	}
	return c, nil
}

// set stores one directive.
func (c *Credentials) set(name, value string) error {
	switch name {
	case "username":
		if err := checkClaimedUsername(value); err != nil {
			return err
		}
		c.Username = value
	case "username*":
		u, err := decodeExtValue(value)
		if err != nil {
			return fmt.Errorf("username*: %w", err)
		}
		if err := checkClaimedUsername(u); err != nil {
			return err
		}
		c.Username = u
	case "realm":
		c.Realm = value
	case "nonce":
		c.Nonce = value
	case "uri":
		c.URI = value
	case "response":
		c.Response = value
	case "algorithm":
		c.Algorithm = value
	case "cnonce":
		c.CNonce = value
	case "opaque":
		c.Opaque = value
	case "qop":
		c.QOP = value
	case "nc":
		c.NC = value
	case "userhash":
		switch strings.ToLower(value) {
		case "true":
			c.Userhash = true
		case "false":
			c.Userhash = false
		default:
			return fmt.Errorf("userhash=%q is neither true nor false", value)
		}
	}
	return nil
}

// checkClaimedUsername refuses usernames that would garble logs.
func checkClaimedUsername(u string) error {
	if !utf8.ValidString(u) {
		return errors.New("username is not valid UTF-8")
	}
	if strings.ContainsFunc(u, unicode.IsControl) {
		return errors.New("username contains a control character")
	}
	return nil
}

// parser walks a header value.
type parser struct {
	s string
	i int
}

func (p *parser) done() bool { return p.i >= len(p.s) }

func (p *parser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// skipListSeparators skips whitespace and commas: the #rule allows empty
// list elements.
func (p *parser) skipListSeparators() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == ',') {
		p.i++
	}
}

// token reads one token, possibly empty.
func (p *parser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// directive reads name BWS "=" BWS (token / quoted-string). The name is
// returned in lower case.
func (p *parser) directive() (name, value string, err error) {
	name = strings.ToLower(p.token())
	if name == "" {
		return "", "", fmt.Errorf("want a directive name at offset %d", p.i)
	}
	p.skipSpace()
	if p.done() || p.s[p.i] != '=' {
		return "", "", fmt.Errorf("want '=' after %q", name)
	}
	p.i++
	p.skipSpace()
	if !p.done() && p.s[p.i] == '"' {
		value, err = p.quoted()
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", name, err)
		}
		return name, value, nil
	}
	value = p.token()
	if value == "" {
		return "", "", fmt.Errorf("want a value for %q at offset %d", name, p.i)
	}
	return name, value, nil
}

// quoted reads a quoted-string (RFC 9110 §5.6.4) starting at the opening
// quote and returns it unescaped.
func (p *parser) quoted() (string, error) {
	p.i++ // opening quote
	start := p.i
	var b *strings.Builder // only when there are escapes
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			if b == nil {
				return p.s[start : p.i-1], nil
			}
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) || !isQuotedPairChar(p.s[p.i+1]) {
				return "", errors.New("bad escape in quoted string")
			}
			if b == nil {
				b = &strings.Builder{}
				b.WriteString(p.s[start:p.i])
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case isQdtext(c):
			if b != nil {
				b.WriteByte(c)
			}
			p.i++
		default:
			return "", fmt.Errorf("byte %#02x not allowed in quoted string", c)
		}
	}
	return "", errors.New("unterminated quoted string")
}

// isTokenChar reports whether c is a tchar (RFC 9110 §5.6.2).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isQdtext reports whether c may appear unescaped in a quoted string.
func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80
}

// isQuotedPairChar reports whether c may follow a backslash.
func isQuotedPairChar(c byte) bool {
	return c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80
}

// decodeExtValue decodes an RFC 8187 ext-value: charset'language'pct-encoded.
// Only the UTF-8 charset is accepted.
func decodeExtValue(v string) (string, error) {
	charset, rest, ok1 := strings.Cut(v, "'")
	_, enc, ok2 := strings.Cut(rest, "'")
	if !ok1 || !ok2 {
		return "", errors.New("want charset'language'value")
	}
	if !strings.EqualFold(charset, "UTF-8") {
		return "", fmt.Errorf("charset %q is not supported, only UTF-8", charset)
	}
	out := make([]byte, 0, len(enc))
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if c == '%' {
			if i+2 >= len(enc) || unhex(enc[i+1]) < 0 || unhex(enc[i+2]) < 0 {
				return "", errors.New("bad percent-encoding")
			}
			out = append(out, byte(unhex(enc[i+1])<<4|unhex(enc[i+2])))
			i += 2
			continue
		}
		if !isAttrChar(c) {
			return "", fmt.Errorf("byte %#02x not allowed in value", c)
		}
		out = append(out, c)
	}
	return string(out), nil
}

// isAttrChar reports whether c is an RFC 8187 attr-char.
func isAttrChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
