package domains

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// maxAttempts bounds the read-modify-write rounds of a write that lost a
// race with another writer and may try again (an Update without a revision,
// EnsureMaster).
const maxAttempts = 5

// Service applies the tree's rules over a Store. It holds no state of its
// own besides the master's name, and is safe for concurrent use if its Store
// is.
type Service struct {
	st        Store
	master    string
	masterErr error
}

// New returns a Service over st whose master domain is master (normalised).
// An invalid master name makes every method fail with the reason.
func New(st Store, master string) *Service {
	s := &Service{st: st}
	s.master, s.masterErr = NormalizeName(master)
	if s.masterErr != nil {
		s.masterErr = fmt.Errorf("master domain: %w", s.masterErr)
	}
	return s
}

// Master returns the normalised name of the master domain.
func (s *Service) Master() string { return s.master }

// EnsureMaster makes the master domain exist as the root of the tree. It
// creates it if it is missing; if the configured master changed since the
// tree was made, it also makes the new master a root and moves every other
// root below it, so that only the master lacks a parent. On a tree that is
// already right it writes nothing.
func (s *Service) EnsureMaster(ctx context.Context) error {
	if s.masterErr != nil {
		return fmt.Errorf("ensure master domain: %w", s.masterErr)
	}
	var err error
	for range maxAttempts {
		// Another node may be doing the same: a lost race means look again.
		if err = s.ensureMaster(ctx); !errors.Is(err, ErrExists) && !errors.Is(err, ErrConflict) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("ensure master domain %s: %w", s.master, err)
	}
	return nil
}

func (s *Service) ensureMaster(ctx context.Context) error {
	m, err := s.st.Domain(ctx, s.master)
	switch {
	case errors.Is(err, ErrNotFound):
		if _, err := s.st.Create(ctx, Domain{Name: s.master}); err != nil {
			return err
		}
	case err != nil:
		return err
	case m.Parent != "":
		m.Parent = ""
		if _, err := s.st.Update(ctx, m, m.Revision); err != nil {
			return err
		}
	}
	all, err := s.st.Domains(ctx)
	if err != nil {
		return err
	}
	for _, d := range all {
		if d.Name != s.master && d.Parent == "" {
			d.Parent = s.master
			if _, err := s.st.Update(ctx, d, d.Revision); err != nil {
				return err
			}
		}
	}
	return nil
}

// List returns every domain, sorted by name.
func (s *Service) List(ctx context.Context) ([]Domain, error) {
	ds, err := s.st.Domains(ctx)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	return ds, nil
}

// Get returns the domain called name (in any case, with or without the
// trailing dot), or an error wrapping ErrNotFound.
func (s *Service) Get(ctx context.Context, name string) (Domain, error) {
	n, err := NormalizeName(name)
	if err != nil {
		return Domain{}, fmt.Errorf("get domain: %w", err)
	}
	d, err := s.st.Domain(ctx, n)
	if err != nil {
		return Domain{}, fmt.Errorf("get domain %s: %w", n, err)
	}
	return d, nil
}

// Add creates d and returns it as stored. Name and Parent are normalised;
// an empty Parent becomes the nearest DNS parent of Name that is a domain,
// else the master. Created, Updated and Revision are ignored. Adding the
// master when it exists, or any existing name, fails with ErrExists.
func (s *Service) Add(ctx context.Context, d Domain) (Domain, error) {
	if s.masterErr != nil {
		return Domain{}, fmt.Errorf("add domain: %w", s.masterErr)
	}
	name, nameErr := NormalizeName(d.Name)
	var parentErr error
	if d.Parent != "" {
		d.Parent, parentErr = checkName("parent", d.Parent)
	}
	if err := errors.Join(nameErr, parentErr, checkFields(d)); err != nil {
		return Domain{}, fmt.Errorf("add domain: %w", err)
	}
	d.Name = name
	switch {
	case name == s.master && d.Parent != "":
		return Domain{}, fmt.Errorf("add domain %s: %w", name, fieldErr("parent", "the master domain %s has no parent", name))
	case name == s.master:
	case d.Parent == name:
		return Domain{}, fmt.Errorf("add domain %s: %w", name, fieldErr("parent", "a domain cannot be its own parent"))
	case d.Parent == "":
		p, err := s.defaultParent(ctx, name)
		if err != nil {
			return Domain{}, fmt.Errorf("add domain %s: %w", name, err)
		}
		d.Parent = p
	default:
		if _, err := s.st.Domain(ctx, d.Parent); errors.Is(err, ErrNotFound) {
			return Domain{}, fmt.Errorf("add domain %s: %w", name, fieldErr("parent", "domain %s does not exist", d.Parent))
		} else if err != nil {
			return Domain{}, fmt.Errorf("add domain %s: %w", name, err)
		}
	}
	out, err := s.st.Create(ctx, d)
	if err != nil {
		return Domain{}, fmt.Errorf("add domain %s: %w", name, parentField(err, "domain %s does not exist", d.Parent))
	}
	return out, nil
}

// defaultParent returns the nearest DNS parent of name that is a domain, or
// the master if none is.
func (s *Service) defaultParent(ctx context.Context, name string) (string, error) {
	for rest := name; ; {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			return s.master, nil
		}
		rest = rest[i+1:]
		if _, err := s.st.Domain(ctx, rest); err == nil {
			return rest, nil
		} else if !errors.Is(err, ErrNotFound) {
			return "", err
		}
	}
}

