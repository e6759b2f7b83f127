package provision

import (
	"context"
	"slices"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// DefaultTemplate is the template name of a device that names none.
const DefaultTemplate = "default"

// PutTemplate creates or replaces a template.
func (s *Service) PutTemplate(ctx context.Context, t Template) (Template, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var errs FieldErrors
	if !slug(t.Name) {
		errs.add("name", "%q is not a template name (1 to 64 letters, digits, '.', '-', '_')", t.Name)
	}
	s.checkDomain(ctx, &errs, "domain", t.Domain, false)
	if _, _, ok := vendors.FindModel(t.Model); !ok {
		errs.add("model", "%q is not a supported vendor/model (GET /api/v1/provisioning/models)", t.Model)
	}
	for _, p := range t.Settings.Validate("settings.") {
		errs.add(p.Field, "%s", p.Msg)
	}
	if err := errs.err(); err != nil {
		return Template{}, err
	}
	t.Updated = s.opts.Now().UTC()
	key := "tpl/" + tplKey(t.Domain, t.Model, t.Name)
	var old Template
	ver, err := s.get(ctx, key, &old)
	if err != nil {
		return Template{}, wrapStore("put template", err)
	}
	if err := s.put(ctx, key, ver, &t); err != nil {
		return Template{}, wrapStore("put template", err)
	}
	stored := t
	return t, s.changed(ctx, func(x *index) { x.templates[tplKey(t.Domain, t.Model, t.Name)] = &stored })
}

// Templates lists the templates, of one domain when domain is not empty.
func (s *Service) Templates(domain string) []Template {
	x := s.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Template
	for _, t := range x.templates {
		if domain == "" || t.Domain == domain {
			out = append(out, *t)
		}
	}
	slices.SortFunc(out, func(a, b Template) int {
		return strings.Compare(tplKey(a.Domain, a.Model, a.Name), tplKey(b.Domain, b.Model, b.Name))
	})
	return out
}

// DeleteTemplate removes a template.
func (s *Service) DeleteTemplate(ctx context.Context, domain, vendorModel, name string) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	k := tplKey(domain, vendorModel, name)
	x := s.idx
	x.mu.RLock()
	_, ok := x.templates[k]
	x.mu.RUnlock()
	if !ok {
		return ErrNotFound
	}
	if err := s.opts.Store.Delete(ctx, "tpl/"+k); err != nil {
		return wrapStore("delete template", err)
	}
	return s.changed(ctx, func(x *index) { delete(x.templates, k) })
}

func slug(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !isAlnum(r) && r != '.' && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
