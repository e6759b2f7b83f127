package daemon

import (
	"sync"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// eventSink counts every security event and logs it, at most a few lines a
// second per kind so that an attacker cannot flood the log; the counters
// always see every event. The guard will consume the same events.
func (d *Daemon) eventSink() event.Sink {
	lim := &logLimiter{every: time.Second, burst: 5}
	return event.SinkFunc(func(e event.Event) {
		d.metrics.events.WithLabelValues(string(e.Kind), e.Context).Inc()
		if dropped, ok := lim.allow(e.Kind, e.Time); ok {
			d.log.Warn("security event", "component", "gateway", "event", string(e.Kind), "context", e.Context,
				"remote_ip", e.RemoteIP.String(), "user", e.User, "target", e.Target, "suppressed", dropped)
		}
		d.observe(e)
	})
}

// logLimiter allows burst log lines per kind per period and counts the rest.
type logLimiter struct {
	every time.Duration
	burst int

	mu    sync.Mutex
	kinds map[event.Kind]*window
}

type window struct {
	start   time.Time
	n       int
	dropped int
}

// allow reports whether to log an event of kind k now, and how many were
// suppressed since the last logged one.
func (l *logLimiter) allow(k event.Kind, now time.Time) (dropped int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kinds == nil {
		l.kinds = make(map[event.Kind]*window)
	}
	w := l.kinds[k]
	if w == nil || now.Sub(w.start) >= l.every {
		if w == nil {
			w = &window{}
			l.kinds[k] = w
		}
		w.start, w.n = now, 0
	}
	if w.n >= l.burst {
		w.dropped++
		return 0, false
	}
	w.n++
	dropped, w.dropped = w.dropped, 0
	return dropped, true
}
