package daemon

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	"github.com/pbxgate/pbxgate/internal/acme"
	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/gateway"
	"github.com/pbxgate/pbxgate/internal/guard"
)

// built is everything made from one configuration before it is swapped in.
type built struct {
	snap *gateway.Snapshot
	// listenerCerts holds each listener's own certificate (certdir or
	// keystore), nil where it has none; indexed like cfg.Listeners.
	listenerCerts []*tls.Certificate
	defaultCert   *tls.Certificate
	acme          acme.Config
	// guard is the guard of the configuration, nil when it is off.
	guard *guard.Guard
}

// build makes the snapshot and the certificates of cfg. It binds nothing
// and changes nothing that is serving; on error everything it made is
// released.
func (d *Daemon) build(cfg *config.Config) (*built, error) {
	var errs config.Errors
	if err := cfg.Validate(); err != nil {
		var ve config.Errors
		if !errors.As(err, &ve) {
			return nil, err
		}
		errs = append(errs, ve...)
	}
	cfg = cfg.Clone()
	filled := withAdminUser(cfg, d.adminPW)
	b := &built{listenerCerts: make([]*tls.Certificate, len(cfg.Listeners))}
	for i, l := range cfg.Listeners {
		if !l.TLS {
			continue
		}
		var err error
		path := fmt.Sprintf("listeners[%d]", i)
		switch {
		case l.CertDir != "":
			b.listenerCerts[i], err = certs.LoadCertDir(l.CertDir)
			path += ".certdir"
		case l.Keystore.File != "":
			b.listenerCerts[i], err = certs.LoadKeystoreFile(l.Keystore.File, certs.KeystoreOptions{
				StorePassword: l.Keystore.StorePassword, KeyPassword: l.Keystore.KeyPassword, Alias: l.Keystore.Alias,
			})
			path += ".keystore.file"
		}
		if err != nil {
			errs = append(errs, cfg.Errorf(path, "%v", err))
		}
	}
	if g, err := d.buildGuard(cfg); err != nil {
		errs = append(errs, cfg.Errorf("guard", "%v", err))
	} else {
		b.guard = g
	}
	acmeCfg, acmeErrs := acmeConfig(cfg)
	b.acme = acmeCfg
	errs = append(errs, acmeErrs...)
	snap, err := gateway.Build(cfg, d.services)
	if err != nil {
		var fe config.Errors
		if errors.As(err, &fe) {
			errs = append(errs, fe...)
		} else {
			errs = append(errs, cfg.Errorf("contexts", "%v", err))
		}
	}
	// The default certificate is written to the data directory only for a
	// configuration that is otherwise valid: a refused reload changes
	// nothing on disk.
	if len(errs) == 0 && !d.checkOnly {
		def, created, err := certs.LoadOrCreateDefault(cfg.DataDir, cfg.MasterDomain, d.now())
		if err != nil {
			errs = append(errs, cfg.Errorf("master_domain", "default certificate: %v", err))
		} else if created {
			d.log.Info("made the default certificate", "component", "certs", "name", cfg.MasterDomain)
		}
		b.defaultCert = def
	}
	if len(errs) > 0 {
		if snap != nil {
			snap.Retire()
		}
		return nil, cfg.Report(errs)
	}
	for _, w := range snap.Warnings() {
		if injected(filled, w) {
			continue
		}
		d.log.Warn(w, "component", "config")
	}
	b.snap = snap
	return b, nil
}

// injected reports whether a warning is about the generated admin user,
// whose plaintext password is ours, not the operator's.
func injected(filled []string, warning string) bool {
	for _, c := range filled {
		if strings.HasPrefix(warning, "contexts."+c+".realm_auth.users[0]") {
			return true
		}
	}
	return false
}

// install makes b serve: the listeners' certificates, then the gateway.
func (d *Daemon) install(cfg *config.Config, b *built) {
	d.defCert.Store(b.defaultCert)
	for i, bl := range d.listeners {
		if bl.resolver != nil {
			bl.resolver.SetListener(b.listenerCerts[i])
			bl.resolver.SetDefault(b.defaultCert)
		}
	}
	d.gw.Swap(b.snap)
	d.guard.Store(b.guard)
	if err := d.openGuardLog(cfg); err != nil {
		d.log.Error("guard log", "component", "guard", "err", err)
	}
	d.cfg.Store(cfg)
	if d.acme != nil {
		d.acme.SetConfig(b.acme)
	}
	now := d.now()
	d.loadedAt.Store(&now)
	d.generation.Add(1)
	d.applyLogLevel(cfg)
	if d.table.Load() != nil {
		d.evaluateCertificates()
	}
}
