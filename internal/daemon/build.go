package daemon

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/config"
	"github.com/pbxgate/pbxgate/internal/gateway"
)

// built is everything made from one configuration before it is swapped in.
type built struct {
	snap *gateway.Snapshot
	// listenerCerts holds each listener's own certificate (certdir or
	// keystore), nil where it has none; indexed like cfg.Listeners.
	listenerCerts []*tls.Certificate
	defaultCert   *tls.Certificate
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
	if !d.checkOnly {
		def, created, err := certs.LoadOrCreateDefault(cfg.DataDir, cfg.MasterDomain, d.now())
		if err != nil {
			errs = append(errs, cfg.Errorf("master_domain", "default certificate: %v", err))
		} else if created {
			d.log.Info("made the default certificate", "component", "certs", "name", cfg.MasterDomain)
		}
		b.defaultCert = def
	}

	snap, err := gateway.Build(cfg, d.services)
	if err != nil {
		if fe, ok := err.(config.Errors); ok {
			errs = append(errs, fe...)
		} else {
			errs = append(errs, cfg.Errorf("contexts", "%v", err))
		}
	}
	if len(errs) > 0 {
		if snap != nil {
			snap.Retire()
		}
		return nil, dedupe(errs)
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
	for i, bl := range d.listeners {
		if bl.resolver != nil {
			bl.resolver.Set(b.listenerCerts[i], b.defaultCert)
		}
	}
	d.gw.Swap(b.snap)
	d.cfg.Store(cfg)
	now := d.now()
	d.loadedAt.Store(&now)
	d.generation.Add(1)
	d.applyLogLevel(cfg)
}

// dedupe keeps the first error of each field path (validation and the
// compilers may both find a bad scheme) and orders them by file and line.
func dedupe(errs config.Errors) config.Errors {
	seen := map[string]bool{}
	out := errs[:0:0]
	for _, e := range errs {
		if seen[e.Path] {
			continue
		}
		seen[e.Path] = true
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b *config.FieldError) int {
		fa, la := splitPos(a.Pos)
		fb, lb := splitPos(b.Pos)
		return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(la, lb))
	})
	return out
}

func splitPos(pos string) (string, int) {
	i := strings.LastIndexByte(pos, ':')
	if i < 0 {
		return pos, 0
	}
	n, _ := strconv.Atoi(pos[i+1:])
	return pos[:i], n
}
