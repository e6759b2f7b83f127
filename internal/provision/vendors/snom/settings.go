package snom

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// deviceSettings builds the <MAC>.xml of p: provisioning, identities,
// network, clock, locale, passwords, directories, keys, then raw keys.
func deviceSettings(m phoneModel, p *model.Phone) (*settings, error) {
	s := newSettings()
	st := &p.Settings
	provisioning(s, m, p)
	for _, l := range p.Lines {
		if l.Index < 1 || l.Index > m.Lines {
			continue
		}
		identity(s, p, l)
	}
	for _, l := range p.Lines {
		if l.LocalSIPPort > 0 {
			// The SIP port is phone-wide on Snom: the first line's wins.
			s.set("network_id_port", strconv.Itoa(l.LocalSIPPort))
			break
		}
	}
	callerID(s, p)
	network(s, st.Network)
	clock(s, st.Time)
	locale(s, st)
	passwords(s, st)
	security(s, st.Security)
	if st.DirectoryURL != nil {
		s.set("dkey_directory", "url "+*st.DirectoryURL)
	}
	ldap(s, st.LDAP)
	for i, g := range pagingOrder(st.Paging) {
		s.setIdx("mc_address", i+1, g.Address)
	}
	keys(s, p)
	if err := s.setRaw(st.Raw); err != nil {
		return nil, err
	}
	return s, nil
}

// provisioning sets where and when the phone fetches its settings and
// firmware, and the credentials it fetches them with.
func provisioning(s *settings, m phoneModel, p *model.Phone) {
	if u := p.ProvisioningURL(); u != "" {
		s.setPerm("setting_server", u, "RW")
	}
	if p.HTTPUsername != "" || p.HTTPPassword != "" {
		s.set("http_client_user", p.HTTPUsername)
		s.set("http_client_pass", p.HTTPPassword)
	}
	ps := p.Settings.Provisioning
	if ps == nil {
		return
	}
	if t, ok := refreshTimer(ps); ok {
		s.set("settings_refresh_timer", strconv.Itoa(t))
	}
	if ps.FirmwareURL != nil {
		s.set("firmware", firmwareURL(m, *ps.FirmwareURL, model.Get(ps.FirmwareVersion)))
		s.set("update_policy", "auto_update")
	}
}

// refreshTimer returns settings_refresh_timer in seconds for the sync
// mode: 0 (boot only), the interval, or a day. Snom has no time-of-day
// setting, so "daily" polls every 24 hours from boot.
func refreshTimer(ps *model.ProvisioningSettings) (int, bool) {
	switch model.Get(ps.Sync) {
	case "boot":
		return 0, true
	case "periodic":
		if ps.SyncInterval != nil && *ps.SyncInterval > 0 {
			return *ps.SyncInterval * 60, true
		}
	case "daily":
		return 86400, true
	}
	return 0, false
}

// firmwareURL names the image in a firmware directory
// (snomD785-10.1.175.10-SIP-r.bin, Snom's download naming) when the URL
// ends in "/" and a version is set; otherwise the URL is the image.
func firmwareURL(m phoneModel, url, version string) string {
	if strings.HasSuffix(url, "/") && version != "" {
		return url + "snom" + m.typeName + "-" + version + "-SIP-r.bin"
	}
	return url
}

// identity sets the SIP identity of line l.
func identity(s *settings, p *model.Phone, l model.Line) {
	i := l.Index
	s.setIdx("user_active", i, "on")
	if l.DisplayName != "" {
		s.setIdx("user_realname", i, l.DisplayName)
	}
	s.setIdx("user_name", i, l.Extension)
	if l.AuthUsername != "" {
		s.setIdx("user_pname", i, l.AuthUsername)
	}
	s.setIdx("user_pass", i, l.Password)
	if l.Label != "" {
		s.setIdx("user_idle_text", i, l.Label)
	}
	transport := p.Transport()
	if r := p.Registrar(); r != "" {
		s.setIdx("user_host", i, hostPort(r, p.RegistrarPort(), transport))
		host, port := r, p.RegistrarPort()
		if sip := p.Settings.SIP; sip != nil && sip.OutboundProxy != nil {
			host, port = *sip.OutboundProxy, model.Get(sip.OutboundProxyPort)
			if port == 0 {
				port = defaultPort(transport)
			}
		}
		s.setIdx("user_outbound", i, fmt.Sprintf("%s:%d;transport=%s", host, port, transport))
	}
	if sip := p.Settings.SIP; sip != nil && sip.RegisterExpires != nil {
		s.setIdx("user_expiry", i, strconv.Itoa(*sip.RegisterExpires))
	}
	if l.SRTP != "" || p.Settings.SRTP != nil {
		srtp, savp := srtpModes(p.LineSRTP(l))
		s.setIdx("user_srtp", i, srtp)
		s.setIdx("user_savp", i, savp)
	}
	if v, ok := dtmfInfo(model.Get(p.Settings.DTMF)); ok {
		s.setIdx("user_dtmf_info", i, v)
	}
	if n := p.Settings.Network; n != nil && n.STUNServer != nil {
		stun := *n.STUNServer
		if n.STUNPort != nil {
			stun += ":" + strconv.Itoa(*n.STUNPort)
		}
		s.setIdx("stun_server", i, stun)
	}
}

