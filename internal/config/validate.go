package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Validate checks the structure of c and returns every problem as [Errors],
// sorted by file and line, or nil.
//
// IP entries (ip_access lists, trusted_proxies) and password forms are not
// checked here but by the packages that compile them (access, realm), which
// locate their errors with [Config.Errorf].
func (c *Config) Validate() error {
	v := &validator{c: c}
	if c.DataDir == "" {
		v.add("data_dir", "must not be empty")
	}
	v.database()
	if err := checkDNSName(c.MasterDomain); err != nil {
		v.add("master_domain", "%q %v", c.MasterDomain, err)
	}
	v.listeners()
	v.http()
	for _, name := range ContextNames {
		v.context(name, c.Contexts.ByName(name))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.add("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		v.add("log.format", "%q is not one of text, json", c.Log.Format)
	}
	if c.Alarms.CertificateExpiry <= 0 {
		v.add("alarms.certificate_expiry", "must be more than 0")
	}
	v.acme()
	v.guard()
	v.errs.sortByPos(displayName(c.Source))
	return v.errs.err()
}

func (v *validator) acme() {
	a := v.c.ACME
	if a.Directory != "" {
		u, err := url.Parse(a.Directory)
		switch {
		case err != nil:
			v.add("acme.directory", "not a valid URL: %v", err)
		case u.Scheme != "https" || u.Host == "":
			v.add("acme.directory", "%q must be an https:// URL", a.Directory)
		}
	}
	for i, f := range a.CARoots {
		if f == "" {
			v.add(fmt.Sprintf("acme.ca_roots[%d]", i), "must not be empty")
		}
	}
	if name := a.HTTPChallengeListener; name != "" {
		found := false
		for _, l := range v.c.Listeners {
			if l.Name != name {
				continue
			}
			found = true
			if l.TLS {
				v.add("acme.http_challenge_listener", "listener %q has tls: true; HTTP-01 is answered on a plain listener", name)
			}
		}
		if !found {
			v.add("acme.http_challenge_listener", "no listener is called %q", name)
		}
	}
	switch a.KeyType {
	case KeyECDSAP256, KeyRSA2048:
	default:
		v.add("acme.key_type", "%q is not one of %s, %s", a.KeyType, KeyECDSAP256, KeyRSA2048)
	}
	if !(a.RenewRatio > 0 && a.RenewRatio < 1) {
		v.add("acme.renew_ratio", "%v must be more than 0 and less than 1", a.RenewRatio)
	}
	if a.OrdersPerWeek < 1 {
		v.add("acme.orders_per_week", "must be at least 1")
	}
	if a.CheckInterval < Duration(time.Second) {
		v.add("acme.check_interval", "must be at least 1s")
	}
}

type validator struct {
	c    *Config
	errs Errors
}

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, v.c.Errorf(path, format, args...))
}

// redactedMark replaces secrets in Redacted; found in a loaded file, it
// means a `config show` output was fed back.
const redactedMark = "<redacted>"

func (v *validator) notRedacted(path, secret string) {
	if strings.Contains(secret, redactedMark) {
		v.add(path, "holds %s, the placeholder of `pbxgate config show`: put the real secret back", redactedMark)
	}
}

func (v *validator) database() {
	db := v.c.Database
	if db == "" {
		return
	}
	if strings.Contains(db, redactedMark) {
		v.notRedacted("database", db)
		return
	}
	// Never quote the value: it holds a password.
	u, err := url.Parse(db)
	if err != nil {
		v.add("database", "not a valid URL (the value is not shown: it may hold a password)")
		return
	}
	if s := strings.ToLower(u.Scheme); s != "postgres" && s != "postgresql" {
		v.add("database", "must be empty (SQLite in data_dir) or a postgres:// URL")
	}
}

// checkDNSName checks that s is a lowercase DNS name (not an IP address).
func checkDNSName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("must not be empty")
	case len(s) > 253:
		return fmt.Errorf("is longer than 253 characters")
	case strings.ToLower(s) != s:
		return fmt.Errorf("must be lowercase")
	case strings.HasSuffix(s, "."):
		return fmt.Errorf("must not end with a dot")
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("is not a DNS name: labels are 1 to 63 characters")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("is not a DNS name: a label cannot start or end with '-'")
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return fmt.Errorf("is not a DNS name: %q is not allowed", r)
			}
		}
	}
	if _, err := strconv.Atoi(labels[len(labels)-1]); err == nil {
		return fmt.Errorf("is not a DNS name (an IP address or a numeric top-level label)")
	}
	return nil
}

