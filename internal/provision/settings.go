package provision

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Settings returns the platform's provisioning settings.
func (s *Service) Settings() Settings {
	x := s.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := x.settings
	out.AutoCreate.Whitelist = slices.Clone(out.AutoCreate.Whitelist)
	return out
}

// PutSettings replaces the platform's provisioning settings.
func (s *Service) PutSettings(ctx context.Context, st Settings) (Settings, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var errs FieldErrors
	for _, f := range []struct{ name, val string }{
		{"sip_server_address", st.SIPServerAddress}, {"tftp_server_address", st.TFTPServerAddress}, {"server_hostname", st.ServerHostname},
	} {
		if f.val != "" && !hostName(f.val) {
			errs.add(f.name, "%q is not a host name or IP address", f.val)
		}
	}
	for i, c := range st.AutoCreate.Whitelist {
		if _, err := parsePrefix(c); err != nil {
			errs.add(fmt.Sprintf("auto_create.whitelist[%d]", i), "%q is not an IP address or CIDR", c)
		}
	}
	if st.AutoCreate.Enabled && len(st.AutoCreate.Whitelist) == 0 {
		errs.add("auto_create.whitelist", "required when auto_create is enabled: devices are created only for requests from these networks")
	}
	if p := st.UnprovisionedPIN; p != "" && (len(p) < 4 || len(p) > 12 || strings.Trim(p, "0123456789") != "") {
		errs.add("unprovisioned_pin", "must be 4 to 12 digits")
	}
	if err := errs.err(); err != nil {
		return Settings{}, err
	}
	if st.AutoCreate.Whitelist == nil {
		st.AutoCreate.Whitelist = []string{}
	}
	var old Settings
	ver, err := s.get(ctx, "settings", &old)
	if err != nil {
		return Settings{}, wrapStore("put settings", err)
	}
	if err := s.put(ctx, "settings", ver, &st); err != nil {
		return Settings{}, wrapStore("put settings", err)
	}
	return st, s.changed(ctx, func(x *index) { x.settings = st })
}

// Tenant returns the provisioning settings of a tenant (zero when unset).
func (s *Service) Tenant(domain string) TenantSettings {
	x := s.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	if t, ok := x.tenants[domain]; ok {
		out := *t
		out.Allow = slices.Clone(t.Allow)
		return out
	}
	return TenantSettings{Domain: domain, Allow: []string{}}
}

// HiddenSecret stands for a secret in what reads show.
const HiddenSecret = "(set)"

// PutTenant replaces the provisioning settings of a tenant. Without a
// bootstrap password (or with HiddenSecret), the current password of the
// same user is kept, else one is generated; user names are unique across
// tenants, as a request names no tenant.
func (s *Service) PutTenant(ctx context.Context, t TenantSettings) (TenantSettings, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var errs FieldErrors
	s.checkDomain(ctx, &errs, "domain", t.Domain, true)
	b := &t.Bootstrap
	// A read shows the password as "(set)": writing back what was read, or
	// no password, keeps the current one of the same user.
	if cur := s.Tenant(t.Domain); b.Username != "" && b.Username == cur.Bootstrap.Username && (b.Password == "" || b.Password == HiddenSecret) {
		b.Password = cur.Bootstrap.Password
	}
	switch {
	case b.Username == "" && b.Password != "":
		errs.add("bootstrap.username", "required with a password")
	case b.Username != "" && !sipUser(b.Username):
		errs.add("bootstrap.username", "%q is not a user name (1 to 32 letters, digits, '.', '-', '_', '+', '*', '#')", b.Username)
	case b.Username != "" && strings.HasPrefix(b.Username, "dev-"):
		errs.add("bootstrap.username", "names starting with dev- are the devices' own")
	case b.Username != "" && b.Password == "":
		b.Password = NewSecret(20)
	case b.Password != "" && (len(b.Password) < 12 || !plainText(b.Password, 128)):
		errs.add("bootstrap.password", "must be 12 to 128 characters without control characters")
	}
	x := s.idx
	x.mu.RLock()
	if other, ok := x.bootstrap[b.Username]; ok && b.Username != "" && other != t.Domain {
		errs.add("bootstrap.username", "%q is the bootstrap user of another tenant", b.Username)
	}
	x.mu.RUnlock()
	for i, c := range t.Allow {
		if _, err := parsePrefix(c); err != nil {
			errs.add(fmt.Sprintf("allow[%d]", i), "%q is not an IP address or CIDR", c)
		}
	}
	if err := errs.err(); err != nil {
		return TenantSettings{}, err
	}
	if t.Allow == nil {
		t.Allow = []string{}
	}
	key := "tenant/" + t.Domain
	var old TenantSettings
	ver, err := s.get(ctx, key, &old)
	if err != nil {
		return TenantSettings{}, wrapStore("put tenant settings", err)
	}
	if err := s.put(ctx, key, ver, &t); err != nil {
		return TenantSettings{}, wrapStore("put tenant settings", err)
	}
	stored := t
	return t, s.changed(ctx, func(x *index) { x.putTenant(&stored) })
}

// parsePrefix reads an address or a CIDR prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// inPrefixes tells whether ip is in one of the prefixes (unparsable
// entries were refused on write).
func inPrefixes(ip netip.Addr, list []string) bool {
	ip = ip.Unmap()
	for _, c := range list {
		if p, err := parsePrefix(c); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

func hostName(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !isAlnum(r) && r != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
