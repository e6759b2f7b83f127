package daemon

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/alarm"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/store"
)

// acmeNamespace is the namespace of the key/value table the ACME client
// keeps its accounts, tokens and states in.
const acmeNamespace = "acme"

// acmeStore gives the ACME client its namespace of the store and the
// store's lock.
type acmeStore struct {
	store.Namespace
	db *store.DB
}

func (s acmeStore) TryLock(ctx context.Context, name string, ttl time.Duration) (func(), bool, error) {
	return s.db.TryLock(ctx, name, ttl)
}

func newACMEStore(db *store.DB) acmeStore {
	return acmeStore{Namespace: db.Namespace(acmeNamespace), db: db}
}

// serviceDomains is the domain tree as the ACME client sees it: always the
// service of the current master domain.
type serviceDomains struct{ d *Daemon }

func (s serviceDomains) List(ctx context.Context) ([]domains.Domain, error) {
	return s.d.domainService().List(ctx)
}

func (s serviceDomains) Get(ctx context.Context, name string) (domains.Domain, error) {
	return s.d.domainService().Get(ctx, name)
}

func (s serviceDomains) Update(ctx context.Context, name string, p domains.Patch) (domains.Domain, error) {
	return s.d.domainService().Update(ctx, name, p)
}

// acmeConfig turns the acme section into the client's configuration,
// reading the extra roots; an unreadable root file is a configuration
// error naming its field.
func acmeConfig(cfg *config.Config) (acme.Config, config.Errors) {
	a := cfg.ACME
	out := acme.Config{
		Directory: a.Directory, KeyType: a.KeyType, RenewRatio: a.RenewRatio,
		OrdersPerWeek: a.OrdersPerWeek, CheckInterval: a.CheckInterval.Std(),
	}
	var errs config.Errors
	if len(a.CARoots) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		for i, f := range a.CARoots {
			path := fmt.Sprintf("acme.ca_roots[%d]", i)
			b, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, cfg.Errorf(path, "%v", err))
				continue
			}
			if !pool.AppendCertsFromPEM(b) {
				errs = append(errs, cfg.Errorf(path, "%s holds no PEM certificate", f))
			}
		}
		out.Roots = pool
	}
	return out, errs
}

// startACME makes the ACME client and starts its checks.
func (d *Daemon) startACME(ctx context.Context, cfg acme.Config) {
	d.acme = acme.New(cfg, acme.Options{
		Store:     newACMEStore(d.store),
		Domains:   serviceDomains{d},
		Log:       d.log,
		Now:       d.now,
		UserAgent: "pbxgate/" + d.opts.Version,
		OnCheck: func(changed bool) {
			d.metrics.acmeChecks.Inc()
			d.acmeChecked(ctx, changed)
		},
		OnOrder: func(_, outcome string) { d.metrics.acmeOrders.WithLabelValues(outcome).Inc() },
	})
	d.acmeResponder = &acme.Responder{Store: newACMEStore(d.store), Log: d.log}
	d.wg.Go(func() { d.acme.Run(ctx) })
}

// acmeChecked follows a check or an order of the ACME client: a written
// certificate is served at once, and the ACME alarms follow the states.
func (d *Daemon) acmeChecked(ctx context.Context, changed bool) {
	if changed {
		if err := d.rebuildCertificates(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("rebuild the certificate index; the old one keeps serving", "component", "certs", "err", err)
		}
	}
	d.syncACMEAlarms(ctx)
}

// syncACMEAlarms raises acme_failing and certificate_renewal_overdue for
// the domains whose state says so, and clears the others.
func (d *Daemon) syncACMEAlarms(ctx context.Context) {
	list, err := d.acme.Status(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("acme status", "component", "acme", "err", err)
		}
		return
	}
	d.acmeAlarmsMu.Lock()
	defer d.acmeAlarmsMu.Unlock()
	want := map[[2]string]bool{}
	for _, s := range list {
		if s.Failures > 0 {
			k := [2]string{acme.AlarmFailing, s.Domain}
			want[k] = true
			msg := fmt.Sprintf("ACME orders for %s fail since %s (%d attempts; next at %s): %s",
				s.Domain, s.FailingSince.UTC().Format(time.RFC3339), s.Failures, s.NextAttempt.UTC().Format(time.RFC3339), s.LastError)
			sev := alarm.Warning
			if s.NotAfter.IsZero() || !d.now().Before(s.NotAfter) {
				sev = alarm.Critical
			}
			d.alarms.Raise(k[0], k[1], msg, sev)
		}
		if s.Overdue {
			k := [2]string{acme.AlarmOverdue, s.Domain}
			want[k] = true
			d.alarms.Raise(k[0], k[1], fmt.Sprintf("the automatic certificate of %s was due for renewal on %s and expires on %s",
				s.Domain, s.NextRenewal.UTC().Format(time.RFC3339), s.NotAfter.UTC().Format(time.RFC3339)), alarm.Critical)
		}
	}
	for k := range d.acmeAlarms {
		if !want[k] {
			d.alarms.Clear(k[0], k[1])
		}
	}
	d.acmeAlarms = want
}

// challengeHandler answers HTTP-01 challenges on the plain listener called
// name when the configuration lets it, and hands every other request to
// next.
func (d *Daemon) challengeHandler(name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, acme.ChallengePath) && d.acmeResponder != nil {
			if l := d.cfg.Load().ACME.HTTPChallengeListener; l == "" || l == name {
				d.acmeResponder.ServeHTTP(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// acmeAPI is the ACME client as the API reads it; it answers once the
// client runs.
type acmeAPI struct{ d *Daemon }

var errACMENotStarted = errors.New("the ACME client is not started")

func (a acmeAPI) Status(ctx context.Context) ([]acme.Status, error) {
	if a.d.acme == nil {
		return nil, errACMENotStarted
	}
	return a.d.acme.Status(ctx)
}

func (a acmeAPI) DomainStatus(ctx context.Context, dom domains.Domain) (acme.Status, error) {
	if a.d.acme == nil {
		return acme.Status{}, errACMENotStarted
	}
	return a.d.acme.DomainStatus(ctx, dom)
}
