package realm

import (
	"errors"
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/event"
)

func TestNewErrors(t *testing.T) {
	plain := User{"ok", "pw"}
	tests := []struct {
		name string
		cfg  Config
		// want lists the expected errors, each "path: message prefix".
		want []string
	}{
		{
			name: "fail/bcrypt-with-digest",
			cfg:  Config{Scheme: SchemeDigest, Users: []User{plain, {"bob", "$2b$04$abcdefghijklmnopqrstuu5Nz0f/xB3lE3Pgfr2j5VYnGc3eWfCGe"}}},
			want: []string{"users[1].password: bcrypt hash cannot be checked by Digest; use scheme basic or an {HA1-...} form"},
		},
		{
			name: "fail/argon2id-with-digest",
			cfg:  Config{Scheme: SchemeDigest, Users: []User{{"erin", fastArgon2id("x")}}},
			want: []string{"users[0].password: argon2id hash cannot be checked by Digest; use scheme basic or an {HA1-...} form"},
		},
		{
			name: "fail/empty-username",
			cfg:  Config{Users: []User{plain, {"", "pw"}}},
			want: []string{"users[1].username: empty"},
		},
		{
			name: "fail/duplicate-username",
			cfg:  Config{Users: []User{plain, {"bob", "a"}, {"carol", "b"}, {"bob", "c"}}},
			want: []string{`users[3].username: "bob" appears twice`},
		},
		{
			name: "fail/colon-in-username",
			cfg:  Config{Users: []User{{"a:b", "pw"}}},
			want: []string{`users[0].username: "a:b" contains ':'`},
		},
		{
			name: "fail/control-in-username",
			cfg:  Config{Users: []User{{"a\tb", "pw"}}},
			want: []string{`users[0].username: "a\tb" contains a control character`},
		},
		{
			name: "fail/empty-password",
			cfg:  Config{Users: []User{{"a", ""}}},
			want: []string{"users[0].password: empty"},
		},
		{
			name: "fail/unknown-ha1-form",
			cfg:  Config{Users: []User{{"a", "{HA1-XYZ}0123"}}},
			want: []string{"users[0].password: unknown password form {HA1-XYZ}"},
		},
		{
			name: "fail/unknown-brace-form",
			cfg:  Config{Users: []User{{"a", "{SSHA}abcd"}}},
			want: []string{"users[0].password: unknown password form {SSHA}"},
		},
		{
			name: "fail/ha1-md5-short",
			cfg:  Config{Users: []User{{"a", "{HA1-MD5}" + strings.Repeat("a", 31)}}},
			want: []string{"users[0].password: {HA1-MD5} needs 32 hex digits, got 31 characters"},
		},
		{
			name: "fail/ha1-sha256-not-hex",
			cfg:  Config{Users: []User{{"a", "{HA1-SHA256}" + strings.Repeat("g", 64)}}},
			want: []string{"users[0].password: {HA1-SHA256} needs 64 hex digits:"},
		},
		{
			name: "fail/ha1-md5-given-sha256-length",
			cfg:  Config{Users: []User{{"a", "{HA1-MD5}" + strings.Repeat("a", 64)}}},
			want: []string{"users[0].password: {HA1-MD5} needs 32 hex digits, got 64"},
		},
		{
			name: "fail/bcrypt-truncated",
			cfg:  Config{Users: []User{{"a", "$2b$04$abcdefghijklmnopqrstuu"}}},
			want: []string{"users[0].password: malformed bcrypt hash: want 60 characters, got 29"},
		},
		{
			name: "fail/bcrypt-version",
			cfg:  Config{Users: []User{{"a", "$2x$04$abcdefghijklmnopqrstuu5Nz0f/xB3lE3Pgfr2j5VYnGc3eWfCGe"}}},
			want: []string{"users[0].password: malformed bcrypt hash: only versions"},
		},
		{
			name: "fail/bcrypt-cost",
			cfg:  Config{Users: []User{{"a", "$2b$40$abcdefghijklmnopqrstuu5Nz0f/xB3lE3Pgfr2j5VYnGc3eWfCGe"}}},
			want: []string{"users[0].password: malformed bcrypt hash: cost 40 is out of range 4..31"},
		},
		{
			name: "fail/bcrypt-alphabet",
			cfg:  Config{Users: []User{{"a", "$2b$04$abcdefghijklmnopqrstuu5Nz0f/xB3lE3Pgfr2j5VYnGc3eWfCG!"}}},
			want: []string{"users[0].password: malformed bcrypt hash: character '!'"},
		},
		{
			name: "fail/argon2i",
			cfg:  Config{Users: []User{{"a", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"}}},
			want: []string{`users[0].password: malformed argon2id hash: "argon2i" is not supported`},
		},
		{
			name: "fail/argon2id-old-version",
			cfg:  Config{Users: []User{{"a", "$argon2id$v=16$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"}}},
			want: []string{`users[0].password: malformed argon2id hash: version "v=16"`},
		},
		{
			name: "fail/argon2id-huge-memory",
			cfg:  Config{Users: []User{{"a", "$argon2id$v=19$m=4194304,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"}}},
			want: []string{"users[0].password: malformed argon2id hash: parameter m=4194304 is out of range"},
		},
		{
			name: "fail/argon2id-params-order",
			cfg:  Config{Users: []User{{"a", "$argon2id$v=19$t=2,m=65536,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"}}},
			want: []string{"users[0].password: malformed argon2id hash: want parameters m=M,t=T,p=P"},
		},
		{
			name: "fail/argon2id-no-hash",
			cfg:  Config{Users: []User{{"a", "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ"}}},
			want: []string{"users[0].password: malformed argon2id hash: want $argon2id$"},
		},
		{
			name: "fail/argon2id-bad-salt",
			cfg:  Config{Users: []User{{"a", "$argon2id$v=19$m=65536,t=2,p=4$c29t$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"}}},
			want: []string{"users[0].password: malformed argon2id hash: salt must be"},
		},
		{
			name: "fail/sha512-crypt",
			cfg:  Config{Users: []User{{"a", "$6$salt$hash"}}},
			want: []string{"users[0].password: unsupported hash $6$"},
		},
		{
			name: "fail/realm-quote",
			cfg:  Config{Realm: `a"b`, Users: []User{plain}},
			want: []string{`realm: "a\"b" contains a quote`},
		},
		{
			name: "fail/scheme",
			cfg:  Config{Scheme: "ntlm", Users: []User{plain}},
			want: []string{`scheme: "ntlm" is not basic, digest or any`},
		},
		{
			name: "fail/no-users",
			cfg:  Config{},
			want: []string{"users: at least one user is required"},
		},
		{
			name: "fail/all-at-once",
			cfg:  Config{Scheme: SchemeDigest, Users: []User{{"", ""}, {"b", "{HA1-MD5}zz"}, {"b", "pw"}}},
			want: []string{
				"users[0].username: empty",
				"users[0].password: empty",
				"users[1].password: {HA1-MD5} needs 32 hex digits",
				`users[2].username: "b" appears twice`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.cfg)
			if a != nil || err == nil {
				t.Fatalf("New succeeded, want %q", tt.want)
			}
			var list ConfigErrors
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not ConfigErrors", err)
			}
			if len(list) != len(tt.want) {
				t.Fatalf("got %d errors (%v), want %d", len(list), err, len(tt.want))
			}
			for i, e := range list {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("error %d: %q, want prefix %q", i, e.Error(), tt.want[i])
				}
			}
		})
	}
}

