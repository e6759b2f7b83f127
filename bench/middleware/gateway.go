package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"

	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/gateway"
	"github.com/pbxgate/pbxgate/internal/realm"
)

// The realm user every gated side authenticates as.
const (
	benchUser     = "bench"
	benchPassword = "correct horse battery staple"
	benchRealm    = "pbxgate"
	benchPath     = "/api/v1/health"
)

var healthBody = []byte(`{"status":"ok"}` + "\n")

// healthHandler is the service behind the gateway: a fixed small JSON body.
var healthHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(healthBody)))
	_, _ = w.Write(healthBody)
})

// newGated builds a gateway whose communication_manager context is enabled,
// whitelists 127.0.0.0/8 among whitelist and asks for realm credentials of
// scheme with one user whose stored password is password.
func newGated(scheme, password string, whitelist []string) (*gateway.Gateway, error) {
	cfg := config.Default()
	// The administrator context would need its generated admin user: off.
	cfg.Contexts.Administrator.Enabled = false
	cfg.Contexts.Administrator.RealmAuth.Enabled = false
	cm := &cfg.Contexts.CommunicationManager
	cm.Enabled = true
	cm.RealmAuth = config.RealmAuth{
		Enabled: true, Scheme: scheme, Realm: benchRealm,
		Users: []config.User{{Username: benchUser, Password: password}},
	}
	cm.IPAccess = config.IPAccess{Enabled: true, Whitelist: whitelist}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validate %s config: %w", scheme, err)
	}
	snap, err := gateway.Build(cfg, gateway.Services{API: healthHandler})
	if err != nil {
		return nil, fmt.Errorf("build %s gateway: %w", scheme, err)
	}
	g := gateway.New(nil, nil)
	g.Swap(snap)
	return g, nil
}

// whitelist returns 127.0.0.0/8 followed by n random prefixes.
func whitelist(n int, rng *rand.Rand) []string {
	out := make([]string, 0, n+1)
	out = append(out, "127.0.0.0/8")
	for range n {
		out = append(out, randomPrefix(rng).String())
	}
	return out
}

// randomPrefix is an IPv4 prefix (/8 to /32) three times in four, else an
// IPv6 one (/16 to /128).
func randomPrefix(rng *rand.Rand) netip.Prefix {
	if rng.IntN(4) < 3 {
		var b [4]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return netip.PrefixFrom(netip.AddrFrom4(b), 8+rng.IntN(25)).Masked()
	}
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), 16+rng.IntN(113)).Masked()
}

// serve serves h on a new loopback listener with the daemon's HTTP limits
// and returns the base URL and a function that stops the server.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	def := config.Default().HTTP
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: def.ReadHeaderTimeout.Std(),
		IdleTimeout:       def.IdleTimeout.Std(),
		MaxHeaderBytes:    def.MaxHeaderBytes,
	}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		srv.SetKeepAlivesEnabled(false)
		_ = srv.Close()
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// newSides starts the servers: bare, digest and, if basic, Basic with a
// bcrypt password. The gated ones whitelist 127.0.0.0/8 and prefixes random
// prefixes drawn from seed. closeAll stops them all.
func newSides(prefixes int, seed uint64, basic bool) (sides []side, closeAll func(), err error) {
	var closers []func()
	cleanup := func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	wl := whitelist(prefixes, rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)))
	sides = []side{{name: "bare", handler: healthHandler, newAuth: func(int) authorizer { return noAuth{} }}}

	digest, err := newGated(config.SchemeDigest, realm.HA1(realm.SHA256, benchUser, benchRealm, benchPassword), wl)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, digest.Close)
	sides = append(sides, side{name: "digest", handler: digest,
		newAuth: func(i int) authorizer { return newDigestAuth(benchUser, benchPassword, benchPath, newRand(i)) }})

	if basic {
		hash, err := realm.HashBcrypt(benchPassword)
		if err != nil {
			return nil, nil, err
		}
		g, err := newGated(config.SchemeBasic, hash, wl)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, g.Close)
		sides = append(sides, side{name: "basic", handler: g,
			newAuth: func(int) authorizer { return newBasicAuth(benchUser, benchPassword) }})
	}
	for i := range sides {
		url, stop, err := serve(sides[i].handler)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, stop)
		sides[i].url = url
	}
	return sides, cleanup, nil
}