func (v *validator) listeners() {
	ls := v.c.Listeners
	if len(ls) == 0 {
		v.add("listeners", "at least one listener is needed")
		return
	}
	names := make(map[string]int)
	type bound struct {
		i          int
		host, port string
	}
	var addrs []bound
	for i, l := range ls {
		p := "listeners[" + strconv.Itoa(i) + "]"
		switch {
		case l.Name == "":
			v.add(p+".name", "must not be empty")
		case !isListenerName(l.Name):
			v.add(p+".name", "%q: use lowercase letters, digits, '_' and '-'", l.Name)
		default:
			if j, dup := names[l.Name]; dup {
				v.add(p+".name", "%q is already the name of listeners[%d]", l.Name, j)
			} else {
				names[l.Name] = i
			}
		}
		if host, port, err := checkAddress(l.Address); err != nil {
			v.add(p+".address", "%q %v", l.Address, err)
		} else if port != "0" {
			for _, b := range addrs {
				if b.port == port && (b.host == host || b.host == "" || host == "") {
					v.add(p+".address", "%q conflicts with the address %q of listeners[%d]", l.Address, ls[b.i].Address, b.i)
					break
				}
			}
			addrs = append(addrs, bound{i, host, port})
		}
		v.tls(p, l)
	}
}

func (v *validator) tls(p string, l Listener) {
	ks := l.Keystore
	if !l.TLS {
		if l.CertDir != "" {
			v.add(p+".certdir", "set on a listener without tls")
		}
		if ks.File != "" {
			v.add(p+".keystore.file", "set on a listener without tls")
		}
	}
	if l.CertDir != "" && ks.File != "" {
		v.add(p+".keystore.file", "certdir is set too: give one or the other")
	}
	v.notRedacted(p+".keystore.store_password", ks.StorePassword)
	v.notRedacted(p+".keystore.key_password", ks.KeyPassword)
}

func isListenerName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '-' {
			return false
		}
	}
	return s != ""
}

// checkAddress checks host:port and returns the host, normalized so that
// every form of "all addresses" is "", and the port.
func checkAddress(addr string) (host, port string, err error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", "", fmt.Errorf("is not host:port (like \":8443\" or \"192.0.2.1:443\")")
	}
	host, port = addr[:i], addr[i+1:]
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") {
			return "", "", fmt.Errorf("has an unclosed '[' around an IPv6 address")
		}
		ip, perr := netip.ParseAddr(host[1 : len(host)-1])
		if perr != nil || !ip.Is6() {
			return "", "", fmt.Errorf("has %q in brackets, which is not an IPv6 address", host[1:len(host)-1])
		}
		host = ip.String()
	} else if strings.Contains(host, ":") {
		return "", "", fmt.Errorf("holds an IPv6 address without brackets (write \"[2001:db8::1]:443\")")
	} else if ip, perr := netip.ParseAddr(host); perr == nil {
		host = ip.String()
	} else if host != "" && !isHostName(host) {
		return "", "", fmt.Errorf("has %q, which is not an IP address or a host name", host)
	}
	n, perr := strconv.Atoi(port)
	if perr != nil || n < 0 || n > 65535 || port != strconv.Itoa(n) {
		return "", "", fmt.Errorf("has port %q: want a number from 0 to 65535", port)
	}
	if host == "0.0.0.0" || host == "::" {
		host = ""
	}
	return strings.ToLower(host), port, nil
}

// isHostName reports whether s is a host name (any case, "localhost"
// included); underscores are tolerated as some resolvers do.
func isHostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for l := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
				return false
			}
		}
	}
	return true
}

func (v *validator) http() {
	h := v.c.HTTP
	for _, d := range []struct {
		key string
		d   Duration
	}{
		{"read_header_timeout", h.ReadHeaderTimeout},
		{"read_timeout", h.ReadTimeout},
		{"idle_timeout", h.IdleTimeout},
		{"shutdown_timeout", h.ShutdownTimeout},
	} {
		if d.d <= 0 {
			v.add("http."+d.key, "%s: must be more than 0", d.d)
		}
	}
	if n := h.MaxHeaderBytes; n < 4096 || n > 1<<20 {
		v.add("http.max_header_bytes", "%d: must be from 4096 to 1048576", n)
	}
}

