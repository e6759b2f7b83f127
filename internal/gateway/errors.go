package gateway

import (
	"errors"
	"fmt"

	"github.com/pbxgate/pbxgate/internal/access"
	"github.com/pbxgate/pbxgate/internal/realm"
)

// entryErrors maps the bad entries of an IP list to their field paths:
// path is "trusted_proxies" or "contexts.X.ip_access".
func (b *builder) entryErrors(path string, err error) {
	var es access.EntryErrors
	if !errors.As(err, &es) {
		b.fail(path, "%v", err)
		return
	}
	for _, e := range es {
		p := fmt.Sprintf("%s.%s[%d]", path, e.List, e.Index)
		if e.List == path {
			p = fmt.Sprintf("%s[%d]", path, e.Index)
		}
		b.fail(p, "%v", e.Err)
	}
}

// realmErrors maps the errors of realm.New to paths under
// contexts.X.realm_auth.
func (b *builder) realmErrors(path string, err error) {
	var es realm.ConfigErrors
	if !errors.As(err, &es) {
		b.fail(path, "%v", err)
		return
	}
	for _, e := range es {
		b.fail(path+"."+e.Path(), "%s", e.Msg)
	}
}
