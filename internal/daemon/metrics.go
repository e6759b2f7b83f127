package daemon

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	reloads      *prometheus.CounterVec
	lastReloadOK prometheus.Gauge
	events       *prometheus.CounterVec
	acmeChecks   prometheus.Counter
	acmeOrders   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_config_reloads_total", Help: "Configuration reloads by result (success, failure).",
		}, []string{"result"}),
		lastReloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pbxgate_config_last_reload_successful", Help: "1 if the last reload succeeded (or none was tried), 0 if it was refused.",
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_security_events_total", Help: "Security events by kind and context.",
		}, []string{"kind", "context"}),
		acmeChecks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pbxgate_acme_checks_total", Help: "Checks of the domains by the ACME client.",
		}),
		acmeOrders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxgate_acme_orders_total", Help: "ACME orders by outcome (issued, failed, queued for the weekly budget).",
		}, []string{"outcome"}),
	}
	m.lastReloadOK.Set(1)
	reg.MustRegister(m.reloads, m.lastReloadOK, m.events, m.acmeChecks, m.acmeOrders)
	return m
}
