package model

import (
	"maps"
	"slices"
)

// Merge layers the settings: each later layer overrides what it sets of the
// earlier ones. Nested sections merge field by field, keys by index, raw
// keys by name; paging groups are replaced as a whole. The layers are not
// modified, and the result shares no memory with them.
func Merge(layers ...*Settings) Settings {
	var out Settings
	for _, l := range layers {
		if l != nil {
			out.apply(l)
		}
	}
	return out
}

func (s *Settings) apply(l *Settings) {
	if l.Provisioning != nil {
		s.Provisioning = ensure(s.Provisioning)
		p, q := s.Provisioning, l.Provisioning
		set(&p.URL, q.URL)
		set(&p.FirmwareURL, q.FirmwareURL)
		set(&p.FirmwareVersion, q.FirmwareVersion)
		set(&p.Sync, q.Sync)
		set(&p.SyncInterval, q.SyncInterval)
		set(&p.SyncTime, q.SyncTime)
	}
	if l.SIP != nil {
		s.SIP = ensure(s.SIP)
		p, q := s.SIP, l.SIP
		set(&p.Registrar, q.Registrar)
		set(&p.RegistrarPort, q.RegistrarPort)
		set(&p.OutboundProxy, q.OutboundProxy)
		set(&p.OutboundProxyPort, q.OutboundProxyPort)
		set(&p.Transport, q.Transport)
		set(&p.RegisterExpires, q.RegisterExpires)
	}
	if l.Network != nil {
		s.Network = ensure(s.Network)
		p, q := s.Network, l.Network
		set(&p.RPort, q.RPort)
		set(&p.STUNServer, q.STUNServer)
		set(&p.STUNPort, q.STUNPort)
		set(&p.LLDP, q.LLDP)
		set(&p.CDP, q.CDP)
		set(&p.VLAN, q.VLAN)
		set(&p.VLANPriority, q.VLANPriority)
	}
	if l.Time != nil {
		s.Time = ensure(s.Time)
		set(&s.Time.NTPServer, l.Time.NTPServer)
		set(&s.Time.TimeZone, l.Time.TimeZone)
		set(&s.Time.DST, l.Time.DST)
	}
	set(&s.Language, l.Language)
	set(&s.Tones, l.Tones)
	set(&s.AdminPassword, l.AdminPassword)
	set(&s.UserPassword, l.UserPassword)
	if l.Security != nil {
		s.Security = ensure(s.Security)
		set(&s.Security.DisableDirectIPCall, l.Security.DisableDirectIPCall)
		set(&s.Security.TrustSIPServerOnly, l.Security.TrustSIPServerOnly)
	}
	set(&s.DTMF, l.DTMF)
	set(&s.SRTP, l.SRTP)
	if len(l.Keys) > 0 {
		s.Keys = mergeKeys(s.Keys, l.Keys)
	}
	if len(l.Paging) > 0 {
		s.Paging = slices.Clone(l.Paging)
	}
	set(&s.DirectoryURL, l.DirectoryURL)
	if l.LDAP != nil {
		s.LDAP = ensure(s.LDAP)
		p, q := s.LDAP, l.LDAP
		set(&p.Server, q.Server)
		set(&p.Port, q.Port)
		set(&p.Base, q.Base)
		set(&p.User, q.User)
		set(&p.Password, q.Password)
		set(&p.NameFilter, q.NameFilter)
		set(&p.NumberFilter, q.NumberFilter)
		set(&p.NameAttributes, q.NameAttributes)
		set(&p.NumberAttributes, q.NumberAttributes)
	}
	if len(l.Raw) > 0 {
		if s.Raw == nil {
			s.Raw = make(map[string]string, len(l.Raw))
		}
		maps.Copy(s.Raw, l.Raw)
	}
}

// mergeKeys returns the keys of base with those of top replacing the ones
// of the same index, sorted by index.
func mergeKeys(base, top []Key) []Key {
	byIndex := make(map[int]Key, len(base)+len(top))
	for _, k := range base {
		byIndex[k.Index] = k
	}
	for _, k := range top {
		byIndex[k.Index] = k
	}
	out := make([]Key, 0, len(byIndex))
	for _, k := range byIndex {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Key) int { return a.Index - b.Index })
	return out
}

// set copies *src into a fresh *dst when src is set.
func set[T any](dst **T, src *T) {
	if src != nil {
		v := *src
		*dst = &v
	}
}

func ensure[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// Ptr returns a pointer to v, for building settings in code and tests.
func Ptr[T any](v T) *T { return &v }

// Get returns *p, or the zero value when p is nil.
func Get[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
