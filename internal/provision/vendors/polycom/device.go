package polycom

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// Values of the neutral settings, as Polycom writes them.
var (
	// transports are reg.x.server.y.transport and
	// reg.x.outboundProxy.transport.
	transports = map[string]string{"udp": "UDPOnly", "tcp": "TCPOnly", "tls": "TLS"}
	// serverTypes are device.prov.serverType, by URL scheme.
	serverTypes = map[string]string{"ftp": "0", "tftp": "1", "http": "2", "https": "3", "ftps": "4"}
)

// srtp is the enable/offer/require triple of an SRTP mode: accept SRTP,
// offer it, refuse calls without it.
type srtp struct{ enable, offer, require string }

var srtpModes = map[string]srtp{
	"off":       {"0", "0", "0"},
	"optional":  {"1", "1", "0"},
	"mandatory": {"1", "1", "1"},
}

// dtmf is how digits are sent: in RTP, as RFC 2833 events, as SIP INFO.
type dtmf struct{ viaRTP, rfc2833, info string }

// dtmfModes: with RFC 2833 on, the phone falls back to in-band tones when
// the peer does not negotiate telephone-event, which is also "auto".
var dtmfModes = map[string]dtmf{
	"rfc2833": {"1", "1", "0"},
	"auto":    {"1", "1", "0"},
	"inband":  {"1", "0", "0"},
	"info":    {"0", "0", "1"},
}

// settingsKV builds the parameters of p's -user.cfg, raw keys excepted.
func settingsKV(p *model.Phone, m vendors.Model) *vendors.KV {
	kv := &vendors.KV{}
	// device.* parameters apply only with device.set; the provisioning
	// credentials below are always device parameters.
	kv.Set("device.set", "1")
	provisioning(kv, p)
	lines(kv, p, m)
	network(kv, &p.Settings)
	clock(kv, &p.Settings)
	locale(kv, &p.Settings)
	security(kv, &p.Settings)
	keys(kv, p.Settings.Keys)
	paging(kv, p.Settings.Paging)
	directory(kv, &p.Settings)
	return kv
}

// setDevice sets a device.* parameter and its .set flag.
func setDevice(kv *vendors.KV, name, value string) {
	kv.Set(name+".set", "1")
	kv.Set(name, value)
}

// provisioning writes the provisioning server, the credentials the phone
// fetches its files with, and when it checks for new ones.
func provisioning(kv *vendors.KV, p *model.Phone) {
	if u := p.ProvisioningURL(); u != "" {
		name, typ := provServer(u)
		if typ != "" {
			setDevice(kv, "device.prov.serverType", typ)
		}
		setDevice(kv, "device.prov.serverName", name)
	}
	if p.HTTPUsername != "" {
		setDevice(kv, "device.prov.user", p.HTTPUsername)
	}
	if p.HTTPPassword != "" {
		setDevice(kv, "device.prov.password", p.HTTPPassword)
	}
	pr := p.Settings.Provisioning
	if pr == nil {
		return
	}
	if pr.Sync != nil {
		switch *pr.Sync {
		case "boot":
			kv.Set("prov.polling.enabled", "0")
		case "periodic":
			kv.Set("prov.polling.enabled", "1")
			kv.Set("prov.polling.mode", "rel")
			if pr.SyncInterval != nil {
				kv.SetInt("prov.polling.period", *pr.SyncInterval*60)
			}
		case "daily":
			kv.Set("prov.polling.enabled", "1")
			kv.Set("prov.polling.mode", "abs")
			kv.Set("prov.polling.period", "86400")
		}
	}
	if pr.SyncTime != nil {
		kv.Set("prov.polling.time", *pr.SyncTime)
	}
}

// provServer splits a provisioning URL into device.prov.serverName (host
// and path, without the scheme) and device.prov.serverType (the protocol).
func provServer(raw string) (name, typ string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, ""
	}
	typ, ok := serverTypes[strings.ToLower(u.Scheme)]
	if !ok {
		return raw, ""
	}
	return u.Host + u.EscapedPath(), typ
}

