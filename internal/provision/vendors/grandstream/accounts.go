package grandstream

import (
	"strconv"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// accountKeys are the P-value numbers of one SIP account; 0 means the
// device has no such setting.
type accountKeys struct {
	active, name, server, proxy, userID, authID, password, displayName int
	expires, localPort, transport, srtp, nat                           int
	dtmfAudio, dtmfRTP, dtmfInfo                                       int // phones: send DTMF in audio / RFC 2833 / SIP INFO
	proxyOnly, callerID                                                int
}

// phoneAccount1 is account 1 of the GXP/GRP phones.
var phoneAccount1 = accountKeys{
	active: 271, name: 270, server: 47, proxy: 48, userID: 35, authID: 36, password: 34, displayName: 3,
	expires: 32, localPort: 40, transport: 130, srtp: 183, nat: 52,
	dtmfAudio: 2301, dtmfRTP: 2302, dtmfInfo: 2303, proxyOnly: 2347, callerID: 2324,
}

// accountBases are the blocks of accounts 2 to 6 of the phones: most
// settings at base+n, the newer ones at base2+n.
var accountBases = [...]struct{ base, base2 int }{
	{400, 2400}, {500, 2500}, {600, 2600}, {1700, 2700}, {1800, 2800},
}

// ataPort1 is FXS port 1 of the HT80x; its DTMF order is P850-P852.
var ataPort1 = accountKeys{
	active: 271, server: 47, proxy: 48, userID: 35, authID: 36, password: 34, displayName: 3,
	expires: 32, localPort: 40, transport: 130, srtp: 183, nat: 52,
	proxyOnly: 243, callerID: 2324,
}

// keysOf returns the P-values of account n (from 1) of model m.
func keysOf(m phoneModel, n int) (accountKeys, bool) {
	if m.family == ata {
		return ataPort1, n == 1
	}
	if n == 1 {
		return phoneAccount1, true
	}
	if n-2 >= len(accountBases) {
		return accountKeys{}, false
	}
	b := accountBases[n-2]
	return accountKeys{
		active: b.base + 1, name: b.base + 17, server: b.base + 2, proxy: b.base + 3,
		userID: b.base + 4, authID: b.base + 5, password: b.base + 6, displayName: b.base + 7,
		expires: b.base + 12, localPort: b.base + 13, transport: b.base + 48, srtp: b.base + 43,
		nat:       b.base + 14,
		dtmfAudio: b.base2 + 1, dtmfRTP: b.base2 + 2, dtmfInfo: b.base2 + 3,
		proxyOnly: b.base2 + 47, callerID: b.base2 + 24,
	}, true
}

func setP(kv *vendors.KV, p int, value string) {
	if p != 0 {
		kv.Set("P"+strconv.Itoa(p), value)
	}
}

// transports are the codes of the SIP transport setting.
var transports = map[string]string{"udp": "0", "tcp": "1", "tls": "2"}

// account sets line l's account.
func account(kv *vendors.KV, m phoneModel, p *model.Phone, l model.Line) {
	a, ok := keysOf(m, l.Index)
	if !ok {
		return
	}
	st := &p.Settings
	transport := p.Transport()
	setP(kv, a.active, "1")
	if l.Label != "" {
		setP(kv, a.name, l.Label)
	}
	if r := p.Registrar(); r != "" {
		setP(kv, a.server, hostPort(r, p.RegistrarPort(), transport))
	}
	if st.SIP != nil && st.SIP.OutboundProxy != nil {
		setP(kv, a.proxy, hostPort(*st.SIP.OutboundProxy, model.Get(st.SIP.OutboundProxyPort), transport))
	}
	setP(kv, a.userID, l.Extension)
	if l.AuthUsername != "" {
		setP(kv, a.authID, l.AuthUsername)
	}
	setP(kv, a.password, l.Password)
	if l.DisplayName != "" {
		setP(kv, a.displayName, l.DisplayName)
	}
	if st.SIP != nil && st.SIP.RegisterExpires != nil {
		// Grandstream counts the registration lifetime in minutes.
		setP(kv, a.expires, strconv.Itoa(max(1, (*st.SIP.RegisterExpires+59)/60)))
	}
	if l.LocalSIPPort > 0 {
		setP(kv, a.localPort, strconv.Itoa(l.LocalSIPPort))
	}
	if code, ok := transports[transport]; ok {
		setP(kv, a.transport, code)
	}
	if l.SRTP != "" || st.SRTP != nil {
		setP(kv, a.srtp, srtpMode(m, p.LineSRTP(l)))
	}
	if n := st.Network; n != nil && n.STUNServer != nil {
		setP(kv, a.nat, "1") // NAT traversal: STUN
	}
	if st.DTMF != nil {
		dtmf(kv, m, a, *st.DTMF)
	}
	if sec := st.Security; sec != nil && sec.TrustSIPServerOnly != nil {
		setP(kv, a.proxyOnly, boolCode(*sec.TrustSIPServerOnly))
	}
	if c, ok := callerIDCode(l.CallerIDSource); ok {
		setP(kv, a.callerID, c)
	}
}

// srtpMode maps an SRTP mode to the SRTP Mode setting: 0 disabled, 3
// optional (phones; the HT80x, without it, gets 1 "enabled but not
// forced"), 2 enabled and forced.
func srtpMode(m phoneModel, mode string) string {
	switch mode {
	case "optional":
		if m.family == ata {
			return "1"
		}
		return "3"
	case "mandatory":
		return "2"
	}
	return "0"
}

// dtmf sets how digits are sent. The phones have one switch per method;
// the HT80x a preference order of 100 in-audio, 101 RFC 2833, 102 SIP
// INFO. "auto" is left to the device.
func dtmf(kv *vendors.KV, m phoneModel, a accountKeys, mode string) {
	if m.family == ata {
		order, ok := map[string][3]string{
			"rfc2833": {"101", "102", "100"},
			"info":    {"102", "101", "100"},
			"inband":  {"100", "101", "102"},
		}[mode]
		if ok {
			kv.Set("P850", order[0])
			kv.Set("P851", order[1])
			kv.Set("P852", order[2])
		}
		return
	}
	on, ok := map[string][3]bool{
		"rfc2833": {false, true, false},
		"info":    {false, false, true},
		"inband":  {true, false, false},
	}[mode]
	if !ok {
		return
	}
	setP(kv, a.dtmfAudio, boolCode(on[0]))
	setP(kv, a.dtmfRTP, boolCode(on[1]))
	setP(kv, a.dtmfInfo, boolCode(on[2]))
}

// callerIDCode maps a caller id source to Caller ID Display: 2 takes the
// From header, 0 (auto) prefers P-Asserted-Identity and Remote-Party-ID.
func callerIDCode(source string) (string, bool) {
	switch source {
	case "from":
		return "2", true
	case "pai", "rpid":
		return "0", true
	}
	return "", false
}

func boolCode(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
