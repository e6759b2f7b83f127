package realm

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHA1(t *testing.T) {
	tests := []struct {
		name string
		alg  Algorithm
		want string
	}{
		{"ok/md5", MD5, fmt.Sprintf("{HA1-MD5}%x", md5.Sum([]byte("Mufasa:http-auth@example.org:Circle of Life")))},
		{"ok/sha256", SHA256, fmt.Sprintf("{HA1-SHA256}%x", sha256.Sum256([]byte("Mufasa:http-auth@example.org:Circle of Life")))},
		{"fail/unknown-algorithm", "SHA-512-256", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HA1(tt.alg, "Mufasa", "http-auth@example.org", "Circle of Life"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPasswordVectors checks hashes made by other implementations.
func TestPasswordVectors(t *testing.T) {
	tests := []struct {
		name, stored, password string
		want                   bool
	}{
		// The argon2 reference implementation:
		// echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e
		{"ok/argon2id-reference", "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo", "password", true},
		{"fail/argon2id-reference", "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo", "Password", false},
		// The crypt_blowfish test vectors, with the $2y$ prefix PHP and
		// htpasswd write.
		{"ok/bcrypt-2a", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U", true},
		{"ok/bcrypt-2y", "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U", true},
		{"fail/bcrypt", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*V", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustNew(t, Config{Users: []User{{"u", tt.stored}}})
			got := a.Authenticate(request("GET", "/", basicAuth("u", tt.password)))
			if got.OK != tt.want {
				t.Errorf("got %+v, want OK=%v", got, tt.want)
			}
		})
	}
}

func TestHashBcrypt(t *testing.T) {
	h, err := HashBcrypt("hunter2:with colon")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, fmt.Sprintf("$2a$%02d$", BcryptCost)) {
		t.Errorf("hash %q lacks $2a$%02d$", h, BcryptCost)
	}
	if _, err := checkBcrypt(h); err != nil {
		t.Errorf("own hash refused: %v", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte("hunter2:with colon")) != nil {
		t.Error("hash does not verify")
	}
	if _, err := HashBcrypt(strings.Repeat("x", 73)); err == nil {
		t.Error("73-byte password accepted")
	}
}

func TestHashArgon2id(t *testing.T) {
	salt := bytes.Repeat([]byte{7}, argon2SaltLen)
	h, err := HashArgon2id("correct horse", bytes.NewReader(salt))
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$BwcHBwcHBwcHBwcHBwcHBw$"; !strings.HasPrefix(h, want) {
		t.Errorf("hash %q, want prefix %q", h, want)
	}
	p, err := parseArgon2id(h)
	if err != nil {
		t.Fatalf("own hash refused: %v", err)
	}
	if p.String() != h {
		t.Errorf("re-encoded %q, want %q", p.String(), h)
	}
	if !p.verify([]byte("correct horse")) || p.verify([]byte("correct horse ")) {
		t.Error("verify got the password wrong")
	}
	if _, err := HashArgon2id("x", bytes.NewReader(nil)); err == nil {
		t.Error("empty random source accepted")
	}
}
