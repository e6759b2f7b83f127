package realm

import (
	"testing"
)

func FuzzParseDigest(f *testing.F) {
	f.Add(required)
	f.Add(`username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`)
	f.Add(`username*=UTF-8''J%C3%A4ger, realm="r", nonce="n", uri="/", response="abc", userhash=true`)
	f.Add(`username="a\"b\\c", realm="a, b", nonce=n, uri="/x?y=1,2", response="", x="y\"", ,,`)
	f.Add(`username="u", realm="r", nonce="n`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseDigest(s)
		if err != nil {
			return
		}
		s2 := c.String()
		if len(s2) > MaxHeaderLen {
			return // escaping and username* can lengthen a value past the cap
		}
		c2, err := ParseDigest(s2)
		if err != nil {
			t.Fatalf("re-parse of %q (from %q): %v", s2, s, err)
		}
		if c2 != c {
			t.Fatalf("round trip changed the credentials:\n%+v\n%+v\nvia %q", c, c2, s2)
		}
	})
}

// fuzzNonce is a nonce the fuzzed Authenticator knows, so that inputs can
// get past the nonce check.
const fuzzNonce = "fuzzfuzzfuzzfuzzfuzzfuzz"

func FuzzAuthenticate(f *testing.F) {
	nonces := NewNonces(NonceOptions{})
	insertNonce(nonces, fuzzNonce)
	a, err := New(Config{
		Users: []User{
			{Username: "alice", Password: "wonderland"},
			{Username: "bob", Password: HA1(MD5, "bob", "pbxgate", "builder")},
			{Username: "erin", Password: fastArgon2id("argon")},
		},
		Nonces: nonces,
	})
	if err != nil {
		f.Fatal(err)
	}
	opaque, err := nonces.Opaque()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(digestClient{User: "alice", Password: "x", Alg: "SHA-256"}.auth("GET", "/x", fuzzNonce, opaque, 1).String())
	f.Add(digestClient{User: "bob", Password: "x", Alg: "MD5-sess"}.auth("GET", "/x", fuzzNonce, "", 2).String())
	f.Add(basicAuth("alice", "nope"))
	f.Add(basicAuth("erin", "nope"))
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, header string) {
		r := request("GET", "/x", "")
		r.Header["Authorization"] = []string{header}
		res := a.Authenticate(r)
		if res.OK || res.Fail == "" {
			t.Fatalf("header %q gave %+v", header, res)
		}
		switch res.Scheme {
		case "", "basic", "digest":
		default:
			t.Fatalf("scheme %q", res.Scheme)
		}
	})
}
