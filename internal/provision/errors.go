package provision

import (
	"errors"
	"fmt"
	"strings"
)

// The outcomes a caller of the Service branches on.
var (
	// ErrInvalid is wrapped by every *FieldError.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: no such entity.
	ErrNotFound = errors.New("not found")
	// ErrExists: an entity with that key exists already.
	ErrExists = errors.New("already exists")
	// ErrInUse: the entity is referred to (an extension bound to a line).
	ErrInUse = errors.New("in use")
	// ErrConflict: the entity changed while it was being updated; retry.
	ErrConflict = errors.New("changed concurrently")
)

// FieldError is bad input in one field of the API.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// FieldErrors are several field errors.
type FieldErrors []*FieldError

func (l FieldErrors) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

// Unwrap returns the errors.
func (l FieldErrors) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

func (l *FieldErrors) add(field, format string, args ...any) {
	*l = append(*l, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (l FieldErrors) err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
