package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// String formats d like time.Duration ("10s", "1m30s", "2h0m0s"), or as
// days ("14d") when it is a whole number of them.
func (d Duration) String() string {
	const day = 24 * time.Hour
	if v := time.Duration(d); v >= day && v%day == 0 {
		return fmt.Sprintf("%dd", v/day)
	}
	return time.Duration(d).String()
}

// MarshalYAML writes d as a string like "10s".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration written with units, as time.ParseDuration
// accepts them ("10s", "1m30s", "250ms"). A bare number is refused, even
// though a reader might guess seconds: "timeout: 10" is ambiguous, and a
// wrong guess makes a timeout 1000 times too short or too long. Only "0"
// needs no unit.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a duration like \"10s\", got %s", describeNode(n))
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// parseDuration parses s, with the message the configuration shows. A
// whole number of days ("14d") is accepted too, for certificate windows.
func parseDuration(s string) (Duration, error) {
	if days, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok && isBareNumber(days) && !strings.ContainsAny(days, ".+-") {
		var n int64
		if _, err := fmt.Sscan(days, &n); err == nil && n <= 36500 {
			return Duration(time.Duration(n) * 24 * time.Hour), nil
		}
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		if isBareNumber(s) {
			return 0, fmt.Errorf("%q has no unit: write a duration like \"10s\" or \"2m\"", s)
		}
		return 0, fmt.Errorf("%q is not a duration like \"10s\" or \"1m30s\"", s)
	}
	return Duration(v), nil
}

func isBareNumber(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "+-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}
