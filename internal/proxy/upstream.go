package proxy

import (
	"errors"
	"fmt"
	"net/url"
)

// parseUpstream checks the upstream URL. Its errors never repeat the URL,
// which could hold a password.
func parseUpstream(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("upstream: is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("upstream: invalid URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("upstream: scheme must be http or https, not %q", u.Scheme)
	case u.User != nil:
		return nil, errors.New("upstream: must not carry user info")
	case u.Opaque != "":
		return nil, errors.New("upstream: must be an absolute URL with a host")
	case u.Host == "" || u.Hostname() == "":
		return nil, errors.New("upstream: host is missing")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, errors.New("upstream: must not have a query")
	case u.Fragment != "" || u.RawFragment != "":
		return nil, errors.New("upstream: must not have a fragment")
	}
	return u, nil
}
