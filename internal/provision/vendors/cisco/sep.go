package cisco

import (
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// renderXMLDefault renders the file an enterprise phone reads when it has
// no SEP<MAC>.cnf.xml: where the SIP server is, nothing else.
func renderXMLDefault(c *model.Common) []byte {
	root := &node{name: "Default"}
	if c.Server.SIPServer != "" {
		callManagers(root, c.Server.SIPServer, 5060, false)
	}
	return document(root)
}

// callManagers writes the callManagerGroup of a SIP server: port is its
// SIP-TLS port when tls is true, else its SIP port.
func callManagers(parent *node, host string, port int, tls bool) {
	cm := parent.add("callManagerGroup").add("members").add("member", [2]string{"priority", "0"}).add("callManager")
	sipPort, tlsPort := port, 5061
	if tls {
		sipPort, tlsPort = 5060, port
	}
	ports := cm.add("ports")
	ports.leaf("sipPort", strconv.Itoa(sipPort))
	ports.leaf("securedSipPort", strconv.Itoa(tlsPort))
	cm.leaf("processNodeName", host)
}

// transportProtocols maps the transport to transportLayerProtocol.
var transportProtocols = map[string]string{"tcp": "1", "udp": "2", "tls": "3"}

// securityMode is the deviceSecurityMode: 3 (encrypted: TLS and SRTP) for
// TLS with SRTP, 2 (authenticated) for TLS alone, 1 otherwise. The phone
// encrypts media for all its lines or none, so the first line decides.
func securityMode(transport, srtp string) string {
	switch {
	case transport != "tls":
		return "1"
	case srtp == "optional" || srtp == "mandatory":
		return "3"
	}
	return "2"
}

// sepDTMF maps the DTMF mode to dtmfOutofBand.
var sepDTMF = map[string]string{"rfc2833": "avt", "auto": "avt", "inband": "none"}

// userLocales and networkLocales map the language and tone country to the
// locale names of the enterprise firmware; the locale files must be on the
// phone's TFTP server.
var (
	userLocales = map[string]string{
		"en": "English_United_States", "fr": "French_France", "de": "German_Germany",
		"es": "Spanish_Spain", "it": "Italian_Italy", "nl": "Dutch_Netherlands", "pt": "Portuguese_Portugal",
	}
	networkLocales = map[string]string{
		"US": "United_States", "CA": "Canada", "GB": "United_Kingdom", "FR": "France", "DE": "Germany",
		"ES": "Spain", "IT": "Italy", "NL": "Netherlands", "BE": "Belgium", "CH": "Switzerland",
		"AT": "Austria", "PT": "Portugal", "AU": "Australia", "NZ": "New_Zealand",
	}
)

// renderSEP renders SEP<MAC>.cnf.xml.
func renderSEP(p *model.Phone, mi modelInfo) ([]byte, error) {
	s := &p.Settings
	dev := &node{name: "device"}
	dev.leaf("fullConfig", "true")
	dev.leaf("deviceProtocol", "SIP")

	pool := dev.add("devicePool")
	if t := s.Time; t != nil && (t.TimeZone != nil || t.NTPServer != nil) {
		dts := pool.add("dateTimeSetting")
		if z, ok := model.Zone(model.Get(t.TimeZone)); ok {
			if name, ok := sepTimeZone(z, t.DST == nil || *t.DST); ok {
				dts.leaf("timeZone", name)
			}
		}
		if t.NTPServer != nil {
			ntp := dts.add("ntps").add("ntp")
			ntp.leaf("name", *t.NTPServer)
			ntp.leaf("ntpMode", "Unicast")
		}
	}
	callManagers(pool, p.Registrar(), p.RegistrarPort(), p.Transport() == "tls")

	prof := dev.add("sipProfile")
	proxies := prof.add("sipProxies")
	if sip := s.SIP; sip != nil && sip.OutboundProxy != nil {
		proxies.leaf("outboundProxy", *sip.OutboundProxy)
		if sip.OutboundProxyPort != nil {
			proxies.leaf("outboundProxyPort", strconv.Itoa(*sip.OutboundProxyPort))
		}
	}
	proxies.leaf("registerWithProxy", "true")
	stack := prof.add("sipStack")
	if s.SIP != nil && s.SIP.RegisterExpires != nil {
		stack.leaf("timerRegisterExpires", strconv.Itoa(*s.SIP.RegisterExpires))
	}
	for _, l := range p.Lines {
		if l.CallerIDSource != "" {
			stack.leaf("remotePartyID", strconv.FormatBool(l.CallerIDSource == "rpid"))
			break
		}
	}
	if len(stack.kids) == 0 {
		prof.kids = slices.DeleteFunc(prof.kids, func(n *node) bool { return n == stack })
	}
	if s.DTMF != nil {
		if d, ok := sepDTMF[*s.DTMF]; ok {
			prof.leaf("dtmfOutofBand", d)
		}
	}
	if mi.label && p.Label != "" {
		prof.leaf("phoneLabel", phoneLabel(p.Label))
	}
	sipLines(prof.add("sipLines"), p, mi)
	if len(p.Lines) > 0 && p.Lines[0].LocalSIPPort > 0 {
		prof.leaf("voipControlPort", strconv.Itoa(p.Lines[0].LocalSIPPort))
	}

	if s.AdminPassword != nil {
		dev.add("commonProfile").leaf("phonePassword", *s.AdminPassword)
	}
	if pr := s.Provisioning; pr != nil && pr.FirmwareVersion != nil {
		dev.leaf("loadInformation", *pr.FirmwareVersion)
	}
	if n := s.Network; n != nil && (n.CDP != nil || n.LLDP != nil) {
		vc := dev.add("vendorConfig")
		if n.CDP != nil {
			vc.leaf("enableCdpSwPort", boolDigit(*n.CDP))
		}
		if n.LLDP != nil {
			vc.leaf("enableLldpSwPort", boolDigit(*n.LLDP))
		}
	}
	if s.Language != nil {
		if name, ok := userLocales[strings.ToLower(*s.Language)]; ok {
			dev.add("userLocale").leaf("name", name)
		}
	}
	if s.Tones != nil {
		if name, ok := networkLocales[strings.ToUpper(*s.Tones)]; ok {
			dev.leaf("networkLocale", name)
			dev.add("networkLocaleInfo").leaf("name", name)
		}
	}
	srtp := "off"
	if len(p.Lines) > 0 {
		srtp = p.LineSRTP(p.Lines[0])
	}
	dev.leaf("deviceSecurityMode", securityMode(p.Transport(), srtp))
	if s.DirectoryURL != nil {
		dev.leaf("directoryURL", *s.DirectoryURL)
	}
	if tp, ok := transportProtocols[p.Transport()]; ok {
		dev.leaf("transportLayerProtocol", tp)
	}

	raw := make([]string, 0, len(s.Raw))
	for k := range s.Raw {
		raw = append(raw, k)
	}
	slices.Sort(raw)
	for _, k := range raw {
		if err := dev.set(k, s.Raw[k]); err != nil {
			return nil, err
		}
	}
	return document(dev), nil
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// phoneLabel makes a label fit <phoneLabel>: no spaces, 13 characters.
func phoneLabel(s string) string {
	s = strings.Join(strings.Fields(s), "")
	if r := []rune(s); len(r) > 13 {
		s = string(r[:13])
	}
	return s
}
