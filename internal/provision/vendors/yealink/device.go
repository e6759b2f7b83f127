package yealink

import (
	"fmt"
	"strconv"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// Codes of the neutral values, as Yealink writes them.
var (
	// transportCodes are account.X.sip_server.Y.transport_type (3 is
	// DNS-NAPTR, which has no neutral value).
	transportCodes = map[string]string{"udp": "0", "tcp": "1", "tls": "2"}
	// srtpCodes are account.X.srtp_encryption.
	srtpCodes = map[string]string{"off": "0", "optional": "1", "mandatory": "2"}
	// cidCodes are account.X.cid_source: the chosen header, then From when
	// it is missing (2 PAI-FROM, 5 RPID-FROM).
	cidCodes = map[string]string{"from": "0", "pai": "2", "rpid": "5"}
	// dtmfCodes are account.X.dtmf.type (3 is "AUTO+SIP INFO": RFC 2833
	// when the peer offers it).
	dtmfCodes = map[string]string{"inband": "0", "rfc2833": "1", "info": "2", "auto": "3"}
)

// deviceKV builds the keys of the device file of p, raw keys excepted.
func deviceKV(p *model.Phone, mi modelInfo) *vendors.KV {
	kv := &vendors.KV{}
	provisioning(kv, p)
	lines(kv, p, mi)
	network(kv, &p.Settings)
	clock(kv, &p.Settings)
	locale(kv, &p.Settings)
	security(kv, &p.Settings)
	keys(kv, p.Settings.Keys)
	paging(kv, p.Settings.Paging)
	directory(kv, &p.Settings)
	return kv
}

// provisioning writes where and when the phone fetches its files, and the
// credentials it fetches them with.
func provisioning(kv *vendors.KV, p *model.Phone) {
	if u := p.ProvisioningURL(); u != "" {
		kv.Set("static.auto_provision.server.url", u)
	}
	if p.HTTPUsername != "" {
		kv.Set("static.auto_provision.server.username", p.HTTPUsername)
	}
	if p.HTTPPassword != "" {
		kv.Set("static.auto_provision.server.password", p.HTTPPassword)
	}
	pr := p.Settings.Provisioning
	if pr == nil {
		return
	}
	// Yealink has no key for a target firmware version: the URL names the
	// image, and the phone upgrades when it differs from its own.
	if pr.FirmwareURL != nil {
		kv.Set("static.firmware.url", *pr.FirmwareURL)
	}
	if pr.Sync != nil {
		switch *pr.Sync {
		case "boot":
			kv.Set("static.auto_provision.power_on", "1")
			kv.Set("static.auto_provision.repeat.enable", "0")
			kv.Set("static.auto_provision.weekly.enable", "0")
		case "periodic":
			kv.Set("static.auto_provision.power_on", "1")
			kv.Set("static.auto_provision.repeat.enable", "1")
			kv.Set("static.auto_provision.weekly.enable", "0")
		case "daily":
			kv.Set("static.auto_provision.power_on", "1")
			kv.Set("static.auto_provision.repeat.enable", "0")
			kv.Set("static.auto_provision.weekly.enable", "1")
			kv.Set("static.auto_provision.weekly.dayofweek", "0123456")
		}
	}
	if pr.SyncInterval != nil {
		kv.SetInt("static.auto_provision.repeat.minutes", *pr.SyncInterval)
	}
	if pr.SyncTime != nil {
		if begin, end, ok := syncWindow(*pr.SyncTime); ok {
			kv.Set("static.auto_provision.weekly.begin_time", begin)
			kv.Set("static.auto_provision.weekly.end_time", end)
		}
	}
}

// syncWindow returns the daily check window starting at hhmm: the phone
// checks at a random time between begin and end, which also spreads the load
// of many phones over an hour.
func syncWindow(hhmm string) (begin, end string, ok bool) {
	h, m, ok := parseHHMM(hhmm)
	if !ok {
		return "", "", false
	}
	eh, em := h+1, m
	if eh > 23 {
		eh, em = 23, 59
	}
	return clock2(h, m), clock2(eh, em), true
}

func parseHHMM(s string) (h, m int, ok bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

func clock2(h, m int) string { return fmt.Sprintf("%02d:%02d", h, m) }

// lines writes one account per line the model has.
func lines(kv *vendors.KV, p *model.Phone, mi modelInfo) {
	s := &p.Settings
	sip := s.SIP
	if sip == nil {
		sip = &model.SIPSettings{}
	}
	net := s.Network
	if net == nil {
		net = &model.NetworkSettings{}
	}
	registrar, port, transport := p.Registrar(), p.RegistrarPort(), p.Transport()
	localPort := 0
	for _, l := range p.Lines {
		if l.Index < 1 || l.Index > mi.Lines {
			continue
		}
		if localPort == 0 {
			localPort = l.LocalSIPPort
		}
		a := "account." + strconv.Itoa(l.Index) + "."
		kv.Set(a+"enable", "1")
		if l.Label != "" {
			kv.Set(a+"label", l.Label)
		}
		if l.DisplayName != "" {
			kv.Set(a+"display_name", l.DisplayName)
		}
		auth := l.AuthUsername
		if auth == "" {
			auth = l.Extension
		}
		kv.Set(a+"auth_name", auth)
		kv.Set(a+"user_name", l.Extension)
		kv.Set(a+"password", l.Password)
		if registrar != "" {
			kv.Set(a+"sip_server.1.address", registrar)
			kv.SetInt(a+"sip_server.1.port", port)
		}
		if code, ok := transportCodes[transport]; ok {
			kv.Set(a+"sip_server.1.transport_type", code)
		}
		if sip.RegisterExpires != nil {
			kv.SetInt(a+"sip_server.1.expires", *sip.RegisterExpires)
		}
		if sip.OutboundProxy != nil {
			kv.SetBool(a+"outbound_proxy_enable", *sip.OutboundProxy != "", "1", "0")
			if *sip.OutboundProxy != "" {
				kv.Set(a+"outbound_proxy.1.address", *sip.OutboundProxy)
			}
		}
		if sip.OutboundProxyPort != nil {
			kv.SetInt(a+"outbound_proxy.1.port", *sip.OutboundProxyPort)
		}
		if l.SRTP != "" || s.SRTP != nil {
			if code, ok := srtpCodes[p.LineSRTP(l)]; ok {
				kv.Set(a+"srtp_encryption", code)
			}
		}
		if code, ok := cidCodes[l.CallerIDSource]; ok {
			kv.Set(a+"cid_source", code)
		}
		if s.DTMF != nil {
			if code, ok := dtmfCodes[*s.DTMF]; ok {
				kv.Set(a+"dtmf.type", code)
			}
		}
		if net.RPort != nil {
			kv.SetBool(a+"nat.rport", *net.RPort, "1", "0")
		}
		if net.STUNServer != nil {
			kv.SetBool(a+"nat.nat_traversal", *net.STUNServer != "", "1", "0")
		}
	}
	// The local SIP port is one for the whole phone: the first line's wins.
	if localPort != 0 {
		if transport == "tls" {
			kv.SetInt("sip.tls_listen_port", localPort)
		} else {
			kv.SetInt("sip.listen_port", localPort)
		}
	}
}

// network writes NAT traversal and the LAN settings.
func network(kv *vendors.KV, s *model.Settings) {
	n := s.Network
	if n == nil {
		return
	}
	if n.STUNServer != nil {
		kv.SetBool("static.sip.nat_stun.enable", *n.STUNServer != "", "1", "0")
		if *n.STUNServer != "" {
			kv.Set("static.sip.nat_stun.server", *n.STUNServer)
		}
	}
	if n.STUNPort != nil {
		kv.SetInt("static.sip.nat_stun.port", *n.STUNPort)
	}
	if n.LLDP != nil {
		kv.SetBool("static.network.lldp.enable", *n.LLDP, "1", "0")
	}
	if n.CDP != nil {
		kv.SetBool("static.network.cdp.enable", *n.CDP, "1", "0")
	}
	if n.VLAN != nil {
		kv.SetBool("static.network.vlan.internet_port_enable", *n.VLAN > 0, "1", "0")
		if *n.VLAN > 0 {
			kv.SetInt("static.network.vlan.internet_port_vid", *n.VLAN)
		}
	}
	if n.VLANPriority != nil {
		kv.SetInt("static.network.vlan.internet_port_priority", *n.VLANPriority)
	}
}

// security writes the passwords and the call acceptance rules.
func security(kv *vendors.KV, s *model.Settings) {
	// static.security.user_password takes "<user>:<password>" and names one
	// account per line; a file can hold the key once, so the administrator's
	// password wins and the user's is written only without it.
	switch {
	case s.AdminPassword != nil:
		kv.Set("static.security.user_password", "admin:"+*s.AdminPassword)
	case s.UserPassword != nil:
		kv.Set("static.security.user_password", "user:"+*s.UserPassword)
	}
	if sec := s.Security; sec != nil {
		if sec.DisableDirectIPCall != nil {
			kv.SetBool("features.direct_ip_call_enable", !*sec.DisableDirectIPCall, "1", "0")
		}
		if sec.TrustSIPServerOnly != nil {
			kv.SetBool("sip.trust_ctrl", *sec.TrustSIPServerOnly, "1", "0")
		}
	}
}
