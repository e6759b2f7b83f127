package realm

import (
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// digest authenticates a Digest request. The checks run from the cheapest
// and least secret to the response itself; the nonce count is recorded only
// once the response verified.
func (a *Authenticator) digest(r *http.Request, directives string) Result {
	res := Result{Scheme: "digest"}
	c, err := ParseDigest(directives)
	if err != nil {
		return res.fail(FailMalformed, err.Error())
	}
	res.User = c.Username
	if !a.offerMD5 && !a.offerSHA256 {
		return res.fail(FailSchemeNotAllowed, "digest is not offered")
	}
	if c.Userhash {
		return res.fail(FailMalformed, "userhash is not supported")
	}
	switch c.QOP {
	case "auth":
	case "":
		return res.fail(FailMalformed, "response without qop (RFC 2069) is not accepted")
	default:
		return res.fail(FailMalformed, "qop must be auth")
	}
	alg, sess, ok := parseAlgorithm(c.Algorithm)
	if !ok {
		return res.fail(FailMalformed, "unsupported algorithm")
	}
	if (alg == MD5 && !a.offerMD5) || (alg == SHA256 && !a.offerSHA256) {
		return res.fail(FailSchemeNotAllowed, "algorithm "+string(alg)+" is not offered")
	}
	if c.Realm != a.realm {
		return res.fail(FailMalformed, "realm does not match")
	}
	nc, ok := parseNC(c.NC)
	if !ok {
		return res.fail(FailMalformed, "nc must be 8 hex digits, not 0")
	}
	if c.CNonce == "" {
		return res.fail(FailMalformed, "cnonce is missing")
	}
	var response [64]byte
	if len(c.Response) != alg.hexLen() {
		return res.fail(FailMalformed, "response has the wrong length")
	}
	if _, err := hex.Decode(response[:], []byte(c.Response)); err != nil {
		return res.fail(FailMalformed, "response is not hex")
	}
	if c.URI != requestURI(r) {
		return res.fail(FailURIMismatch, "")
	}
	if opaque, err := a.nonces.Opaque(); c.Opaque != "" && (err != nil || c.Opaque != opaque) {
		return res.fail(FailUnknownNonce, "opaque does not match")
	}
	state := a.nonces.lookup(c.Nonce)
	if state == nonceUnknown {
		return res.fail(FailUnknownNonce, "")
	}

	var fail Failure
	u, known := a.user(c.Username)
	ha1 := ""
	if known {
		ha1 = u.ha1For(alg)
	}
	switch {
	case !known:
		fail, ha1 = FailUnknownUser, a.dummyHA1(alg)
	case ha1 == "":
		fail, ha1 = FailSchemeNotAllowed, a.dummyHA1(alg)
	}
	a.digestChecks.Add(1)
	var buf [32]byte
	expected := digestResponse(buf[:0], alg, sess, ha1, r.Method, &c)
	match := subtle.ConstantTimeCompare(expected, response[:len(expected)]) == 1
	switch {
	case fail == FailSchemeNotAllowed:
		return res.fail(fail, "the user's password form cannot answer "+string(alg))
	case fail != "":
		return res.fail(fail, "")
	case !match:
		return res.fail(FailBadPassword, "")
	case state == nonceStale:
		return res.fail(FailStale, "")
	}
	switch a.nonces.accept(c.Nonce, nc) {
	case nonceAccepted:
		res.OK = true
		return res
	case nonceReplay:
		return res.fail(FailReplay, "nonce count "+c.NC+" already used")
	case nonceStale:
		return res.fail(FailStale, "")
	default:
		return res.fail(FailUnknownNonce, "")
	}
}

// dummyHA1 is the HA1 checked for unknown users.
func (a *Authenticator) dummyHA1(alg Algorithm) string {
	if alg == MD5 {
		return a.dummyMD5
	}
	return a.dummySHA256
}

// parseAlgorithm reads the algorithm directive: "" means MD5.
func parseAlgorithm(s string) (alg Algorithm, sess, ok bool) {
	switch strings.ToUpper(s) {
	case "", "MD5":
		return MD5, false, true
	case "MD5-SESS":
		return MD5, true, true
	case "SHA-256":
		return SHA256, false, true
	case "SHA-256-SESS":
		return SHA256, true, true
	}
	return "", false, false
}

// parseNC reads a nonce count: exactly 8 hex digits, not zero.
func parseNC(s string) (uint32, bool) {
	if len(s) != 8 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 16, 32)
	if err != nil || n == 0 {
		return 0, false
	}
	return uint32(n), true
}

// requestURI is the request target as the client wrote it.
func requestURI(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// digestResponse computes the response for qop=auth (RFC 7616 §3.4.1) and
// appends its raw bytes (not hex) to dst:
//
//	HA1  = H(user:realm:password), given in hex
//	     = H(HA1:nonce:cnonce) for the -sess variants
//	HA2  = H(method:uri)
//	resp = H(HA1:nonce:nc:cnonce:qop:HA2)
func digestResponse(dst []byte, alg Algorithm, sess bool, ha1, method string, c *Credentials) []byte {
	h := alg.newHash()
	var hexbuf [64]byte
	var sum [32]byte
	size := h.Size()

	if sess {
		writeAll(h, ha1, ":", c.Nonce, ":", c.CNonce)
		hex.Encode(hexbuf[:], h.Sum(sum[:0]))
		ha1 = string(hexbuf[:2*size])
		h.Reset()
	}
	writeAll(h, method, ":", c.URI)
	var ha2 [64]byte
	hex.Encode(ha2[:], h.Sum(sum[:0]))
	h.Reset()
	writeAll(h, ha1, ":", c.Nonce, ":", c.NC, ":", c.CNonce, ":", c.QOP, ":")
	h.Write(ha2[:2*size])
	return h.Sum(dst)
}

// writeAll writes the strings to h (writing to a hash never fails).
func writeAll(h hash.Hash, parts ...string) {
	for _, p := range parts {
		_, _ = io.WriteString(h, p)
	}
}
