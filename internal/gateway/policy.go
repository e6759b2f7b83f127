package gateway

import (
	"net/netip"

	"github.com/pbxgate/pbxgate/internal/access"
)

// Action is what the policy engine tells the middleware to do.
type Action int

// The actions, in the order the checks run.
const (
	// Serve: pass the request to the service.
	Serve Action = iota
	// Authenticate: the request may pass once its realm credentials check out.
	Authenticate
	// RefuseIP: the client IP is refused by the context's IP access rules (403).
	RefuseIP
	// RedirectTLS: plain HTTP to an ssl context from a browser (308 to https).
	RedirectTLS
	// RefusePlain: plain HTTP to an ssl context from an API client (403).
	RefusePlain
)

var actionNames = [...]string{"serve", "authenticate", "refuse-ip", "redirect-tls", "refuse-plain"}

func (a Action) String() string { return actionNames[a] }

// Policy is the compiled security of one context. It decides without I/O.
type Policy struct {
	// Enabled turns every restriction on; a disabled context restricts
	// nothing, whatever the settings below say.
	Enabled bool
	// SSL serves the context only over TLS.
	SSL bool
	// Auth asks for realm credentials.
	Auth bool
	// IP holds the IP access rules; nil when ip_access is not enabled.
	IP *access.Rules
	// API marks a context whose clients are programs, never browsers: plain
	// HTTP gets 403, never a redirect.
	API bool
}

// Request holds the facts of a request the policy decides on.
type Request struct {
	ClientIP netip.Addr
	TLS      bool
	// Browser: a GET or HEAD that accepts text/html.
	Browser bool
}

// Verdict is the decision and the rule that made it.
type Verdict struct {
	Action Action
	// Reason names the rule: "context-disabled", "whitelisted",
	// "blacklisted", "not-whitelisted", "ssl-required", …
	Reason string
}

// Decide applies, in order: enabled, IP access, SSL, realm auth.
func (p *Policy) Decide(r Request) Verdict {
	if !p.Enabled {
		return Verdict{Serve, "context-disabled"}
	}
	ipReason := "ip-access-off"
	if p.IP != nil {
		d := p.IP.Decide(r.ClientIP)
		if !d.Allowed {
			return Verdict{RefuseIP, string(d.Reason)}
		}
		ipReason = string(d.Reason)
	}
	if p.SSL && !r.TLS {
		if r.Browser && !p.API {
			return Verdict{RedirectTLS, "ssl-required"}
		}
		return Verdict{RefusePlain, "ssl-required"}
	}
	if p.Auth {
		return Verdict{Authenticate, "realm-auth"}
	}
	return Verdict{Serve, ipReason}
}
