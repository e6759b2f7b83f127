package gateway

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts requests, refusals and authentication failures per context.
type Metrics struct {
	requests *prometheus.CounterVec
	refusals *prometheus.CounterVec
	authFail *prometheus.CounterVec
}

// NewMetrics registers the gateway metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_http_requests_total", Help: "HTTP requests by security context and status code.",
		}, []string{"context", "code"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_access_refused_total", Help: "Requests refused by IP access or SSL rules, by context and rule.",
		}, []string{"context", "reason"}),
		authFail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_auth_failures_total", Help: "Failed realm authentications by context and reason.",
		}, []string{"context", "reason"}),
	}
	reg.MustRegister(m.requests, m.refusals, m.authFail)
	return m
}

func (m *Metrics) request(context string, code int) {
	if m != nil {
		m.requests.WithLabelValues(context, strconv.Itoa(code)).Inc()
	}
}

func (m *Metrics) refused(context, reason string) {
	if m != nil {
		m.refusals.WithLabelValues(context, reason).Inc()
	}
}

func (m *Metrics) authFailure(context, reason string) {
	if m != nil {
		m.authFail.WithLabelValues(context, reason).Inc()
	}
}
