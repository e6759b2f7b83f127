package realm

import (
	"strings"
	"testing"
)

// required is the smallest valid header, to which cases add.
const required = `username="u", realm="r", nonce="n", uri="/", response="abc"`

func TestParseDigest(t *testing.T) {
	base := Credentials{Username: "u", Realm: "r", Nonce: "n", URI: "/", Response: "abc"}
	with := func(f func(c *Credentials)) Credentials {
		c := base
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		in      string
		want    Credentials
		wantErr string
	}{
		{name: "ok/required-only", in: required, want: base},
		{
			name: "ok/curl",
			in:   `username="alice", realm="pbxgate", nonce="abc", uri="/api/x?y=1", cnonce="ZTg5", nc=00000001, algorithm=SHA-256, response="0123", qop=auth, opaque="op"`,
			want: Credentials{Username: "alice", Realm: "pbxgate", Nonce: "abc", URI: "/api/x?y=1", CNonce: "ZTg5", NC: "00000001", Algorithm: "SHA-256", Response: "0123", QOP: "auth", Opaque: "op"},
		},
		{name: "ok/spaces-around-equals", in: `username = "u" ,realm= "r",nonce ="n" , uri	=	"/", response="abc"`, want: base},
		{name: "ok/comma-in-quotes", in: `username="a, b", realm="r", nonce="n", uri="/x,y", response="abc"`, want: with(func(c *Credentials) { c.Username, c.URI = "a, b", "/x,y" })},
		{name: "ok/escapes", in: `username="a\"b\\c\d", realm="r", nonce="n", uri="/", response="abc"`, want: with(func(c *Credentials) { c.Username = `a"b\cd` })},
		{name: "ok/empty-quoted", in: `username="", realm="", nonce="n", uri="/", response="abc"`, want: with(func(c *Credentials) { c.Username, c.Realm = "", "" })},
		{name: "ok/token-values", in: `username=u, realm=r, nonce=n, uri="/", response=abc`, want: base},
		{name: "ok/case-insensitive-names", in: `USERNAME="u", Realm="r", NONCE="n", Uri="/", RESPONSE="abc", QOP=auth`, want: with(func(c *Credentials) { c.QOP = "auth" })},
		{name: "ok/empty-list-elements", in: ` , ,` + required + `,,, `, want: base},
		{name: "ok/unknown-directive-ignored", in: required + `, foo="bar, baz", x=y`, want: base},
		{name: "ok/username-star", in: `username*=UTF-8''J%C3%A4ger, realm="r", nonce="n", uri="/", response="abc"`, want: with(func(c *Credentials) { c.Username = "Jäger" })},
		{name: "ok/username-star-lower-charset-language", in: `username*=utf-8'de'J%c3%a4ger, realm="r", nonce="n", uri="/", response="abc"`, want: with(func(c *Credentials) { c.Username = "Jäger" })},
		{name: "ok/raw-utf8", in: `username="Jäger", realm="r", nonce="n", uri="/", response="abc"`, want: with(func(c *Credentials) { c.Username = "Jäger" })},
		{name: "ok/userhash-false", in: required + `, userhash=FALSE`, want: base},
		{name: "ok/userhash-true", in: required + `, userhash="true"`, want: with(func(c *Credentials) { c.Userhash = true })},
		{name: "ok/tab-in-quoted", in: `username="u", realm="r", nonce="n", uri="/", response="abc", opaque="a	b"`, want: with(func(c *Credentials) { c.Opaque = "a\tb" })},

		{name: "fail/empty", in: "", wantErr: `directive "username" is missing`},
		{name: "fail/missing-nonce", in: `username="u", realm="r", uri="/", response="abc"`, wantErr: `directive "nonce" is missing`},
		{name: "fail/missing-response", in: `username="u", realm="r", nonce="n", uri="/"`, wantErr: `directive "response" is missing`},
		{name: "fail/duplicate", in: required + `, nonce="m"`, wantErr: `directive "nonce" appears twice`},
		{name: "fail/duplicate-case-insensitive", in: required + `, NONCE="n"`, wantErr: `directive "nonce" appears twice`},
		{name: "fail/duplicate-unknown", in: required + `, x=1, X=2`, wantErr: `directive "x" appears twice`},
		{name: "fail/username-and-username-star", in: required + `, username*=UTF-8''u`, wantErr: `directive "username" appears twice`},
		{name: "fail/unterminated", in: `username="u, realm="r"`, wantErr: "want ',' after directive"},
		{name: "fail/unterminated-at-end", in: required + `, opaque="abc`, wantErr: "unterminated quoted string"},
		{name: "fail/backslash-at-end", in: required + `, opaque="abc\`, wantErr: "bad escape"},
		{name: "fail/no-equals", in: required + `, opaque`, wantErr: `want '=' after "opaque"`},
		{name: "fail/no-comma", in: `username="u" realm="r"`, wantErr: "want ',' after directive"},
		{name: "fail/empty-value", in: required + `, qop=`, wantErr: `want a value for "qop"`},
		{name: "fail/bad-name", in: `="x"`, wantErr: "want a directive name"},
		{name: "fail/control-char", in: `username="u` + "\x01" + `", realm="r", nonce="n", uri="/", response="abc"`, wantErr: "not allowed in quoted string"},
		{name: "fail/newline", in: "username=\"u\",\r\n realm=\"r\", nonce=\"n\", uri=\"/\", response=\"abc\"", wantErr: "want a directive name"},
		{name: "fail/username-invalid-utf8", in: "username=\"\xff\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"abc\"", wantErr: "not valid UTF-8"},
		{name: "fail/username-escaped-tab", in: "username=\"a\\\tb\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"abc\"", wantErr: "control character"},
		{name: "fail/username-star-latin1", in: `username*=ISO-8859-1''J%E4ger, realm="r", nonce="n", uri="/", response="abc"`, wantErr: `charset "ISO-8859-1" is not supported`},
		{name: "fail/username-star-bad-percent", in: `username*=UTF-8''J%C, realm="r", nonce="n", uri="/", response="abc"`, wantErr: "bad percent-encoding"},
		{name: "fail/username-star-no-quotes", in: `username*=J%C3%A4ger, realm="r", nonce="n", uri="/", response="abc"`, wantErr: "want charset'language'value"},
		{name: "fail/username-star-control", in: `username*=UTF-8''a%0Ab, realm="r", nonce="n", uri="/", response="abc"`, wantErr: "control character"},
		{name: "fail/userhash-bad", in: required + `, userhash=yes`, wantErr: `userhash="yes"`},
		{name: "fail/too-long", in: required + `, opaque="` + strings.Repeat("a", MaxHeaderLen) + `"`, wantErr: "longer than 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDigest(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				if got != (Credentials{}) {
					t.Errorf("credentials %+v returned with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestCredentialsString checks that String writes what ParseDigest reads.
func TestCredentialsString(t *testing.T) {
	tests := []struct {
		name string
		c    Credentials
		want string
	}{
		{
			name: "ok/full",
			c:    Credentials{Username: "Mufasa", Realm: "r", Nonce: "n", URI: "/a b", Response: "ff", Algorithm: "SHA-256", CNonce: "c", Opaque: "o", QOP: "auth", NC: "00000001", Userhash: true},
			want: `username="Mufasa", realm="r", nonce="n", uri="/a b", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c", response="ff", opaque="o", userhash=true`,
		},
		{
			name: "ok/escapes-and-username-star",
			c:    Credentials{Username: "Jäger\"", Realm: `a"b\c`, Nonce: "", URI: "", Response: "", QOP: "a b"},
			want: `username*=UTF-8''J%C3%A4ger%22, realm="a\"b\\c", nonce="", uri="", qop="a b", response=""`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.c.String()
			if s != tt.want {
				t.Errorf("String:\n%s\nwant\n%s", s, tt.want)
			}
			back, err := ParseDigest(s)
			if err != nil || back != tt.c {
				t.Errorf("parsed back %+v, %v; want %+v", back, err, tt.c)
			}
		})
	}
}
