package gateway

import (
	"io"
	"net/http"

	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/files"
	"github.com/pbxgate/pbxgate/internal/proxy"
)

// kind is one kind of security context: where it is mounted and how its
// service is built from the configuration.
type kind struct {
	name   string
	prefix string
	// api contexts answer plain HTTP to an ssl context with 403, never a
	// redirect.
	api bool
	// upgrades: the service takes WebSocket upgrades, whose connections
	// outlive the request read deadline.
	upgrades bool
	// build returns the service, or nil when the context is not configured
	// (then nothing is served under its prefix). The closer, if any, is
	// closed when the snapshot is retired.
	build func(b *builder, c *config.Context, path string) (http.Handler, io.Closer)
}

// kinds is the registry of context kinds, one per DESIGN §1.1 row.
var kinds = []kind{
	{name: config.CommunicationManager, prefix: "/api/", api: true, build: buildAPI},
	{name: config.Administrator, prefix: "/admin/", build: buildAdmin},
	{name: config.Client, prefix: "/client/", upgrades: true, build: buildClient},
	{name: config.Voicemail, prefix: "/voicemail/", build: buildFiles},
	{name: config.Recording, prefix: "/recording/", build: buildFiles},
	{name: config.Provisioning, prefix: "/provision/", build: buildProvisioning},
}

func buildAPI(b *builder, _ *config.Context, _ string) (http.Handler, io.Closer) {
	mux := http.NewServeMux()
	if b.svc.API != nil {
		mux.Handle("/api/", b.svc.API)
	}
	if b.svc.Metrics != nil {
		mux.Handle("/metrics", b.svc.Metrics)
	}
	return mux, nil
}

func buildAdmin(b *builder, _ *config.Context, _ string) (http.Handler, io.Closer) {
	return b.svc.Admin, nil
}

// buildProvisioning mounts the phones' file server; config validation
// refuses realm_auth on this context, as the server authenticates every
// device itself.
func buildProvisioning(b *builder, _ *config.Context, _ string) (http.Handler, io.Closer) {
	if b.svc.Provisioning == nil {
		return nil, nil
	}
	return b.svc.Provisioning, nil
}

func buildClient(b *builder, c *config.Context, path string) (http.Handler, io.Closer) {
	if c.Upstream == "" {
		return nil, nil
	}
	p, err := proxy.New(proxy.Config{Upstream: c.Upstream, Prefix: "/client/", Log: b.svc.Log})
	if err != nil {
		b.fail(path+".upstream", "%v", err)
		return nil, nil
	}
	return p, p
}

func buildFiles(b *builder, c *config.Context, path string) (http.Handler, io.Closer) {
	if c.Root == "" {
		return nil, nil
	}
	name := path[len("contexts."):]
	s, err := files.New(files.Config{Context: name, Root: c.Root, Prefix: "/" + name + "/", Events: b.svc.Events, Log: b.svc.Log})
	if err != nil {
		b.fail(path+".root", "%v", err)
		return nil, nil
	}
	return s, s
}