// hostPort returns host, with the port when it is not the transport's
// default.
func hostPort(host string, port int, transport string) string {
	if port == 0 || port == defaultPort(transport) {
		return host
	}
	return host + ":" + strconv.Itoa(port)
}

func defaultPort(transport string) int {
	if transport == "tls" {
		return 5061
	}
	return 5060
}

// srtpModes maps an SRTP mode to user_srtp and user_savp (RTP/SAVP
// offer: off, optional, mandatory).
func srtpModes(mode string) (srtp, savp string) {
	switch mode {
	case "optional":
		return "on", "optional"
	case "mandatory":
		return "on", "mandatory"
	}
	return "off", "off"
}

// dtmfInfo maps a DTMF mode to user_dtmf_info: off sends RFC 2833 events
// only, sip_info_only SIP INFO only, on both. Snom has no in-band mode.
func dtmfInfo(mode string) (string, bool) {
	switch mode {
	case "rfc2833":
		return "off", true
	case "info":
		return "sip_info_only", true
	case "auto":
		return "on", true
	}
	return "", false
}

// callerID sets prioritise_asserted (prefer P-Asserted-Identity over From)
// from the first line that sets a caller id source; it is phone-wide.
func callerID(s *settings, p *model.Phone) {
	for _, l := range p.Lines {
		switch l.CallerIDSource {
		case "pai":
			s.setBool("prioritise_asserted", true)
			return
		case "from":
			s.setBool("prioritise_asserted", false)
			return
		}
	}
}

func network(s *settings, n *model.NetworkSettings) {
	if n == nil {
		return
	}
	if n.RPort != nil {
		s.setBool("enable_rport_rfc3581", *n.RPort)
	}
	if n.VLAN != nil {
		if *n.VLAN > 0 {
			s.set("vlan_id", strconv.Itoa(*n.VLAN))
		} else {
			s.set("vlan_id", "")
		}
	}
	if n.VLANPriority != nil {
		s.set("vlan_qos", strconv.Itoa(*n.VLANPriority))
	}
}

func passwords(s *settings, st *model.Settings) {
	if st.AdminPassword != nil {
		s.set("admin_mode_password", *st.AdminPassword)
		s.set("admin_mode_password_confirm", *st.AdminPassword)
		s.set("http_user", "admin")
		s.set("http_pass", *st.AdminPassword)
		s.set("webserver_admin_name", "admin")
		s.set("webserver_admin_password", *st.AdminPassword)
	}
	if st.UserPassword != nil {
		s.set("webserver_user_name", "user")
		s.set("webserver_user_password", *st.UserPassword)
	}
}

// security maps both call acceptance rules to filter_registrar, which
// makes the phone accept SIP requests from its registrars only (and so
// refuse calls addressed to its IP): on if either rule is on.
func security(s *settings, sec *model.SecuritySettings) {
	if sec == nil {
		return
	}
	if sec.TrustSIPServerOnly == nil && sec.DisableDirectIPCall == nil {
		return
	}
	s.setBool("filter_registrar", model.Get(sec.TrustSIPServerOnly) || model.Get(sec.DisableDirectIPCall))
}

func ldap(s *settings, l *model.LDAPSettings) {
	if l == nil {
		return
	}
	if l.Server != nil {
		s.set("ldap_server", *l.Server)
	}
	if l.Port != nil {
		s.set("ldap_port", strconv.Itoa(*l.Port))
	}
	for _, e := range []struct {
		name string
		v    *string
	}{
		{"ldap_base", l.Base},
		{"ldap_username", l.User},
		{"ldap_password", l.Password},
		{"ldap_search_filter", l.NameFilter},
		{"ldap_number_filter", l.NumberFilter},
		{"ldap_name_attributes", l.NameAttributes},
		{"ldap_number_attributes", l.NumberAttributes},
	} {
		if e.v != nil {
			s.set(e.name, *e.v)
		}
	}
}

// pagingOrder returns the groups with an address by priority (1 first),
// in list order for equal priorities; a priority of 0 sorts last.
func pagingOrder(groups []model.PagingGroup) []model.PagingGroup {
	out := make([]model.PagingGroup, 0, len(groups))
	for _, g := range groups {
		if g.Address != "" {
			out = append(out, g)
		}
	}
	rank := func(g model.PagingGroup) int {
		if g.Priority <= 0 {
			return math.MaxInt
		}
		return g.Priority
	}
	slices.SortStableFunc(out, func(a, b model.PagingGroup) int { return cmp.Compare(rank(a), rank(b)) })
	return out
}