func (v *validator) context(name string, ctx *Context) {
	p := "contexts." + name
	ra := ctx.RealmAuth
	if name == Provisioning && ctx.Enabled && ra.Enabled {
		v.add(p+".realm_auth.enabled", "the provisioning server authenticates every device with its own credentials (or its tenant's bootstrap credentials); realm users cannot apply to phones")
	}
	switch ra.Scheme {
	case "", SchemeBasic, SchemeDigest, SchemeAny:
	default:
		v.add(p+".realm_auth.scheme", "%q is not one of basic, digest, any", ra.Scheme)
	}
	switch {
	case ra.Realm == "":
		v.add(p+".realm_auth.realm", "must not be empty")
	case strings.ContainsAny(ra.Realm, "\"\\"):
		v.add(p+".realm_auth.realm", "%q: must not contain '\"' or '\\'", ra.Realm)
	}
	users := make(map[string]int)
	for i, u := range ra.Users {
		up := p + ".realm_auth.users[" + strconv.Itoa(i) + "]"
		switch {
		case u.Username == "":
			v.add(up+".username", "must not be empty")
		case strings.Contains(u.Username, ":"):
			v.add(up+".username", "%q: must not contain ':'", u.Username)
		default:
			if j, dup := users[u.Username]; dup {
				v.add(up+".username", "%q is already users[%d]", u.Username, j)
			} else {
				users[u.Username] = i
			}
		}
		v.notRedacted(up+".password", u.Password)
	}
	v.upstream(name, p, ctx.Upstream)
	switch name {
	case Voicemail, Recording:
		if _, set := v.c.lines[p+".root"]; set && ctx.Root == "" {
			v.add(p+".root", "must not be empty when given")
		}
	default:
		if ctx.Root != "" {
			v.add(p+".root", "only the voicemail and recording contexts serve files")
		}
	}
}

func (v *validator) upstream(name, p, up string) {
	if up == "" {
		return
	}
	if name != Client {
		v.add(p+".upstream", "only the client context is proxied")
		return
	}
	u, err := url.Parse(up)
	switch {
	case err != nil:
		v.add(p+".upstream", "is not a valid URL")
	case u.User != nil:
		v.add(p+".upstream", "must not hold a user or password")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		v.add(p+".upstream", "%q: want an absolute http:// or https:// URL", up)
	}
}

func (v *validator) guard() {
	g := v.c.Guard
	v.guardLimits("guard", GuardOverride{
		MaxRetry: &g.MaxRetry, FindTime: &g.FindTime, BanTime: &g.BanTime,
		BanFactor: &g.BanFactor, BanMax: &g.BanMax, UnknownMACMax: &g.UnknownMACMax,
	})
	for i, e := range g.Allowlist {
		if !ipOrPrefix(e) {
			v.add(fmt.Sprintf("guard.allowlist[%d]", i), "%q is not an IP address or CIDR prefix", e)
		}
	}
	s := g.Sweep
	if s.Sources < 2 {
		v.add("guard.sweep.sources", "must be at least 2")
	}
	if s.Window <= 0 {
		v.add("guard.sweep.window", "must be more than 0")
	}
	if s.TightMax < 0 {
		v.add("guard.sweep.tight_max", "must not be negative")
	}
	if s.Hold <= 0 {
		v.add("guard.sweep.hold", "must be more than 0")
	}
	names := make([]string, 0, len(g.Contexts))
	for name := range g.Contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(ContextNames, name) {
			v.add("guard.contexts."+name, "%q is not a security context (%s)", name, strings.Join(ContextNames, ", "))
			continue
		}
		v.guardLimits("guard.contexts."+name, g.Contexts[name])
	}
}

// guardLimits checks the limits that are set.
func (v *validator) guardLimits(p string, o GuardOverride) {
	if o.MaxRetry != nil && *o.MaxRetry < 1 {
		v.add(p+".max_retry", "must be at least 1")
	}
	if o.UnknownMACMax != nil && *o.UnknownMACMax < 1 {
		v.add(p+".unknown_mac_max", "must be at least 1")
	}
	for _, d := range []struct {
		key string
		d   *Duration
	}{{"find_time", o.FindTime}, {"ban_time", o.BanTime}, {"ban_max", o.BanMax}} {
		if d.d != nil && *d.d <= 0 {
			v.add(p+"."+d.key, "must be more than 0")
		}
	}
	if o.BanFactor != nil && *o.BanFactor < 1 {
		v.add(p+".ban_factor", "%v must be at least 1", *o.BanFactor)
	}
	if o.BanTime != nil && o.BanMax != nil && *o.BanMax < *o.BanTime {
		v.add(p+".ban_max", "%s is shorter than ban_time %s", *o.BanMax, *o.BanTime)
	}
}

// ipOrPrefix reports whether s is an IP address or a CIDR prefix.
func ipOrPrefix(s string) bool {
	if strings.Contains(s, "/") {
		_, err := netip.ParsePrefix(s)
		return err == nil
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}
