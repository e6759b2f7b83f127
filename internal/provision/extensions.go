package provision

import (
	"context"
	"slices"
	"strings"
	"unicode"
)

// AddExtension creates an extension in a tenant; the password is generated
// when empty. The stored extension is returned.
func (s *Service) AddExtension(ctx context.Context, e Extension) (Extension, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var errs FieldErrors
	s.checkDomain(ctx, &errs, "domain", e.Domain, true)
	if !sipUser(e.Number) {
		errs.add("number", "%q is not an extension number (1 to 32 letters, digits, '.', '-', '_', '+', '*', '#')", e.Number)
	}
	if e.AuthUsername != "" && !sipUser(e.AuthUsername) {
		errs.add("auth_username", "%q is not a SIP user name", e.AuthUsername)
	}
	if !plainText(e.DisplayName, 128) {
		errs.add("display_name", "longer than 128 bytes or holds a control character")
	}
	if e.Password == "" {
		e.Password = NewSecret(20)
	} else if len(e.Password) < 8 || !plainText(e.Password, 128) {
		errs.add("password", "must be 8 to 128 characters without control characters")
	}
	if err := errs.err(); err != nil {
		return Extension{}, err
	}
	if e.AuthUsername == "" {
		e.AuthUsername = e.Number
	}
	e.Updated = s.opts.Now().UTC()
	key := "ext/" + extKey(e.Domain, e.Number)
	if err := s.put(ctx, key, 0, &e); err != nil {
		return Extension{}, wrapStore("add extension", err)
	}
	stored := e
	return e, s.changed(ctx, func(x *index) { x.exts[extKey(e.Domain, e.Number)] = &stored })
}

// Extensions lists the extensions of a tenant, by number.
func (s *Service) Extensions(domain string) []Extension {
	x := s.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Extension
	for _, e := range x.exts {
		if e.Domain == domain {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b Extension) int { return strings.Compare(a.Number, b.Number) })
	return out
}

// DeleteExtension removes an extension that no device line uses.
func (s *Service) DeleteExtension(ctx context.Context, domain, number string) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	x := s.idx
	x.mu.RLock()
	_, ok := x.exts[extKey(domain, number)]
	var user string
	for _, d := range x.devices {
		if d.Domain != domain {
			continue
		}
		for _, l := range d.Lines {
			if l.Extension == number {
				user = d.MAC.String()
			}
		}
	}
	x.mu.RUnlock()
	switch {
	case !ok:
		return ErrNotFound
	case user != "":
		return &FieldError{Field: "number", Msg: "line of device " + user + " uses it"}
	}
	if err := s.opts.Store.Delete(ctx, "ext/"+extKey(domain, number)); err != nil {
		return wrapStore("delete extension", err)
	}
	return s.changed(ctx, func(x *index) { delete(x.exts, extKey(domain, number)) })
}

// sipUser accepts the characters of a SIP user part that phones and PBXs
// all handle.
func sipUser(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r >= 128 || !unicode.IsLetter(r) && !unicode.IsDigit(r)) && !strings.ContainsRune(".-_+*#", r) {
			return false
		}
	}
	return true
}

func plainText(s string, n int) bool {
	return len(s) <= n && !strings.ContainsFunc(s, unicode.IsControl)
}
