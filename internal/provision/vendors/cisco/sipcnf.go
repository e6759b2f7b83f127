package cisco

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// cnfValue formats a value of a .cnf file: between double quotes, with the
// characters that would end the value or the line dropped.
func cnfValue(key, value string) string {
	v := strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, value)
	return key + ": \"" + v + "\""
}

// renderSIPDefault renders the file every 7940 and 7960 reads first.
func renderSIPDefault(c *model.Common) []byte {
	var kv vendors.KV
	kv.Set("proxy_register", "1")
	if c.Server.SIPServer != "" {
		kv.Set("proxy1_address", c.Server.SIPServer)
	}
	var buf bytes.Buffer
	buf.WriteString("# Defaults of the Cisco 7940/7960 SIP firmware; each phone reads SIP<MAC>.cnf next.\n")
	kv.Write(&buf, cnfValue, "\n")
	return buf.Bytes()
}

// months are the month names of dst_*_month.
var months = [...]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// weekdays are the day names of dst_*_day_of_week.
var weekdays = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// sipDTMF maps the DTMF mode to dtmf_inband and dtmf_outofband.
var sipDTMF = map[string][2]string{
	"rfc2833": {"0", "avt"},
	"inband":  {"1", "none"},
	"auto":    {"1", "avt"},
}

// renderSIP renders SIP<MAC>.cnf.
func renderSIP(p *model.Phone, mi modelInfo) ([]byte, error) {
	var kv vendors.KV
	s := &p.Settings
	if pr := s.Provisioning; pr != nil && pr.FirmwareVersion != nil {
		kv.Set("image_version", *pr.FirmwareVersion)
	}
	if p.Label != "" {
		// The label fits in the top right corner: 11 characters.
		label := []rune(p.Label)
		kv.Set("phone_label", string(label[:min(len(label), 11)]))
	}
	kv.Set("proxy_register", "1")
	if s.SIP != nil && s.SIP.RegisterExpires != nil {
		kv.SetInt("timer_register_expires", *s.SIP.RegisterExpires)
	}
	used := map[int]bool{}
	for _, l := range p.Lines {
		if l.Index < 1 || l.Index > mi.Lines {
			continue
		}
		used[l.Index] = true
		n := strconv.Itoa(l.Index)
		kv.Set("line"+n+"_name", l.Extension)
		auth := l.AuthUsername
		if auth == "" {
			auth = l.Extension
		}
		kv.Set("line"+n+"_authname", auth)
		kv.Set("line"+n+"_password", l.Password)
		kv.Set("line"+n+"_displayname", l.DisplayName)
		if l.Label != "" {
			kv.Set("line"+n+"_shortname", l.Label)
		}
		kv.Set("proxy"+n+"_address", p.Registrar())
		kv.SetInt("proxy"+n+"_port", p.RegistrarPort())
	}
	if sip := s.SIP; sip != nil && sip.OutboundProxy != nil {
		kv.Set("outbound_proxy", *sip.OutboundProxy)
		if sip.OutboundProxyPort != nil {
			kv.SetInt("outbound_proxy_port", *sip.OutboundProxyPort)
		}
	}
	if len(p.Lines) > 0 && p.Lines[0].LocalSIPPort > 0 {
		kv.SetInt("voip_control_port", p.Lines[0].LocalSIPPort)
	}
	sipClock(&kv, s)
	if s.DTMF != nil {
		if d, ok := sipDTMF[*s.DTMF]; ok {
			kv.Set("dtmf_inband", d[0])
			kv.Set("dtmf_outofband", d[1])
		}
	}
	for _, l := range p.Lines {
		if l.CallerIDSource != "" {
			kv.SetBool("remote_party_id", l.CallerIDSource == "rpid", "1", "0")
			break
		}
	}
	if s.AdminPassword != nil {
		kv.Set("phone_password", *s.AdminPassword)
	}
	if s.DirectoryURL != nil {
		kv.Set("directory_url", *s.DirectoryURL)
	}
	sipKeys(&kv, s.Keys, mi, used)
	for k := range s.Raw {
		if !validCnfKey(k) {
			return nil, fmt.Errorf("cisco: raw key %q is not a parameter name", k)
		}
	}
	kv.SetRaw(s.Raw)
	var buf bytes.Buffer
	kv.Write(&buf, cnfValue, "\n")
	return buf.Bytes(), nil
}

// validCnfKey tells whether s can be written as a .cnf parameter name:
// letters, digits and '_'.
func validCnfKey(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		default:
			return false
		}
	}
	return true
}

// sipClock writes the NTP server, time zone and daylight saving rule.
func sipClock(kv *vendors.KV, s *model.Settings) {
	t := s.Time
	if t == nil {
		return
	}
	if t.NTPServer != nil {
		kv.Set("sntp_mode", "unicast")
		kv.Set("sntp_server", *t.NTPServer)
	}
	z, known := model.Zone(model.Get(t.TimeZone))
	if known {
		if abbr, ok := sipZones[z.StdOffset/60]; ok {
			kv.Set("time_zone", abbr)
		}
	}
	if known && z.HasDST() {
		// The rule is written even when DST is off or unset, so that
		// switching it on later needs nothing else.
		if start, end, save, ok := dstTransitions(z.Name); ok {
			kv.Set("dst_offset", sipHours(save))
			sipDST(kv, "dst_start_", start)
			sipDST(kv, "dst_stop_", end)
		}
	}
	switch {
	case known && !z.HasDST():
		kv.Set("dst_auto_adjust", "0")
	case t.DST != nil:
		kv.SetBool("dst_auto_adjust", *t.DST, "1", "0")
	}
}

// sipHours formats seconds as dst_offset does: whole hours, else HH/MM.
func sipHours(sec int) string {
	if sec%3600 == 0 {
		return strconv.Itoa(sec / 3600)
	}
	return fmt.Sprintf("%02d/%02d", sec/3600, sec%3600/60)
}

// sipDST writes one end of the daylight saving period as a relative rule:
// the weekday of the week of the month.
func sipDST(kv *vendors.KV, prefix string, t transition) {
	kv.Set(prefix+"month", months[t.month])
	kv.Set(prefix+"day", "0")
	kv.Set(prefix+"day_of_week", weekdays[t.weekday])
	kv.SetInt(prefix+"week_of_month", t.week())
	if t.minute == 0 {
		kv.Set(prefix+"time", fmt.Sprintf("%02d", t.hour))
	} else {
		kv.Set(prefix+"time", fmt.Sprintf("%02d/%02d", t.hour, t.minute))
	}
}

// sipKeys writes the voicemail number and the speed dials of the line
// buttons that no line uses.
func sipKeys(kv *vendors.KV, keys []model.Key, mi modelInfo, used map[int]bool) {
	ks := slices.Clone(keys)
	slices.SortStableFunc(ks, func(a, b model.Key) int { return a.Index - b.Index })
	for _, k := range ks {
		switch k.Type {
		case model.KeyVoicemail:
			if k.Value != "" {
				kv.Set("messages_uri", k.Value)
			}
		case model.KeySpeedDial:
			if k.Index < 1 || k.Index > mi.buttons || used[k.Index] || k.Value == "" {
				continue
			}
			n := strconv.Itoa(k.Index)
			kv.Set("speed_line"+n, k.Value)
			kv.Set("speed_label"+n, k.Label)
		}
	}
}
