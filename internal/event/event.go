// Package event defines the security events that the services emit and the
// guard consumes: failed authentication, replayed Digest nonces, probes for
// files that do not exist, path traversal attempts.
//
// Services emit through a [Sink]; they never decide what an event leads to.
package event

import (
	"net/netip"
	"time"
)

// Kind names what happened. The names are stable: they appear in logs and
// metrics.
type Kind string

// The kinds of event.
const (
	// AuthFailure is a request whose realm credentials were wrong or
	// malformed (not one that simply carried none).
	AuthFailure Kind = "auth_failure"
	// DigestReplay is a Digest response whose nonce count was already used.
	DigestReplay Kind = "digest_replay"
	// NotFound is a request for a file or folder that does not exist.
	NotFound Kind = "not_found"
	// Traversal is a request whose path tries to leave its root.
	Traversal Kind = "path_traversal"
	// IPRefused is a request refused by a context's IP access rules.
	IPRefused Kind = "ip_refused"
	// UnknownMAC is a request for the file of a device that does not
	// exist; Target is the MAC address.
	UnknownMAC Kind = "unknown_mac"
)

// Event is one security event.
type Event struct {
	Kind Kind
	// Time is when it happened.
	Time time.Time
	// Context is the security context (communication_manager, voicemail, …).
	Context string
	// RemoteIP is the client address the decision was made for.
	RemoteIP netip.Addr
	// User is the realm user named by the request, if any.
	User string
	// Target is what the request aimed at: a path, a MAC address.
	Target string
}

// Sink receives events. Emit must not block for long: it is called on the
// request path.
type Sink interface {
	Emit(Event)
}

// SinkFunc adapts a function to [Sink].
type SinkFunc func(Event)

// Emit calls f(e).
func (f SinkFunc) Emit(e Event) { f(e) }

// Discard is a Sink that drops every event.
var Discard Sink = SinkFunc(func(Event) {})
