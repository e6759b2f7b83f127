package daemon

import (
	"context"

	"github.com/pbxgate/pbxgate/internal/api"
	"github.com/pbxgate/pbxgate/internal/certs"
)

// tlsAPI answers the API's questions about certificate selection.
type tlsAPI struct{ d *Daemon }

func (t tlsAPI) Certificates() []api.Servable {
	list := t.d.servable()
	out := make([]api.Servable, len(list))
	for i, s := range list {
		out[i] = api.Servable{Source: s.Source, Name: s.Name, Certificate: s.Info, Problems: s.Problems}
	}
	return out
}

func (t tlsAPI) Resolve(listener, sni string) (api.Resolution, bool) {
	for _, bl := range t.d.listeners {
		if bl.l.Name() != listener || bl.resolver == nil {
			continue
		}
		res := bl.resolver.Resolve(sni, nil)
		out := api.Resolution{SNI: sni, Listener: listener, Source: res.Source, Domain: res.Domain, Steps: res.Steps}
		if res.Cert != nil {
			info := certs.Describe(res.Cert)
			out.Certificate = &info
		}
		return out, true
	}
	return api.Resolution{}, false
}

// domainsChanged rebuilds the certificate index after a write through the
// API, so that the next handshake sees it without waiting for the poll.
func (d *Daemon) domainsChanged(ctx context.Context) {
	if err := d.rebuildCertificates(ctx); err != nil {
		d.log.Error("rebuild the certificate index; the old one keeps serving", "component", "certs", "err", err)
	}
	if d.acme != nil {
		d.acme.Kick()
	}
}
