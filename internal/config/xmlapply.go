package config

import (
	"path/filepath"
	"strconv"
	"strings"
)

// applySecurityXML applies what a security.xml says over c. dir is the
// directory of the XML file, against which the SSLKeystore file name is
// resolved. Fields set from the XML get positions in the XML file.
//
// For each context the file lists: enabled, ssl, realm_auth.enabled,
// realm_auth.users, ip_access.enabled, ip_access.whitelist and
// ip_access.blacklist are replaced when the file says them. realm_auth.scheme
// and realm_auth.realm (which security.xml cannot say), root and upstream
// stay as they were.
//
// The SSLKeystore becomes the keystore of every TLS listener that has
// neither certdir nor keystore.file.
func (c *Config) applySecurityXML(sx *secXML, dir string) {
	f := sx.file
	setBool := func(dst *bool, b *xmlBool, path string) {
		if b != nil {
			*dst = b.v
			c.setPos(path, f, b.line)
		}
	}
	for _, x := range sx.contexts {
		ctx := c.Contexts.ByName(x.name)
		if !x.ok || ctx == nil {
			continue
		}
		base := "contexts." + x.name
		c.setPos(base, f, x.line)
		setBool(&ctx.Enabled, x.enabled, base+".enabled")
		setBool(&ctx.SSL, x.ssl, base+".ssl")
		if ra := x.realm; ra != nil {
			p := base + ".realm_auth"
			c.setPos(p, f, ra.line)
			setBool(&ctx.RealmAuth.Enabled, ra.enabled, p+".enabled")
			if ra.users != nil {
				p += ".users"
				c.dropPos(p)
				c.setPos(p, f, ra.users.line)
				ctx.RealmAuth.Users = make([]User, 0, len(ra.users.users))
				for i, u := range ra.users.users {
					ctx.RealmAuth.Users = append(ctx.RealmAuth.Users, User{Username: u.username.s, Password: u.password.s})
					pi := p + "[" + strconv.Itoa(i) + "]"
					c.setPos(pi, f, u.line)
					c.setPos(pi+".username", f, u.username.line)
					c.setPos(pi+".password", f, u.password.line)
				}
			}
		}
		if ip := x.ip; ip != nil {
			p := base + ".ip_access"
			c.setPos(p, f, ip.line)
			setBool(&ctx.IPAccess.Enabled, ip.enabled, p+".enabled")
			c.applyList(&ctx.IPAccess.Whitelist, ip.white, p+".whitelist", f)
			c.applyList(&ctx.IPAccess.Blacklist, ip.black, p+".blacklist", f)
		}
	}
	c.applyKeystore(sx.keystore, dir, f)
}

func (c *Config) applyList(dst *[]string, l *xmlList, path, f string) {
	if l == nil {
		return
	}
	c.dropPos(path)
	c.setPos(path, f, l.line)
	*dst = make([]string, 0, len(l.entries))
	for i, e := range l.entries {
		*dst = append(*dst, e.s)
		c.setPos(path+"["+strconv.Itoa(i)+"]", f, e.line)
	}
}

func (c *Config) applyKeystore(ks *xmlKeystore, dir, f string) {
	if ks == nil || ks.file == nil || strings.TrimSpace(ks.file.s) == "" {
		return
	}
	file := ks.file.s
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	val := func(v *xmlValue) string {
		if v == nil {
			return ""
		}
		return v.s
	}
	for i := range c.Listeners {
		l := &c.Listeners[i]
		if !l.TLS || l.CertDir != "" || l.Keystore.File != "" {
			continue
		}
		l.Keystore = Keystore{
			File:          file,
			StorePassword: val(ks.storePassword),
			KeyPassword:   val(ks.keyPassword),
			Alias:         val(ks.alias),
		}
		p := "listeners[" + strconv.Itoa(i) + "].keystore"
		c.dropPos(p)
		c.setPos(p, f, ks.line)
		for key, v := range map[string]*xmlValue{
			"file": ks.file, "store_password": ks.storePassword,
			"key_password": ks.keyPassword, "alias": ks.alias,
		} {
			if v != nil {
				c.setPos(p+"."+key, f, v.line)
			}
		}
	}
}