// lines writes one registration per line the model has.
func lines(kv *vendors.KV, p *model.Phone, m vendors.Model) {
	s := &p.Settings
	sip := s.SIP
	if sip == nil {
		sip = &model.SIPSettings{}
	}
	registrar, port := p.Registrar(), p.RegistrarPort()
	transport, knownTransport := transports[p.Transport()]
	localPort := 0
	for _, l := range p.Lines {
		if l.Index < 1 || l.Index > m.Lines {
			continue
		}
		if localPort == 0 {
			localPort = l.LocalSIPPort
		}
		r := "reg." + strconv.Itoa(l.Index) + "."
		kv.Set(r+"address", l.Extension)
		if l.DisplayName != "" {
			kv.Set(r+"displayName", l.DisplayName)
		}
		if l.Label != "" {
			kv.Set(r+"label", l.Label)
		}
		auth := l.AuthUsername
		if auth == "" {
			auth = l.Extension
		}
		kv.Set(r+"auth.userId", auth)
		kv.Set(r+"auth.password", l.Password)
		if registrar != "" {
			kv.Set(r+"server.1.address", registrar)
			kv.SetInt(r+"server.1.port", port)
		}
		if knownTransport {
			kv.Set(r+"server.1.transport", transport)
		}
		if sip.RegisterExpires != nil {
			kv.SetInt(r+"server.1.expires", *sip.RegisterExpires)
		}
		if sip.OutboundProxy != nil {
			kv.Set(r+"outboundProxy.address", *sip.OutboundProxy)
			if knownTransport && *sip.OutboundProxy != "" {
				kv.Set(r+"outboundProxy.transport", transport)
			}
		}
		if sip.OutboundProxyPort != nil {
			kv.SetInt(r+"outboundProxy.port", *sip.OutboundProxyPort)
		}
		if l.SRTP != "" || s.SRTP != nil {
			if mode, ok := srtpModes[p.LineSRTP(l)]; ok {
				kv.Set(r+"srtp.enable", mode.enable)
				kv.Set(r+"srtp.offer", mode.offer)
				kv.Set(r+"srtp.require", mode.require)
			}
		}
	}
	// The local SIP port is one for the whole phone: the first line's wins.
	if localPort != 0 {
		kv.SetInt("voIpProt.local.port", localPort)
	}
	if s.SRTP != nil {
		if mode, ok := srtpModes[*s.SRTP]; ok {
			kv.Set("sec.srtp.enable", mode.enable)
			kv.Set("sec.srtp.offer", mode.offer)
			kv.Set("sec.srtp.require", mode.require)
		}
	}
	if s.DTMF != nil {
		if mode, ok := dtmfModes[*s.DTMF]; ok {
			kv.Set("tone.dtmf.viaRtp", mode.viaRTP)
			kv.Set("tone.dtmf.rfc2833Control", mode.rfc2833)
			kv.Set("voIpProt.SIP.dtmfViaSignaling.rfc2976", mode.info)
		}
	}
}

// network writes the LAN discovery protocols and the voice VLAN. Polycom has
// no STUN or rport parameter outside ICE, so those are not written.
func network(kv *vendors.KV, s *model.Settings) {
	n := s.Network
	if n == nil {
		return
	}
	if n.LLDP != nil {
		setDevice(kv, "device.net.lldpEnabled", boolString(*n.LLDP))
	}
	if n.CDP != nil {
		setDevice(kv, "device.net.cdpEnabled", boolString(*n.CDP))
	}
	if n.VLAN != nil {
		vlan := ""
		if *n.VLAN > 0 {
			vlan = strconv.Itoa(*n.VLAN)
		}
		setDevice(kv, "device.net.vlanId", vlan)
	}
	if n.VLANPriority != nil {
		kv.SetInt("qos.ethernet.callControl.user_priority", *n.VLANPriority)
		kv.SetInt("qos.ethernet.rtp.user_priority", *n.VLANPriority)
	}
}

// security writes the passwords and the call acceptance rules.
func security(kv *vendors.KV, s *model.Settings) {
	if s.AdminPassword != nil {
		setDevice(kv, "device.auth.localAdminPassword", *s.AdminPassword)
	}
	if s.UserPassword != nil {
		setDevice(kv, "device.auth.localUserPassword", *s.UserPassword)
	}
	sec := s.Security
	if sec == nil || (sec.TrustSIPServerOnly == nil && sec.DisableDirectIPCall == nil) {
		return
	}
	// Source validation of INVITEs accepts calls only from the registration
	// servers, which also refuses calls sent straight to the phone's IP.
	if model.Get(sec.TrustSIPServerOnly) || model.Get(sec.DisableDirectIPCall) {
		kv.Set("voIpProt.SIP.requestValidation.1.method", "source")
		kv.Set("voIpProt.SIP.requestValidation.1.request", "INVITE")
	} else {
		kv.Set("voIpProt.SIP.requestValidation.1.method", "")
		kv.Set("voIpProt.SIP.requestValidation.1.request", "")
	}
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
