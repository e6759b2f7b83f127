package provision

import (
	"bytes"
	"context"
	"net/netip"
	"slices"
	"strings"
)

// AddIPDNS adds a mapping: in every file rendered for the domain's tenants
// (every tenant for the master domain), ip is replaced by fqdn.
func (s *Service) AddIPDNS(ctx context.Context, m IPDNS) (IPDNS, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var errs FieldErrors
	s.checkDomain(ctx, &errs, "domain", m.Domain, false)
	if a, err := netip.ParseAddr(m.IP); err != nil || a.Zone() != "" {
		errs.add("ip", "%q is not an IP address", m.IP)
	} else {
		m.IP = a.String()
	}
	if !hostName(m.FQDN) {
		errs.add("fqdn", "%q is not a host name", m.FQDN)
	}
	if err := errs.err(); err != nil {
		return IPDNS{}, err
	}
	if err := s.put(ctx, "ipdns/"+ipdnsKey(m.Domain, m.IP), 0, &m); err != nil {
		return IPDNS{}, wrapStore("add ip/dns mapping", err)
	}
	stored := m
	return m, s.changed(ctx, func(x *index) { x.ipdns[ipdnsKey(m.Domain, m.IP)] = &stored })
}

// IPDNSList lists the mappings, of one domain when domain is not empty.
func (s *Service) IPDNSList(domain string) []IPDNS {
	x := s.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []IPDNS
	for _, m := range x.ipdns {
		if domain == "" || m.Domain == domain {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b IPDNS) int { return strings.Compare(ipdnsKey(a.Domain, a.IP), ipdnsKey(b.Domain, b.IP)) })
	return out
}

// DeleteIPDNS removes a mapping.
func (s *Service) DeleteIPDNS(ctx context.Context, domain, ip string) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if a, err := netip.ParseAddr(ip); err == nil {
		ip = a.String()
	}
	k := ipdnsKey(domain, ip)
	x := s.idx
	x.mu.RLock()
	_, ok := x.ipdns[k]
	x.mu.RUnlock()
	if !ok {
		return ErrNotFound
	}
	if err := s.opts.Store.Delete(ctx, "ipdns/"+k); err != nil {
		return wrapStore("delete ip/dns mapping", err)
	}
	return s.changed(ctx, func(x *index) { delete(x.ipdns, k) })
}

// replacer is the mappings that apply to one tenant: the tenant's own win
// over the master domain's for the same address.
type replacer []IPDNS

// mappingsFor returns the replacer of tenant ("" for common files: the
// master domain's only). The caller holds the index's read lock.
func (x *index) mappingsFor(tenant string) replacer {
	byIP := map[string]IPDNS{}
	for _, m := range x.ipdns {
		if m.Domain == x.master {
			if _, set := byIP[m.IP]; !set {
				byIP[m.IP] = *m
			}
		}
	}
	for _, m := range x.ipdns {
		if tenant != "" && m.Domain == tenant {
			byIP[m.IP] = *m
		}
	}
	out := make(replacer, 0, len(byIP))
	for _, m := range byIP {
		out = append(out, m)
	}
	// Longest address first, so that no mapping matches inside another's
	// address; then by address for determinism.
	slices.SortFunc(out, func(a, b IPDNS) int {
		if len(a.IP) != len(b.IP) {
			return len(b.IP) - len(a.IP)
		}
		return strings.Compare(a.IP, b.IP)
	})
	return out
}

// apply replaces every whole occurrence of each address: one not preceded
// or followed by a character that would make it part of a longer address
// or name (1.1.1.1 is not replaced inside 11.1.1.10 or 1.1.1.1.example).
func (r replacer) apply(data []byte) []byte {
	for _, m := range r {
		data = replaceWhole(data, []byte(m.IP), []byte(m.FQDN))
	}
	return data
}

func replaceWhole(data, old, repl []byte) []byte {
	if !bytes.Contains(data, old) {
		return data
	}
	var out bytes.Buffer
	out.Grow(len(data))
	for {
		i := bytes.Index(data, old)
		if i < 0 {
			out.Write(data)
			return out.Bytes()
		}
		end := i + len(old)
		before := i > 0 && (addrChar(data[i-1]) || data[i-1] == '.' && i > 1 && addrChar(data[i-2]))
		after := end < len(data) && (addrChar(data[end]) || data[end] == '.' && end+1 < len(data) && addrChar(data[end+1]))
		out.Write(data[:i])
		if before || after {
			out.Write(old)
		} else {
			out.Write(repl)
		}
		data = data[end:]
	}
}

// addrChar: a character that continues an address or a host name. A colon
// does not: it separates a port ("1.1.1.1:5060") or a scheme
// ("sip:1.1.1.1").
func addrChar(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_'
}
