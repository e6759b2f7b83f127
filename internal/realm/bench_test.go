package realm

import (
	"testing"
)

// BenchmarkDigestVerify measures Authenticate on valid SHA-256 Digest
// requests (client side excluded).
func BenchmarkDigestVerify(b *testing.B) {
	a, err := New(Config{Users: []User{{"alice", "wonderland"}}, Nonces: NewNonces(NonceOptions{})})
	if err != nil {
		b.Fatal(err)
	}
	nonce, err := a.nonces.Issue()
	if err != nil {
		b.Fatal(err)
	}
	opaque, _ := a.nonces.Opaque()
	r := request("GET", "/api/calls?limit=10", "")
	b.ReportAllocs()
	nc := uint32(0)
	for b.Loop() {
		b.StopTimer()
		nc++
		r.Header.Set("Authorization", alice2.auth("GET", "/api/calls?limit=10", nonce, opaque, nc).String())
		b.StartTimer()
		if res := a.Authenticate(r); !res.OK {
			b.Fatalf("%+v", res)
		}
	}
}