// Patch is a change to a domain: nil fields stay as they are.
type Patch struct {
	// Parent moves the domain. The master's parent cannot be set (setting it
	// to "" changes nothing), nor can another domain's become "".
	Parent *string
	// CertificatePEM replaces the certificate; "" removes it.
	CertificatePEM   *string
	ACMEEnabled      *bool
	ACMEAccountEmail *string
	// Revision, when not 0, is the revision the change was made against:
	// if the domain changed since, Update fails with ErrConflict. With 0,
	// Update applies the patch to the latest version.
	Revision int64
}

// Update applies p to the domain called name and returns it as stored. A
// patch that changes nothing writes nothing and returns the domain.
func (s *Service) Update(ctx context.Context, name string, p Patch) (Domain, error) {
	if s.masterErr != nil {
		return Domain{}, fmt.Errorf("update domain: %w", s.masterErr)
	}
	n, nameErr := NormalizeName(name)
	var parent string
	var parentErr, revErr error
	if p.Parent != nil && *p.Parent != "" {
		parent, parentErr = checkName("parent", *p.Parent)
	}
	if p.Revision < 0 {
		revErr = fieldErr("revision", "%d is negative", p.Revision)
	}
	if err := errors.Join(nameErr, parentErr, revErr); err != nil {
		return Domain{}, fmt.Errorf("update domain: %w", err)
	}
	var (
		out Domain
		err error
	)
	for range maxAttempts {
		out, err = s.update(ctx, n, parent, p)
		if !errors.Is(err, ErrConflict) || p.Revision != 0 {
			break
		}
		// Without a revision the caller asked for the latest version:
		// another writer got in between our read and our write; read again.
	}
	if err != nil {
		return Domain{}, fmt.Errorf("update domain %s: %w", n, err)
	}
	return out, nil
}

// update is one read-modify-write round of Update; parent is *p.Parent
// normalised.
func (s *Service) update(ctx context.Context, name, parent string, p Patch) (Domain, error) {
	cur, err := s.st.Domain(ctx, name)
	if err != nil {
		return Domain{}, err
	}
	if p.Revision != 0 && p.Revision != cur.Revision {
		return Domain{}, fmt.Errorf("%w: revision is %d, not %d", ErrConflict, cur.Revision, p.Revision)
	}
	next := cur
	if p.Parent != nil {
		switch {
		case name == s.master && parent != "":
			return Domain{}, fieldErr("parent", "the master domain %s has no parent", name)
		case name != s.master && parent == "":
			return Domain{}, fieldErr("parent", "only the master domain has no parent")
		}
		next.Parent = parent
	}
	if p.CertificatePEM != nil {
		next.CertificatePEM = *p.CertificatePEM
	}
	if p.ACMEEnabled != nil {
		next.ACMEEnabled = *p.ACMEEnabled
	}
	if p.ACMEAccountEmail != nil {
		next.ACMEAccountEmail = *p.ACMEAccountEmail
	}
	if err := checkFields(next); err != nil {
		return Domain{}, err
	}
	if next.Parent != cur.Parent {
		if err := s.checkMove(ctx, name, next.Parent); err != nil {
			return Domain{}, err
		}
	}
	if next == cur {
		return cur, nil
	}
	out, err := s.st.Update(ctx, next, cur.Revision)
	if err != nil {
		return Domain{}, parentField(err, "domain %s does not exist or lies below %s", next.Parent, name)
	}
	return out, nil
}

// checkMove refuses to make parent the parent of name when parent does not
// exist or is name or below it.
func (s *Service) checkMove(ctx context.Context, name, parent string) error {
	if parent == name {
		return fieldErr("parent", "a domain cannot be its own parent")
	}
	all, err := s.st.Domains(ctx)
	if err != nil {
		return err
	}
	up := make(map[string]string, len(all))
	for _, d := range all {
		up[d.Name] = d.Parent
	}
	if _, ok := up[parent]; !ok {
		return fieldErr("parent", "domain %s does not exist", parent)
	}
	for at, steps := parent, 0; at != "" && steps <= len(all); at, steps = up[at], steps+1 {
		if at == name {
			return fieldErr("parent", "%s lies below %s: the move would make a loop", parent, name)
		}
	}
	return nil
}

// Remove deletes the domain called name and, if recursive, every domain
// below it, and returns the deleted names. A domain with children and not
// recursive fails with ErrHasChildren. The master is never removed.
func (s *Service) Remove(ctx context.Context, name string, recursive bool) ([]string, error) {
	if s.masterErr != nil {
		return nil, fmt.Errorf("remove domain: %w", s.masterErr)
	}
	n, err := NormalizeName(name)
	if err != nil {
		return nil, fmt.Errorf("remove domain: %w", err)
	}
	if n == s.master {
		return nil, fmt.Errorf("remove domain %s: %w", n, fieldErr("name", "the master domain cannot be removed"))
	}
	names, err := s.st.Delete(ctx, n, recursive)
	if err != nil {
		return nil, fmt.Errorf("remove domain %s: %w", n, err)
	}
	return names, nil
}

// parentField turns a store's ErrInvalid, which only a bad parent causes
// (another node changed the tree after our checks), into a *FieldError for
// "parent". Other errors pass unchanged.
func parentField(err error, format string, args ...any) error {
	if errors.Is(err, ErrInvalid) && FieldErrors(err) == nil {
		return fmt.Errorf("%w (%w)", fieldErr("parent", format, args...), err)
	}
	return err
}
