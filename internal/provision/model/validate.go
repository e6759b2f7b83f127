package model

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Problem is one invalid setting, named by its JSON path.
type Problem struct {
	Field string
	Msg   string
}

func (p Problem) Error() string { return p.Field + ": " + p.Msg }

// Values accepted by the enumerated settings.
var (
	Transports = []string{"udp", "tcp", "tls"}
	SRTPModes  = []string{"off", "optional", "mandatory"}
	DTMFModes  = []string{"rfc2833", "inband", "info", "auto"}
	SyncModes  = []string{"boot", "periodic", "daily"}
)

// maxValueLen bounds a string setting: a phone's fields are short.
const maxValueLen = 512

// Validate checks every set field and returns the problems, each named
// by prefix + its JSON path ("settings.sip.transport").
func (s *Settings) Validate(prefix string) []Problem {
	v := validator{prefix: prefix}
	if p := s.Provisioning; p != nil {
		v.url("provisioning.url", p.URL)
		v.url("provisioning.firmware_url", p.FirmwareURL)
		v.text("provisioning.firmware_version", p.FirmwareVersion)
		v.oneOf("provisioning.sync", p.Sync, SyncModes)
		v.intRange("provisioning.sync_interval", p.SyncInterval, 5, 60*24*31)
		if p.SyncTime != nil {
			if h, m, ok := strings.Cut(*p.SyncTime, ":"); !ok || !digits(h, 0, 23) || !digits(m, 0, 59) || len(m) != 2 {
				v.add("provisioning.sync_time", "%q is not HH:MM", *p.SyncTime)
			}
		}
	}
	if p := s.SIP; p != nil {
		v.host("sip.registrar", p.Registrar)
		v.port("sip.registrar_port", p.RegistrarPort)
		v.host("sip.outbound_proxy", p.OutboundProxy)
		v.port("sip.outbound_proxy_port", p.OutboundProxyPort)
		v.oneOf("sip.transport", p.Transport, Transports)
		v.intRange("sip.register_expires", p.RegisterExpires, 30, 86400)
	}
	if p := s.Network; p != nil {
		v.host("network.stun_server", p.STUNServer)
		v.port("network.stun_port", p.STUNPort)
		v.intRange("network.vlan", p.VLAN, 0, 4094)
		v.intRange("network.vlan_priority", p.VLANPriority, 0, 7)
	}
	if p := s.Time; p != nil {
		v.host("time.ntp_server", p.NTPServer)
		if p.TimeZone != nil {
			if _, ok := Zone(*p.TimeZone); !ok {
				v.add("time.time_zone", "%q is not an IANA time zone (Europe/Paris, America/New_York, UTC)", *p.TimeZone)
			}
		}
	}
	if s.Language != nil && !letters(*s.Language, 2) {
		v.add("language", "%q is not a two-letter ISO 639-1 code", *s.Language)
	}
	if s.Tones != nil && !letters(*s.Tones, 2) {
		v.add("tones", "%q is not a two-letter ISO 3166-1 country code", *s.Tones)
	}
	v.text("admin_password", s.AdminPassword)
	v.text("user_password", s.UserPassword)
	v.oneOf("dtmf", s.DTMF, DTMFModes)
	v.oneOf("srtp", s.SRTP, SRTPModes)
	seen := map[int]bool{}
	for i, k := range s.Keys {
		f := fmt.Sprintf("keys[%d]", i)
		switch {
		case k.Index < 1 || k.Index > 200:
			v.add(f+".index", "%d is not between 1 and 200", k.Index)
		case seen[k.Index]:
			v.add(f+".index", "key %d is set twice", k.Index)
		}
		seen[k.Index] = true
		if !slices.Contains(KeyTypes, k.Type) {
			v.add(f+".type", "%q is not a key type (%s)", k.Type, keyTypeList())
		}
		v.text(f+".value", &k.Value)
		v.text(f+".label", &k.Label)
		if k.Line < 0 || k.Line > 64 {
			v.add(f+".line", "%d is not a line number", k.Line)
		}
	}
	for i, g := range s.Paging {
		f := fmt.Sprintf("paging[%d]", i)
		ap, err := netip.ParseAddrPort(g.Address)
		if err != nil || !ap.Addr().IsMulticast() || ap.Port() == 0 {
			v.add(f+".address", "%q is not a multicast ip:port", g.Address)
		}
		v.text(f+".label", &g.Label)
		if g.Priority < 0 || g.Priority > 31 {
			v.add(f+".priority", "%d is not between 0 and 31", g.Priority)
		}
	}
	v.url("directory_url", s.DirectoryURL)
	if p := s.LDAP; p != nil {
		v.host("ldap.server", p.Server)
		v.port("ldap.port", p.Port)
		for _, f := range []struct {
			name string
			val  *string
		}{{"ldap.base", p.Base}, {"ldap.user", p.User}, {"ldap.password", p.Password}, {"ldap.name_filter", p.NameFilter},
			{"ldap.number_filter", p.NumberFilter}, {"ldap.name_attributes", p.NameAttributes}, {"ldap.number_attributes", p.NumberAttributes}} {
			v.text(f.name, f.val)
		}
	}
	keys := make([]string, 0, len(s.Raw))
	for k := range s.Raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		val := s.Raw[k]
		if k == "" || len(k) > 128 || strings.ContainsFunc(k, func(r rune) bool { return unicode.IsControl(r) || r == '=' || r == '<' || r == '>' || r == '"' }) {
			v.add("raw", "key %q is empty, too long, or holds a control character, '=', '<', '>' or '\"'", k)
		}
		v.text("raw."+k, &val)
	}
	return v.problems
}

