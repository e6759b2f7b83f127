package domains

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Domain is one node of the tree. Its fields are those of the database row,
// in the same order, so that an adapter can convert one into the other.
type Domain struct {
	// Name is the normalised DNS name, the domain's identity.
	Name string
	// Parent is the name of the parent domain; "" only for the master.
	Parent string
	// CertificatePEM is the merged PEM (key, certificate, chain) served for
	// the domain, or "" to fall back to the parent's.
	CertificatePEM string
	// ACMEEnabled asks for a certificate by ACME; it needs ACMEAccountEmail.
	ACMEEnabled      bool
	ACMEAccountEmail string
	// Created and Updated are set by the store, in UTC.
	Created time.Time
	Updated time.Time
	// Revision changes on every write of the domain and is never reused;
	// Update can name it to refuse a concurrent change.
	Revision int64
}

// Store is the storage the Service needs. An implementation keeps the tree a
// forest on its own, whatever Service checked before, since other nodes
// write concurrently; it maps its errors onto this package's sentinels:
//
//   - Domain, Update, Delete: an absent domain wraps [ErrNotFound];
//   - Create: an existing name wraps [ErrExists];
//   - Create, Update: a parent that does not exist, or (Update) that is the
//     domain itself or below it, wraps [ErrInvalid];
//   - Update: a stored revision other than revision wraps [ErrConflict];
//   - Delete: children without recursive wrap [ErrHasChildren].
//
// Create and Update set Created, Updated and Revision and return the domain
// as stored. Domains returns every domain sorted by name; Delete returns the
// names it deleted.
type Store interface {
	Domains(ctx context.Context) ([]Domain, error)
	Domain(ctx context.Context, name string) (Domain, error)
	Create(ctx context.Context, d Domain) (Domain, error)
	Update(ctx context.Context, d Domain, revision int64) (Domain, error)
	Delete(ctx context.Context, name string, recursive bool) ([]string, error)
}

var (
	// ErrNotFound means that the domain does not exist.
	ErrNotFound = errors.New("domain not found")
	// ErrExists means that a domain of that name exists already.
	ErrExists = errors.New("domain already exists")
	// ErrHasChildren means that the domain has children and the removal was
	// not recursive.
	ErrHasChildren = errors.New("domain has child domains")
	// ErrConflict means that the domain changed since the revision named;
	// nothing was written.
	ErrConflict = errors.New("domain changed since the revision given")
	// ErrInvalid is wrapped by every [*FieldError].
	ErrInvalid = errors.New("invalid domain")
)

// FieldError is bad input in one field of a domain, named as in the API.
// It wraps ErrInvalid.
type FieldError struct {
	// Field is the API field: "name", "parent", "certificate_pem",
	// "acme_enabled", "acme_account_email" or "revision".
	Field string
	// Msg says what is wrong, for the API's user.
	Msg string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// FieldErrors returns every *FieldError in err's tree (errors.Join and %w
// chains), in order; nil if there is none.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) { //nolint:errorlint // walks the wrapping itself, node by node
		case nil:
		case *FieldError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}
