// Package reqinfo carries what the security middleware learned about a request
// (client IP, security context, authenticated user) to the handlers behind it.
package reqinfo

import (
	"context"
	"net/netip"
)

// Info is what the middleware decided about one request.
type Info struct {
	// ClientIP is the socket peer, or the X-Forwarded-For client when the
	// peer is a trusted proxy.
	ClientIP netip.Addr
	// Context is the security context serving the request.
	Context string
	// User is the realm user who authenticated, "" if none.
	User string
	// TLS reports whether the request arrived over TLS.
	TLS bool
}

type key struct{}

// With returns a copy of ctx that carries info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the Info stored in ctx, or nil.
func From(ctx context.Context) *Info {
	info, _ := ctx.Value(key{}).(*Info)
	return info
}
