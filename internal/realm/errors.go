package realm

import (
	"fmt"
	"strings"
)

// ConfigError is one problem that [New] found in a [Config].
type ConfigError struct {
	// Index is the position of the user in Config.Users, or -1 when the
	// problem is in a field of Config itself.
	Index int
	// Field is the field at fault: "username" or "password" for a user;
	// "realm", "scheme" or "users" for Config.
	Field string
	// Msg says what is wrong. It never contains a password.
	Msg string
}

// Path returns the field path relative to the realm section:
// users[1].password, or realm.
func (e *ConfigError) Path() string {
	if e.Index < 0 {
		return e.Field
	}
	return fmt.Sprintf("users[%d].%s", e.Index, e.Field)
}

func (e *ConfigError) Error() string { return e.Path() + ": " + e.Msg }

// ConfigErrors is every problem that [New] found, in the order of the
// configuration. New returns it as its error; use errors.As to get it back.
type ConfigErrors []*ConfigError

func (l ConfigErrors) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors one by one, so that errors.As finds a single
// *ConfigError too.
func (l ConfigErrors) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// add appends one error.
func (l *ConfigErrors) add(index int, field, format string, args ...any) {
	*l = append(*l, &ConfigError{Index: index, Field: field, Msg: fmt.Sprintf(format, args...)})
}
