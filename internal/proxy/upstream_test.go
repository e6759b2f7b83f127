package proxy

import (
	"strings"
	"testing"
)

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name     string
		upstream string
		prefix   string
		wantErr  string
	}{
		{name: "ok/http", upstream: "http://127.0.0.1:8088/", prefix: "/client/"},
		{name: "ok/https-with-path", upstream: "https://app.example:8443/base", prefix: "/client/"},
		{name: "ok/ipv6", upstream: "http://[::1]:8088/", prefix: "/client/"},
		{name: "ok/upper-case-scheme", upstream: "HTTP://127.0.0.1/", prefix: "/client/"},
		{name: "fail/empty", upstream: "", prefix: "/client/", wantErr: "upstream: is empty"},
		{name: "fail/scheme", upstream: "ftp://127.0.0.1/", prefix: "/client/", wantErr: "upstream: scheme must be http or https"},
		{name: "fail/ws-scheme", upstream: "ws://127.0.0.1/", prefix: "/client/", wantErr: "upstream: scheme"},
		{name: "fail/relative", upstream: "/just/a/path", prefix: "/client/", wantErr: "upstream: scheme"},
		{name: "fail/no-host", upstream: "http:///path", prefix: "/client/", wantErr: "upstream: host is missing"},
		{name: "fail/port-only", upstream: "http://:8080/", prefix: "/client/", wantErr: "upstream: host is missing"},
		{name: "fail/opaque", upstream: "http:127.0.0.1", prefix: "/client/", wantErr: "upstream: must be an absolute URL"},
		{name: "fail/userinfo", upstream: "http://admin:hunter2@127.0.0.1/", prefix: "/client/", wantErr: "upstream: must not carry user info"},
		{name: "fail/query", upstream: "http://127.0.0.1/?a=1", prefix: "/client/", wantErr: "upstream: must not have a query"},
		{name: "fail/empty-query", upstream: "http://127.0.0.1/?", prefix: "/client/", wantErr: "upstream: must not have a query"},
		{name: "fail/fragment", upstream: "http://127.0.0.1/#x", prefix: "/client/", wantErr: "upstream: must not have a fragment"},
		{name: "fail/unparsable", upstream: "http://127.0.0.1:port/", prefix: "/client/", wantErr: "upstream: invalid URL"},
		{name: "fail/prefix-no-trailing-slash", upstream: "http://127.0.0.1/", prefix: "/client", wantErr: "prefix:"},
		{name: "fail/prefix-empty", upstream: "http://127.0.0.1/", prefix: "", wantErr: "prefix:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(Config{Upstream: tt.upstream, Prefix: tt.prefix})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = p.Close()
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one starting %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error %q repeats the password", err)
			}
		})
	}
}
