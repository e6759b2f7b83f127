package config

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Clone returns a deep copy of c: changing one never changes the other.
func (c *Config) Clone() *Config {
	n := *c
	n.TrustedProxies = slices.Clone(c.TrustedProxies)
	n.Listeners = slices.Clone(c.Listeners)
	n.ACME.CARoots = slices.Clone(c.ACME.CARoots)
	n.Guard.Allowlist = slices.Clone(c.Guard.Allowlist)
	n.Guard.Contexts = maps.Clone(c.Guard.Contexts)
	for _, name := range ContextNames {
		ctx := n.Contexts.ByName(name)
		ctx.RealmAuth.Users = slices.Clone(ctx.RealmAuth.Users)
		ctx.IPAccess.Whitelist = slices.Clone(ctx.IPAccess.Whitelist)
		ctx.IPAccess.Blacklist = slices.Clone(ctx.IPAccess.Blacklist)
	}
	n.lines = maps.Clone(c.lines)
	return &n
}

// Redacted returns a deep copy of c fit to show: every realm user password,
// every non-empty keystore password and the password of the database URL
// are replaced by "<redacted>". [Config.Validate] refuses a file that still
// holds that placeholder.
func (c *Config) Redacted() *Config {
	n := c.Clone()
	for i := range n.Listeners {
		ks := &n.Listeners[i].Keystore
		if ks.StorePassword != "" {
			ks.StorePassword = redactedMark
		}
		if ks.KeyPassword != "" {
			ks.KeyPassword = redactedMark
		}
	}
	for _, name := range ContextNames {
		for i := range n.Contexts.ByName(name).RealmAuth.Users {
			n.Contexts.ByName(name).RealmAuth.Users[i].Password = redactedMark
		}
	}
	n.Database = redactURL(n.Database)
	return n
}

// redactURL hides the password of a database URL, in its user information
// and in a password query parameter. A value that does not parse as a URL
// is hidden whole: where its secret is cannot be told.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return redactedMark
	}
	if u.Opaque != "" {
		return redactedMark
	}
	if u.RawQuery != "" {
		params := strings.Split(u.RawQuery, "&")
		for i, p := range params {
			k, _, _ := strings.Cut(p, "=")
			if name, err := url.QueryUnescape(k); err != nil || strings.EqualFold(name, "password") {
				params[i] = k + "=" + redactedMark
			}
		}
		u.RawQuery = strings.Join(params, "&")
	}
	userinfo := ""
	if u.User != nil {
		userinfo = u.User.Username()
		if _, has := u.User.Password(); has {
			userinfo = url.User(userinfo).String() + ":" + redactedMark
		} else {
			userinfo = url.User(userinfo).String()
		}
		u.User = nil
	}
	out := u.String()
	if userinfo != "" {
		scheme := u.Scheme + "://"
		out = scheme + userinfo + "@" + strings.TrimPrefix(out, scheme)
	}
	return out
}

// YAML returns c as YAML, every key written out: the effective
// configuration. Durations are written like "10s". A context's root and
// upstream are left out when empty: they mean "not set", and a root given
// empty is an error. The output reads back as the same configuration. Call
// it on [Config.Redacted] before showing it.
func (c *Config) YAML() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	if contexts := mappingValue(&doc, "contexts"); contexts != nil {
		for i := 1; i < len(contexts.Content); i += 2 {
			dropEmpty(contexts.Content[i], "root", "upstream")
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	return b.Bytes(), nil
}

// mappingValue returns the value of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind == yaml.DocumentNode && len(m.Content) == 1 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// dropEmpty removes the keys of mapping m whose value is the empty string.
func dropEmpty(m *yaml.Node, keys ...string) {
	if m.Kind != yaml.MappingNode {
		return
	}
	out := m.Content[:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if slices.Contains(keys, k.Value) && v.Kind == yaml.ScalarNode && v.Value == "" {
			continue
		}
		out = append(out, k, v)
	}
	m.Content = out
}