func TestConfigErrorFields(t *testing.T) {
	_, err := New(Config{Scheme: "x", Users: []User{{"a", "pw"}, {"a", "pw"}}})
	var one *ConfigError
	if !errors.As(err, &one) || one.Index != -1 || one.Field != "scheme" {
		t.Errorf("first error %+v, want index -1 field scheme", one)
	}
	var list ConfigErrors
	errors.As(err, &list)
	if got := list[1]; got.Index != 1 || got.Field != "username" || got.Path() != "users[1].username" {
		t.Errorf("second error %+v, want users[1].username", got)
	}
}

func TestNewAccepts(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		warnings []string
	}{
		{
			name:     "ok/plaintext-warned",
			cfg:      Config{Users: []User{{"admin", "secret"}, {"bob", HA1(MD5, "bob", "pbxgate", "x")}}},
			warnings: []string{`users[0] ("admin"): plaintext password; store a hash (pbxgate passwd)`},
		},
		{name: "ok/hashes-not-warned", cfg: Config{Users: []User{{"a", fastBcrypt(t, "x")}, {"b", fastArgon2id("y")}, {"c", HA1(SHA256, "c", "pbxgate", "z")}}}},
		{name: "ok/bcrypt-2y", cfg: Config{Scheme: SchemeBasic, Users: []User{{"a", "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"}}}},
		{name: "ok/ha1-upper-case", cfg: Config{Scheme: SchemeDigest, Users: []User{{"a", "{ha1-md5}" + strings.Repeat("AB", 16)}}}},
		{name: "ok/plaintext-dollar", cfg: Config{Users: []User{{"a", "$2000 bonus"}}}, warnings: []string{`users[0] ("a"): plaintext password; store a hash (pbxgate passwd)`}},
		{name: "ok/plaintext-lower-brace", cfg: Config{Users: []User{{"a", "{curly}"}}}, warnings: []string{`users[0] ("a"): plaintext password; store a hash (pbxgate passwd)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustNew(t, tt.cfg)
			got := a.Warnings()
			if strings.Join(got, "\n") != strings.Join(tt.warnings, "\n") {
				t.Errorf("warnings %q, want %q", got, tt.warnings)
			}
			for _, w := range got {
				for _, u := range tt.cfg.Users {
					if strings.Contains(w, u.Password) {
						t.Errorf("warning %q shows a password", w)
					}
				}
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	a := mustNew(t, Config{Users: []User{{"a", "pw"}}})
	if a.Realm() != DefaultRealm || a.scheme != SchemeAny || a.nonces == nil {
		t.Errorf("realm %q scheme %q nonces %p, want defaults", a.Realm(), a.scheme, a.nonces)
	}
}

func TestFailureEvent(t *testing.T) {
	tests := []struct {
		f    Failure
		want event.Kind
	}{
		{"", ""},
		{FailMissing, ""},
		{FailStale, ""},
		{FailUnknownNonce, ""},
		{FailCanceled, ""},
		{FailReplay, event.DigestReplay},
		{FailMalformed, event.AuthFailure},
		{FailUnknownUser, event.AuthFailure},
		{FailBadPassword, event.AuthFailure},
		{FailSchemeNotAllowed, event.AuthFailure},
		{FailURIMismatch, event.AuthFailure},
	}
	for _, tt := range tests {
		t.Run(string(tt.f), func(t *testing.T) {
			got, ok := tt.f.Event()
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("got %q %v, want %q", got, ok, tt.want)
			}
		})
	}
}
