package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/store"
)

// domainStore adapts the store to the Store the domains package declares,
// mapping the store's sentinels to the domain rules' ones.
type domainStore struct{ db *store.DB }

func (s domainStore) Domains(ctx context.Context) ([]domains.Domain, error) {
	ds, err := s.db.Domains(ctx)
	if err != nil {
		return nil, mapDomainErr(err, false)
	}
	out := make([]domains.Domain, len(ds))
	for i, d := range ds {
		out[i] = domains.Domain(d)
	}
	return out, nil
}

func (s domainStore) Domain(ctx context.Context, name string) (domains.Domain, error) {
	d, err := s.db.Domain(ctx, name)
	return domains.Domain(d), mapDomainErr(err, false)
}

func (s domainStore) Create(ctx context.Context, d domains.Domain) (domains.Domain, error) {
	out, err := s.db.CreateDomain(ctx, store.Domain(d))
	return domains.Domain(out), mapDomainErr(err, true)
}

func (s domainStore) Update(ctx context.Context, d domains.Domain, revision int64) (domains.Domain, error) {
	out, err := s.db.UpdateDomain(ctx, store.Domain(d), revision)
	return domains.Domain(out), mapDomainErr(err, false)
}

func (s domainStore) Delete(ctx context.Context, name string, recursive bool) ([]string, error) {
	names, err := s.db.DeleteDomain(ctx, name, recursive)
	return names, mapDomainErr(err, false)
}

func mapDomainErr(err error, create bool) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %w", domains.ErrNotFound, err)
	case errors.Is(err, store.ErrConflict) && create:
		return fmt.Errorf("%w: %w", domains.ErrExists, err)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %w", domains.ErrConflict, err)
	case errors.Is(err, store.ErrHasChildren):
		return fmt.Errorf("%w: %w", domains.ErrHasChildren, err)
	case errors.Is(err, store.ErrParentNotFound), errors.Is(err, store.ErrCycle):
		return fmt.Errorf("%w: %w", domains.ErrInvalid, err)
	}
	return err
}