type validator struct {
	prefix   string
	problems []Problem
}

func (v *validator) add(field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Field: v.prefix + field, Msg: fmt.Sprintf(format, args...)})
}

// text refuses control characters (a newline would inject a key into a
// key=value file) and overlong values.
func (v *validator) text(field string, s *string) {
	if s == nil {
		return
	}
	switch {
	case len(*s) > maxValueLen:
		v.add(field, "longer than %d bytes", maxValueLen)
	case strings.ContainsFunc(*s, unicode.IsControl):
		v.add(field, "holds a control character")
	}
}

func (v *validator) oneOf(field string, s *string, allowed []string) {
	if s != nil && !slices.Contains(allowed, *s) {
		v.add(field, "%q is not one of %s", *s, strings.Join(allowed, ", "))
	}
}

func (v *validator) intRange(field string, n *int, lo, hi int) {
	if n != nil && (*n < lo || *n > hi) {
		v.add(field, "%d is not between %d and %d", *n, lo, hi)
	}
}

func (v *validator) port(field string, n *int) { v.intRange(field, n, 1, 65535) }

func (v *validator) host(field string, s *string) {
	if s == nil {
		return
	}
	if *s == "" || len(*s) > 253 || strings.ContainsFunc(*s, func(r rune) bool {
		return !strings.ContainsRune(".-:_[]", r) && (r >= 128 || !unicode.IsLetter(r) && !unicode.IsDigit(r))
	}) {
		v.add(field, "%q is not a host name or IP address", *s)
	}
}

func (v *validator) url(field string, s *string) {
	if s == nil {
		return
	}
	u, err := url.Parse(*s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tftp" && u.Scheme != "ftp") || u.Host == "" || strings.ContainsFunc(*s, unicode.IsControl) || len(*s) > maxValueLen {
		v.add(field, "%q is not an http, https, tftp or ftp URL", *s)
	}
}

func digits(s string, lo, hi int) bool {
	n, err := strconv.Atoi(s)
	return err == nil && len(s) <= 2 && n >= lo && n <= hi
}

func letters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func keyTypeList() string {
	s := make([]string, len(KeyTypes))
	for i, k := range KeyTypes {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
