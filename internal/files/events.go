package files

import (
	"net/http"
	"net/netip"

	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

// maxTarget bounds the path carried by an event, so that long hostile paths
// cannot grow the guard's memory.
const maxTarget = 512

func (s *Server) emit(r *http.Request, kind event.Kind, raw string) {
	e := event.Event{
		Kind:     kind,
		Time:     s.now(),
		Context:  s.context,
		RemoteIP: clientIP(r),
		Target:   truncate(raw),
	}
	if info := reqinfo.From(r.Context()); info != nil {
		e.User = info.User
	}
	s.events.Emit(e)
}

// clientIP is the client the middleware decided on, else the socket peer.
func clientIP(r *http.Request) netip.Addr {
	if info := reqinfo.From(r.Context()); info != nil && info.ClientIP.IsValid() {
		return info.ClientIP.Unmap()
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

func truncate(s string) string {
	if len(s) > maxTarget {
		return s[:maxTarget]
	}
	return s
}
