package ciscospa

import (
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// transports maps the neutral transport to SIP_Transport_N_.
var transports = map[string]string{"udp": "UDP", "tcp": "TCP", "tls": "TLS"}

// dtmfMethods maps the neutral DTMF mode to DTMF_Tx_Method_N_.
var dtmfMethods = map[string]string{"rfc2833": "AVT", "inband": "InBand", "info": "INFO", "auto": "Auto"}

// secureCall maps the neutral SRTP mode to Secure_Call_Setting_N_.
var secureCall = map[string]string{"off": "No", "optional": "Yes", "mandatory": "Yes"}

// hostPort joins a host and a port, bracketing IPv6 addresses.
func hostPort(host string, port int) string {
	if port <= 0 {
		return host
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		return net.JoinHostPort(host, strconv.Itoa(port))
	}
	return host + ":" + strconv.Itoa(port)
}

// lines writes the extensions (Ext_N on the phones, Line_N on the
// adapters: the parameter names are the same).
func lines(kv *vendors.KV, p *model.Phone, mi modelInfo) {
	s := &p.Settings
	sip := s.SIP
	for _, l := range p.Lines {
		if l.Index < 1 || l.Index > mi.Lines {
			continue
		}
		n := "_" + strconv.Itoa(l.Index) + "_"
		kv.Set("Line_Enable"+n, "Yes")
		kv.Set("Proxy"+n, hostPort(p.Registrar(), p.RegistrarPort()))
		if sip != nil && sip.OutboundProxy != nil {
			kv.Set("Use_Outbound_Proxy"+n, yesNo(*sip.OutboundProxy != ""))
			if *sip.OutboundProxy != "" {
				kv.Set("Outbound_Proxy"+n, hostPort(*sip.OutboundProxy, model.Get(sip.OutboundProxyPort)))
			}
		}
		kv.Set("Register"+n, "Yes")
		if sip != nil && sip.RegisterExpires != nil {
			kv.SetInt("Register_Expires"+n, *sip.RegisterExpires)
		}
		kv.Set("Display_Name"+n, l.DisplayName)
		kv.Set("User_ID"+n, l.Extension)
		kv.Set("Password"+n, l.Password)
		useAuth := l.AuthUsername != "" && l.AuthUsername != l.Extension
		kv.Set("Use_Auth_ID"+n, yesNo(useAuth))
		if useAuth {
			kv.Set("Auth_ID"+n, l.AuthUsername)
		} else {
			kv.Set("Auth_ID"+n, "")
		}
		if l.LocalSIPPort > 0 {
			kv.SetInt("SIP_Port"+n, l.LocalSIPPort)
		}
		if t, ok := transports[p.Transport()]; ok {
			kv.Set("SIP_Transport"+n, t)
		}
		if s.DTMF != nil {
			if m, ok := dtmfMethods[*s.DTMF]; ok {
				kv.Set("DTMF_Tx_Method"+n, m)
			}
		}
		if v, ok := secureCall[p.LineSRTP(l)]; ok {
			kv.Set("Secure_Call_Setting"+n, v)
		}
		if sec := s.Security; sec != nil && sec.TrustSIPServerOnly != nil {
			kv.Set("Restrict_Source_IP"+n, yesNo(*sec.TrustSIPServerOnly))
		}
		if nw := s.Network; nw != nil && nw.VLANPriority != nil {
			kv.SetInt("SIP_CoS_Value"+n, *nw.VLANPriority)
			kv.SetInt("RTP_CoS_Value"+n, *nw.VLANPriority)
		}
	}
}

// keys writes the line keys and the expansion unit keys.
func keys(kv *vendors.KV, p *model.Phone, mi modelInfo) {
	if mi.ata {
		return
	}
	ks := slices.Clone(p.Settings.Keys)
	slices.SortStableFunc(ks, func(a, b model.Key) int { return a.Index - b.Index })
	keyed := map[int]bool{}
	for _, k := range ks {
		if k.Index >= 1 && k.Index <= mi.keys {
			keyed[k.Index] = true
		}
	}
	// A line key nobody programmed shows its own line: give it the
	// line's label.
	for _, l := range p.Lines {
		if l.Label != "" && l.Index >= 1 && l.Index <= mi.keys && l.Index <= mi.Lines && !keyed[l.Index] {
			kv.Set("Short_Name_"+strconv.Itoa(l.Index)+"_", l.Label)
		}
	}
	for _, k := range ks {
		switch {
		case k.Index < 1:
		case k.Index <= mi.keys:
			lineKey(kv, p, mi, k)
		default:
			unitKey(kv, mi, k)
		}
	}
}

// lineKey writes key k on the phone's own line keys.
func lineKey(kv *vendors.KV, p *model.Phone, mi modelInfo, k model.Key) {
	n := "_" + strconv.Itoa(k.Index) + "_"
	if k.Type == model.KeyLine {
		line := max(k.Line, 1)
		if line > mi.Lines {
			return
		}
		label := k.Label
		if label == "" {
			for _, l := range p.Lines {
				if l.Index == line {
					label = l.Label
				}
			}
		}
		kv.Set("Extension"+n, strconv.Itoa(line))
		if label != "" {
			kv.Set("Short_Name"+n, label)
		}
		kv.Set("Extended_Function"+n, "")
		return
	}
	fn, ok := function(k)
	if !ok {
		return
	}
	kv.Set("Extension"+n, "Disabled")
	kv.Set("Short_Name"+n, k.Label)
	kv.Set("Extended_Function"+n, fn)
}

// unitKey writes key k on an SPA500S expansion unit: the keys after the
// phone's own, 32 per unit.
func unitKey(kv *vendors.KV, mi modelInfo, k model.Key) {
	i := k.Index - mi.keys - 1
	unit, key := i/32+1, i%32+1
	if unit > mi.units {
		return
	}
	fn, ok := function(k)
	if !ok {
		return
	}
	kv.Set("Unit_"+strconv.Itoa(unit)+"_Key_"+strconv.Itoa(key), fn)
}

// function returns the Extended_Function script of k, or false when the
// SPA has no equivalent.
func function(k model.Key) (string, bool) {
	v, label := scriptValue(k.Value), scriptValue(k.Label)
	target := v
	if !strings.Contains(target, "@") {
		target += "@$PROXY"
	}
	switch k.Type {
	case model.KeyNone:
		return "", true
	case model.KeyBLF:
		if v == "" {
			return "", false
		}
		return "fnc=blf+sd+cp;sub=" + target + ";nme=" + label, true
	case model.KeySpeedDial, model.KeyVoicemail:
		if v == "" {
			return "", false
		}
		return "fnc=sd;ext=" + target + ";nme=" + label, true
	}
	return "", false
}
