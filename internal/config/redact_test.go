package config

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRedacted(t *testing.T) {
	secrets := []string{"db-pass-1", "db-pass-2", "store-pass", "key-pass", "user-pass-a", "user-pass-b", "xml-user-pass", "xml-store-pass"}
	yaml := `database: postgres://pbx:db-pass-1@db.example.com/pbx?sslmode=require&password=db-pass-2
listeners:
  - name: https
    address: ":8443"
    tls: true
    keystore: {file: /k.p12, store_password: store-pass, key_password: key-pass, alias: a}
  - name: other
    address: ":9443"
    tls: true
    keystore: {file: /k2.pem, store_password: x}
contexts:
  communication_manager:
    realm_auth:
      users:
        - {username: a, password: user-pass-a}
        - {username: b, password: user-pass-b}
  client:
    realm_auth:
      users: [{username: empty, password: ""}]
`
	c := mustParse(t, yaml)
	xml := `<Security><SSLKeystore filename="x.jks" keystorePassword="xml-store-pass"/>
<SecurityContext name="voicemail"><RealmAuth><RealmAuthUsers><RealmAuthUser username="v" password="xml-user-pass"/></RealmAuthUsers></RealmAuth></SecurityContext></Security>`
	xc, err := Parse([]byte(xml), "security.xml")
	if err != nil {
		t.Fatal(err)
	}
	c.Contexts.Voicemail = xc.Contexts.Voicemail
	c.Listeners = append(c.Listeners, xc.Listeners[0])

	before, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redacted()
	out, err := r.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if !bytes.Contains(before, []byte(s)) {
			t.Fatalf("test is broken: %q not in the unredacted YAML", s)
		}
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("secret %q is in the redacted YAML:\n%s", s, out)
		}
	}
	if got := r.Database; got != "postgres://pbx:<redacted>@db.example.com/pbx?sslmode=require&password=<redacted>" {
		t.Errorf("Database = %q", got)
	}
	if got := r.Contexts.Client.RealmAuth.Users[0].Password; got != redactedMark {
		t.Errorf("empty user password = %q, want it redacted too", got)
	}
	if got := r.Listeners[1].Keystore; got.KeyPassword != "" || got.StorePassword != redactedMark {
		t.Errorf("keystore = %+v: empty key password must stay empty", got)
	}
	// A deep copy: the original keeps its secrets.
	if c.Contexts.CommunicationManager.RealmAuth.Users[0].Password != "user-pass-a" ||
		c.Listeners[0].Keystore.StorePassword != "store-pass" {
		t.Error("Redacted changed the original")
	}
	// Fed back, the redacted output is refused, not taken as passwords.
	back, err := Parse(out, "shown.yaml")
	if err != nil {
		t.Fatalf("redacted YAML does not parse: %v", err)
	}
	if err := back.Validate(); err == nil || !strings.Contains(err.Error(), "placeholder") {
		t.Errorf("redacted YAML validates: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ok/empty", "", ""},
		{"ok/no-password", "postgres://pbx@db.example.com/pbx", "postgres://pbx@db.example.com/pbx"},
		{"ok/userinfo", "postgres://pbx:s3cret@db.example.com:5432/pbx", "postgres://pbx:<redacted>@db.example.com:5432/pbx"},
		{"ok/escaped-user", "postgresql://p%40x:s3cret@db.example.com/pbx", "postgresql://p%40x:<redacted>@db.example.com/pbx"},
		{"ok/empty-password", "postgres://pbx:@db.example.com/pbx", "postgres://pbx:<redacted>@db.example.com/pbx"},
		{"ok/query", "postgres://db.example.com/pbx?PassWord=s3cret&sslmode=disable", "postgres://db.example.com/pbx?PassWord=<redacted>&sslmode=disable"},
		{"ok/escaped-query-key", "postgres://db.example.com/pbx?pass%77ord=s3cret", "postgres://db.example.com/pbx?pass%77ord=<redacted>"},
		{"ok/socket-host", "postgres://pbx:s3cret@/pbx?host=/run/postgresql", "postgres://pbx:<redacted>@/pbx?host=/run/postgresql"},
		{"fail/unparsable", "postgres://pbx:s3cret@db.example.com:port/pbx", redactedMark},
		{"fail/opaque", "postgres:pbx:s3cret@db", redactedMark},
		{"fail/dsn", "host=db user=pbx password=s3cret", redactedMark},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redactURL(tt.in)
			if got != tt.want {
				t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.Contains(got, "s3cret") {
				t.Errorf("secret left in %q", got)
			}
		})
	}
}

func TestYAMLDurations(t *testing.T) {
	c := Default()
	c.HTTP.ReadTimeout = Duration(90 * time.Second)
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"read_header_timeout: 10s\n", "read_timeout: 1m30s\n", "idle_timeout: 2m0s\n"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("YAML() lacks %q:\n%s", want, out)
		}
	}
	back := mustParse(t, string(out))
	if back.HTTP != c.HTTP {
		t.Errorf("round trip: %+v, want %+v", back.HTTP, c.HTTP)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"10s", 10 * time.Second, ""},
		{"1m30s", 90 * time.Second, ""},
		{"250ms", 250 * time.Millisecond, ""},
		{"0", 0, ""},
		{"10", 0, "has no unit"},
		{"1.5", 0, "has no unit"},
		{"-3", 0, "has no unit"},
		{"ten", 0, "is not a duration"},
		{"", 0, "is not a duration"},
		{"14d", 14 * 24 * time.Hour, ""},
		{"1d", 24 * time.Hour, ""},
		{"1.5d", 0, "is not a duration"},
		{"-2d", 0, "is not a duration"},
		{"d", 0, "is not a duration"},
		{"99999999999999d", 0, "is not a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("err = %v, want %q", err, tt.err)
			case got.Std() != tt.want:
				t.Errorf("got %v, want %v", got, tt.want)
			case err == nil:
				if back, err := parseDuration(got.String()); err != nil || back != got {
					t.Errorf("String() %q does not parse back: %v %v", got.String(), back, err)
				}
			}
		})
	}
}
