package guard

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" for no error; else every line of the joined error
	}{
		{"ok/zero-config-takes-defaults", func(*Config) {}, ""},
		{"ok/defaults-spelled-out", func(c *Config) {
			c.Default, c.Sweep, c.Weights = DefaultPolicy(), DefaultSweep(), DefaultWeights()
		}, ""},
		{"ok/partial-context", func(c *Config) { c.Contexts = map[string]Policy{"voicemail": {MaxRetry: 3}} }, ""},
		{"ok/limits", func(c *Config) {
			c.Default.MaxRetry, c.Default.UnknownMACMax, c.Sweep.Sources, c.Sweep.TightMax = 100, 100, 1000, 100
			c.Default.BanFactor, c.IPv6Prefix = 100, 128
		}, ""},
		{"ok/allowlist", func(c *Config) { c.Allowlist = mustPrefixes("10.0.0.0/8", "::ffff:192.0.2.0/120", "2001:db8::/32") }, ""},
		{"fail/default-max-retry-negative", func(c *Config) { c.Default.MaxRetry = -1 },
			"default.max_retry: must be at least 1"},
		{"fail/default-max-retry-too-big", func(c *Config) { c.Default.MaxRetry = 101 },
			"default.max_retry: must be at most 100"},
		{"fail/context-fields", func(c *Config) {
			c.Contexts = map[string]Policy{
				"voicemail":    {FindTime: -time.Second, BanFactor: 0.5},
				"provisioning": {UnknownMACMax: -3, BanMax: time.Minute},
			}
		}, "contexts.provisioning.ban_max: must be at least ban_time (10m0s)\n" +
			"contexts.provisioning.unknown_mac_max: must be at least 1\n" +
			"contexts.voicemail.find_time: must be positive\n" +
			"contexts.voicemail.ban_factor: must be from 1 to 100"},
		{"fail/ban-factor-nan", func(c *Config) { c.Default.BanFactor = math.NaN() }, "default.ban_factor: must be from 1 to 100"},
		{"fail/ban-factor-inf", func(c *Config) { c.Default.BanFactor = math.Inf(1) }, "default.ban_factor: must be from 1 to 100"},
		{"fail/ban-time-site-time", func(c *Config) { c.Default.BanTime, c.Default.SiteTime = -1, -1 },
			"default.ban_time: must be positive\ndefault.site_time: must be positive"},
		{"fail/sweep", func(c *Config) {
			c.Sweep = SweepPolicy{Sources: 1001, Window: -1, TightMax: -1, Hold: -time.Hour, MaxOUIs: -1}
		}, "sweep.sources: must be at most 1000\nsweep.window: must be positive\nsweep.tight_max: must be at least 1\n" +
			"sweep.hold: must be positive\nsweep.max_ouis: must be at least 1"},
		{"fail/weights", func(c *Config) {
			c.Weights = map[event.Kind]int{event.NotFound: -2, event.AuthFailure: 1001, event.DigestReplay: WeightMaxRetry}
		}, "weights.auth_failure: must be from 0 to 1000, or -1 (max_retry)\nweights.not_found: must be from 0 to 1000, or -1 (max_retry)"},
		{"fail/allowlist", func(c *Config) {
			c.Allowlist = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), {}, netip.MustParsePrefix("::ffff:0.0.0.0/95")}
		}, "allowlist[1]: not a valid CIDR prefix\nallowlist[2]: ::ffff:0.0.0.0/95: an IPv4-mapped prefix must be /96 or longer"},
		{"fail/tables", func(c *Config) { c.MaxKeys, c.MaxBans, c.BanMemory, c.IPv6Prefix = -1, -1, -1, 24 },
			"max_keys: must be at least 1\nmax_bans: must be at least 1\nban_memory: must be positive\nipv6_prefix: must be at least 32"},
		{"fail/ipv6-prefix-too-long", func(c *Config) { c.IPv6Prefix = 129 }, "ipv6_prefix: must be at most 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			tt.edit(&c)
			err := c.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate:\n%s\nwant:\n%s", got, tt.want)
			}
			if _, nerr := New(c); (nerr == nil) != (tt.want == "") {
				t.Errorf("New: %v, want error %v", nerr, tt.want != "")
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	c := Config{
		Default:  Policy{MaxRetry: 3},
		Contexts: map[string]Policy{"voicemail": {BanTime: time.Hour}},
		Weights:  map[event.Kind]int{event.NotFound: 0},
	}.withDefaults()
	want := DefaultPolicy()
	want.MaxRetry = 3
	if c.Default != want {
		t.Errorf("Default = %+v, want %+v", c.Default, want)
	}
	want.BanTime = time.Hour
	if got := c.Contexts["voicemail"]; got != want {
		t.Errorf("voicemail = %+v, want %+v (zero fields from the default)", got, want)
	}
	if c.Weights[event.NotFound] != 0 || c.Weights[event.DigestReplay] != 2 || c.Weights[event.Traversal] != WeightMaxRetry {
		t.Errorf("Weights = %v", c.Weights)
	}
	if c.Sweep != DefaultSweep() || c.MaxKeys != 100000 || c.MaxBans != 100000 || c.BanMemory != 24*time.Hour || c.IPv6Prefix != 64 || c.Now == nil {
		t.Errorf("defaults not set: %+v", c)
	}
}
