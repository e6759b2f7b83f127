package daemon

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pbxgate/pbxgate/internal/alarm"
	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/sni"
)

// AlarmCertificateInvalid is raised for a domain whose certificate_pem
// cannot be used (it does not parse, its key matches no certificate).
const AlarmCertificateInvalid = "certificate_invalid"

const (
	// domainPollEvery is how often a node looks for changes of the domain
	// tree made by another node or by the command line.
	domainPollEvery = 2 * time.Second
	// certCheckEvery re-evaluates expiry alarms as time passes.
	certCheckEvery = time.Hour
)

// certMonitor keeps the SNI table in step with the domain tree and raises
// the certificate alarms.
type certMonitor struct {
	mu       sync.Mutex // one rebuild or evaluation at a time
	revision int64
	invalid  map[string]string // domain → why its certificate_pem is refused
	raised   map[[2]string]bool

	notAfter *prometheus.GaugeVec
}

func newCertMonitor(reg prometheus.Registerer) *certMonitor {
	m := &certMonitor{
		raised: map[[2]string]bool{},
		notAfter: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pbxgate_certificate_not_after_seconds",
			Help: "Expiry (Unix time) of every certificate the gateway can serve, by source (domain, listener, default) and name.",
		}, []string{"source", "name", "key_type"}),
	}
	reg.MustRegister(m.notAfter)
	return m
}

// domainService is the domain tree's rules over the store.
func (d *Daemon) domainService() *domains.Service { return d.domains.Load() }

// rebuildCertificates reads the domain tree, parses every certificate_pem
// and swaps a new index into the listeners' table. A tree that cannot be
// indexed keeps the old index serving.
func (d *Daemon) rebuildCertificates(ctx context.Context) error {
	m := d.certs
	m.mu.Lock()
	defer m.mu.Unlock()
	rev, err := d.store.DomainsRevision(ctx)
	if err != nil {
		return fmt.Errorf("domain tree revision: %w", err)
	}
	list, err := d.domainService().List(ctx)
	if err != nil {
		return fmt.Errorf("domain tree: %w", err)
	}
	doms := make([]sni.Domain, 0, len(list))
	invalid := map[string]string{}
	for _, dom := range list {
		sd := sni.Domain{Name: dom.Name, Parent: dom.Parent}
		if dom.CertificatePEM != "" {
			merged, err := certs.ParseMerged(dom.CertificatePEM)
			if err != nil {
				invalid[dom.Name] = err.Error()
			} else {
				for _, p := range merged.Pairs {
					sd.Certs = append(sd.Certs, p.Cert)
				}
			}
		}
		doms = append(doms, sd)
	}
	ix, err := sni.Build(d.domainService().Master(), doms, d.now())
	if err != nil {
		return fmt.Errorf("index the domain tree: %w", err)
	}
	d.table.Swap(ix)
	m.revision, m.invalid = rev, invalid
	d.evaluateCertificatesLocked()
	return nil
}

// evaluateCertificates raises and clears the certificate alarms and sets
// the expiry gauges for what is served now.
func (d *Daemon) evaluateCertificates() {
	d.certs.mu.Lock()
	defer d.certs.mu.Unlock()
	d.evaluateCertificatesLocked()
}

func (d *Daemon) evaluateCertificatesLocked() {
	m := d.certs
	now := d.now()
	want := map[[2]string]alarm.Alarm{}
	add := func(kind, subject, msg, sev string) {
		want[[2]string{kind, subject}] = alarm.Alarm{Kind: kind, Subject: subject, Message: msg, Severity: alarm.Severity(sev)}
	}
	ix := d.table.Load()
	expiry := d.cfg.Load().Alarms.CertificateExpiry.Std()
	for _, p := range ix.Problems(now, expiry) {
		add(p.Kind, p.Domain, p.Message, p.Severity)
	}
	for name, why := range m.invalid {
		add(AlarmCertificateInvalid, name, "certificate_pem is not used: "+why, string(alarm.Critical))
	}
	m.notAfter.Reset()
	for _, c := range d.servable() {
		m.notAfter.WithLabelValues(c.Source, c.Name, c.Info.KeyType).Set(float64(c.Info.NotAfter.Unix()))
		if c.Source == "domain" {
			continue // the index reported its own
		}
		subject := c.Source + " " + c.Name
		switch left := c.Info.NotAfter.Sub(now); {
		case left <= 0:
			add(sni.KindExpired, subject, fmt.Sprintf("the %s certificate expired on %s", subject, c.Info.NotAfter.UTC().Format(time.RFC3339)), string(alarm.Critical))
		case left <= expiry:
			add(sni.KindExpiring, subject, fmt.Sprintf("the %s certificate expires on %s", subject, c.Info.NotAfter.UTC().Format(time.RFC3339)), string(alarm.Warning))
		}
	}
	for k := range m.raised {
		if _, ok := want[k]; !ok {
			d.alarms.Clear(k[0], k[1])
			delete(m.raised, k)
		}
	}
	for k, a := range want {
		d.alarms.Raise(a.Kind, a.Subject, a.Message, a.Severity)
		m.raised[k] = true
	}
}

// servable is one certificate the gateway can serve.
type servable struct {
	// Source is "domain", "listener" or "default".
	Source string `json:"source"`
	// Name is the domain, the listener, or the master domain.
	Name     string     `json:"name"`
	Info     certs.Info `json:"certificate"`
	Problems []string   `json:"problems"`
}

// servable lists every certificate the gateway can serve: the domains'
// own, each listener's, and the default.
func (d *Daemon) servable() []servable {
	now := d.now()
	var out []servable
	// covers is the name a certificate must cover; a listener certificate
	// serves any name (clients without SNI), so none is checked.
	addCert := func(source, name, covers string, c *tls.Certificate) {
		if c == nil {
			return
		}
		out = append(out, servable{Source: source, Name: name, Info: certs.Describe(c), Problems: certs.Check(c, covers, now)})
	}
	if ix := d.table.Load(); ix != nil {
		for _, dom := range ix.Domains() {
			for _, c := range dom.Certs {
				addCert("domain", dom.Name, dom.Name, c)
			}
		}
	}
	for _, bl := range d.listeners {
		if bl.resolver != nil {
			addCert("listener", bl.l.Name(), "", bl.resolver.Listener())
		}
	}
	if len(d.listeners) > 0 && d.listeners[0].resolver != nil {
		master := d.cfg.Load().MasterDomain
		addCert("default", master, master, d.defaultCert())
	}
	return out
}

// watchDomains rebuilds the index when the domain tree changed in the
// store (another node, the command line) and re-evaluates the alarms as
// time passes, until ctx ends.
func (d *Daemon) watchDomains(ctx context.Context) {
	poll := time.NewTicker(domainPollEvery)
	defer poll.Stop()
	check := time.NewTicker(certCheckEvery)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-check.C:
			d.evaluateCertificates()
		case <-poll.C:
			rev, err := d.store.DomainsRevision(ctx)
			if err != nil {
				if ctx.Err() == nil {
					d.log.Warn("poll the domain tree", "component", "certs", "err", err)
				}
				continue
			}
			d.certs.mu.Lock()
			changed := rev != d.certs.revision
			d.certs.mu.Unlock()
			if !changed {
				continue
			}
			if err := d.rebuildCertificates(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("rebuild the certificate index; the old one keeps serving", "component", "certs", "err", err)
			}
			if d.acme != nil {
				d.acme.Kick()
			}
		}
	}
}
