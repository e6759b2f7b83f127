package guard

import (
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

const (
	scanner = "203.0.113.66"
	other   = "203.0.113.67"
	office  = "198.51.100.10"
	v6a     = "2001:db8:1:2::a"
	v6b     = "2001:db8:1:2:ffff::b"
	v6c     = "2001:db8:1:3::c"
	mac1    = "001565aabbcc"
)

// scenario is one named case: a configuration, steps, what the last event
// decided and who is banned at the end.
type scenario struct {
	name   string
	cfg    func(*Config)
	steps  []step
	reason string // Reason of the last event
	score  int    // Score of the last event, when reason is set
	banned []string
	free   []string
}

// banReasons are the reasons of a decision that bans.
var banReasons = map[string]bool{ReasonMaxRetry: true, ReasonUnknownMAC: true, ReasonSweep: true, ReasonSiteUsers: true}

func runScenarios(t *testing.T, cases []scenario) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, clk := newGuard(t, tc.cfg)
			d := last(play(t, g, clk, tc.steps))
			if tc.reason != "" && (d.Reason != tc.reason || d.Score != tc.score) {
				t.Errorf("last decision: reason %q score %d, want %q score %d (%+v)", d.Reason, d.Score, tc.reason, tc.score, d)
			}
			if want := banReasons[d.Reason]; d.Banned != want || d.Banned != d.Ban.IP.IsValid() && d.Reason != ReasonBanned {
				t.Errorf("last decision: Banned %v with reason %q and ban %+v", d.Banned, d.Reason, d.Ban)
			}
			checkBanned(t, g, tc.banned, tc.free)
		})
	}
}

func TestThresholds(t *testing.T) {
	const s = time.Second
	auth := ev(0, event.AuthFailure, scanner)
	runScenarios(t, []scenario{
		{name: "ok/auth-failure-4-of-5", steps: rep(4, s, auth, users),
			reason: ReasonCounted, score: 4, free: []string{scanner}},
		{name: "ban/auth-failure-5th", steps: rep(5, s, auth, users),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}, free: []string{other}},
		{name: "ban/auth-failure-same-user", steps: rep(5, s, auth.by("alice"), nil),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ok/digest-replay-2-weigh-4", steps: rep(2, s, ev(0, event.DigestReplay, scanner).by("alice"), nil),
			reason: ReasonCounted, score: 4, free: []string{scanner}},
		{name: "ban/digest-replay-3rd", steps: rep(3, s, ev(0, event.DigestReplay, scanner).by("alice"), nil),
			reason: ReasonMaxRetry, score: 6, banned: []string{scanner}},
		{name: "ban/digest-replay-and-auth-mixed",
			steps:  seq(rep(2, s, ev(0, event.DigestReplay, scanner), nil), ev(5*s, event.AuthFailure, scanner)),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ok/not-found-4", steps: rep(4, s, ev(0, event.NotFound, scanner), paths),
			reason: ReasonCounted, score: 4, free: []string{scanner}},
		{name: "ban/not-found-5th", steps: rep(5, s, ev(0, event.NotFound, scanner), paths),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ok/ip-refused-not-counted", steps: rep(50, s, ev(0, event.IPRefused, scanner), nil),
			reason: ReasonNotCounted, score: 0, free: []string{scanner}},
		{name: "ban/path-traversal-at-once", steps: []step{ev(0, event.Traversal, scanner).to("/../etc/passwd")},
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ban/unknown-kind-weighs-1", steps: rep(5, s, ev(0, "tftp_miss", scanner), nil),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ok/unknown-mac-9-of-10", steps: rep(9, s, ev(0, event.UnknownMAC, scanner), macs),
			reason: ReasonCounted, score: 9, free: []string{scanner}},
		{name: "ban/unknown-mac-10th", steps: rep(10, s, ev(0, event.UnknownMAC, scanner), macs),
			reason: ReasonUnknownMAC, score: 10, banned: []string{scanner}},
		{name: "ok/unknown-mac-same-mac-counts-once", steps: rep(30, s, ev(0, event.UnknownMAC, scanner).to(mac1), nil),
			reason: ReasonCounted, score: 1, free: []string{scanner}},
		{name: "ban/unknown-mac-not-a-mac-still-counts", steps: rep(10, s, ev(0, event.UnknownMAC, scanner).to("garbage"), nil),
			reason: ReasonUnknownMAC, score: 10, banned: []string{scanner}},
		{name: "ok/unknown-mac-apart-from-failures",
			steps:  seq(rep(9, s, ev(0, event.UnknownMAC, scanner), macs), rep(4, s, ev(time.Minute, event.AuthFailure, scanner), users)),
			reason: ReasonCounted, score: 4, free: []string{scanner}},
		{name: "ok/weight-zero-override", cfg: func(c *Config) { c.Weights = map[event.Kind]int{event.AuthFailure: 0} },
			steps: rep(20, s, auth, users), reason: ReasonNotCounted, free: []string{scanner}},
		{name: "ban/weight-override-keeps-other-defaults", cfg: func(c *Config) { c.Weights = map[event.Kind]int{event.NotFound: 0} },
			steps: []step{ev(0, event.Traversal, scanner)}, reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ban/weight-max-retry-override", cfg: func(c *Config) { c.Weights = map[event.Kind]int{event.DigestReplay: WeightMaxRetry} },
			steps: []step{ev(0, event.DigestReplay, scanner)}, reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ban/ipv4-mapped-source", steps: rep(5, s, ev(0, event.AuthFailure, "::ffff:"+scanner), nil),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner, "::ffff:" + scanner}},
		{name: "ban/ipv6-one-64-is-one-source",
			steps:  seq(rep(3, s, ev(0, event.AuthFailure, v6a), nil), rep(2, s, ev(time.Minute, event.AuthFailure, v6b), nil)),
			reason: ReasonMaxRetry, score: 5, banned: []string{v6a, v6b, "2001:db8:1:2::1"}, free: []string{v6c}},
		{name: "ok/ipv6-prefix-128", cfg: func(c *Config) { c.IPv6Prefix = 128 },
			steps:  seq(rep(3, s, ev(0, event.AuthFailure, v6a), nil), rep(2, s, ev(time.Minute, event.AuthFailure, v6b), nil)),
			reason: ReasonCounted, score: 2, free: []string{v6a, v6b}},
		{name: "ok/banned-source-not-counted",
			steps:  seq(rep(5, s, auth, users), rep(3, s, ev(time.Minute, event.AuthFailure, scanner), nil)),
			reason: ReasonBanned, score: 0, banned: []string{scanner}},
	})
}

func TestObserveInvalidAndAllowlisted(t *testing.T) {
	g, _ := newGuard(t, func(c *Config) { c.Allowlist = mustPrefixes("10.0.0.0/8", "2001:db8:1:2::a/128") })
	tests := []struct {
		name   string
		e      event.Event
		reason string
	}{
		{"ok/invalid-address", event.Event{Kind: event.Traversal}, ReasonInvalidAddress},
		{"ok/allowlisted-traversal", event.Event{Kind: event.Traversal, RemoteIP: addr("10.1.2.3")}, ReasonAllowlisted},
		{"ok/allowlisted-mapped", event.Event{Kind: event.Traversal, RemoteIP: addr("::ffff:10.1.2.3")}, ReasonAllowlisted},
		{"ok/allowlisted-v6-host", event.Event{Kind: event.Traversal, RemoteIP: addr(v6a)}, ReasonAllowlisted},
		{"ban/v6-neighbour-not-allowlisted", event.Event{Kind: event.Traversal, RemoteIP: addr(v6b)}, ReasonMaxRetry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := g.Observe(tt.e); d.Reason != tt.reason {
				t.Errorf("Observe: %+v, want reason %q", d, tt.reason)
			}
		})
	}
	// The /64 of v6a is banned for v6b, but the allowlisted host is free.
	checkBanned(t, g, []string{v6b}, []string{v6a, "10.1.2.3"})
}

func TestWindow(t *testing.T) {
	const find = 10 * time.Minute
	auth := ev(0, event.AuthFailure, scanner)
	runScenarios(t, []scenario{
		{name: "ok/first-exactly-find-time-old",
			steps:  seq(rep(4, 0, auth, nil), ev(find, event.AuthFailure, scanner)),
			reason: ReasonCounted, score: 1, free: []string{scanner}},
		{name: "ban/first-just-inside",
			steps:  seq(rep(4, 0, auth, nil), ev(find-time.Second, event.AuthFailure, scanner)),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ok/one-every-3m-never-5-in-10m", steps: rep(40, 3*time.Minute, auth, nil),
			reason: ReasonCounted, score: 4, free: []string{scanner}},
		{name: "ban/one-every-2m-5-in-10m", steps: rep(5, 2*time.Minute-time.Second, auth, nil),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}},
		{name: "ok/slides-then-old-ones-forgotten",
			steps:  seq(rep(4, time.Second, auth, nil), rep(4, time.Second, ev(time.Hour, event.AuthFailure, scanner), nil)),
			reason: ReasonCounted, score: 4, free: []string{scanner}},
		{name: "ok/unknown-mac-window",
			steps:  seq(rep(9, time.Second, ev(0, event.UnknownMAC, scanner), macs), ev(find+9*time.Second, event.UnknownMAC, scanner).to(mac1)),
			reason: ReasonCounted, score: 1, free: []string{scanner}},
		{name: "ok/find-time-1m", cfg: func(c *Config) { c.Default.FindTime = time.Minute },
			steps: rep(10, 20*time.Second, auth, nil), reason: ReasonCounted, score: 3, free: []string{scanner}},
	})
}

func TestSites(t *testing.T) {
	const s = time.Second
	hello := success(0, office, "alice")
	officeAuth := ev(time.Minute, event.AuthFailure, office)
	runScenarios(t, []scenario{
		{name: "ban/control-broken-phone-without-site", steps: rep(5, s, officeAuth.by("bob"), nil),
			reason: ReasonMaxRetry, score: 5, banned: []string{office}},
		{name: "ok/broken-phone-behind-nat",
			steps:  seq(hello, rep(200, 3*s, officeAuth.by("bob").to(mac1), nil)),
			reason: ReasonSite, score: 1, free: []string{office}},
		{name: "ok/broken-provisioning-phone-no-user",
			steps:  seq(hello, rep(50, s, officeAuth.to(mac1), nil)),
			reason: ReasonSite, score: 1, free: []string{office}},
		{name: "ok/site-4-users-failing",
			steps:  seq(hello, rep(4, s, officeAuth, users)),
			reason: ReasonSite, score: 4, free: []string{office}},
		{name: "ban/site-5-users-failing",
			steps:  seq(hello, rep(5, s, officeAuth, users)),
			reason: ReasonSiteUsers, score: 5, banned: []string{office}},
		{name: "ban/site-5-macs-failing-no-user",
			steps:  seq(hello, rep(5, s, officeAuth, macs)),
			reason: ReasonSiteUsers, score: 5, banned: []string{office}},
		{name: "ok/site-users-spread-over-find-time",
			steps:  seq(hello, rep(10, 3*time.Minute, officeAuth, users)),
			reason: ReasonSite, score: 4, free: []string{office}},
		{name: "ok/site-anonymous-404s-one-identity",
			steps:  seq(hello, rep(30, s, ev(time.Minute, event.NotFound, office), paths)),
			reason: ReasonSite, score: 1, free: []string{office}},
		{name: "ban/site-scanner-probing-unknown-macs",
			steps:  seq(hello, rep(10, s, ev(time.Minute, event.UnknownMAC, office), macs)),
			reason: ReasonUnknownMAC, score: 10, banned: []string{office}},
		{name: "ban/site-path-traversal",
			steps:  seq(hello, ev(time.Minute, event.Traversal, office)),
			reason: ReasonMaxRetry, score: 5, banned: []string{office}},
		{name: "ok/success-forgets-that-user",
			steps: seq(hello, rep(4, s, officeAuth, users), success(2*time.Minute, office, "user0"),
				ev(3*time.Minute, event.AuthFailure, office).by("user9")),
			reason: ReasonSite, score: 4, free: []string{office}},
		{name: "ban/site-ended-after-site-time",
			steps:  seq(hello, rep(5, s, ev(24*time.Hour, event.AuthFailure, office).by("bob"), nil)),
			reason: ReasonMaxRetry, score: 5, banned: []string{office}},
		{name: "ok/site-renewed-by-later-success",
			steps:  seq(hello, success(20*time.Hour, office, "alice"), rep(5, s, ev(30*time.Hour, event.AuthFailure, office).by("bob"), nil)),
			reason: ReasonSite, score: 1, free: []string{office}},
		{name: "ok/site-time-per-context", cfg: func(c *Config) { c.Contexts = map[string]Policy{"provisioning": {SiteTime: time.Hour}} },
			steps:  seq(hello, rep(5, s, ev(2*time.Hour, event.AuthFailure, office).by("bob"), nil)),
			reason: ReasonSite, score: 1, free: []string{office}},
		{name: "ban/short-site-time-per-context", cfg: func(c *Config) { c.Contexts = map[string]Policy{"provisioning": {SiteTime: time.Hour}} },
			steps:  seq(hello.in("provisioning"), rep(5, s, ev(2*time.Hour, event.AuthFailure, office).by("bob"), nil)),
			reason: ReasonMaxRetry, score: 5, banned: []string{office}},
		{name: "ok/site-does-not-cover-other-sources",
			steps:  seq(hello, rep(5, s, ev(time.Minute, event.AuthFailure, scanner).by("bob"), nil)),
			reason: ReasonMaxRetry, score: 5, banned: []string{scanner}, free: []string{office}},
	})
}

func TestSiteIdentityScore(t *testing.T) {
	g, clk := newGuard(t, nil)
	steps := seq(success(0, office, "alice"), rep(7, time.Second, ev(time.Minute, event.AuthFailure, office).by("bob"), nil))
	d := last(play(t, g, clk, steps))
	if !d.Site || d.IdentityScore != 5 || d.Score != 1 {
		t.Errorf("decision %+v, want a site, identity score 5 (saturated), score 1", d)
	}
	sc := g.Scores(addr(office), "bob", "")
	if !sc.Site || sc.Failing != 1 || sc.Identity != 5 || sc.User != 7 || sc.Failures != 0 {
		t.Errorf("Scores = %+v", sc)
	}
}

func TestContexts(t *testing.T) {
	const s = time.Second
	strict := func(c *Config) {
		c.Contexts = map[string]Policy{
			"voicemail":    {MaxRetry: 2, BanTime: time.Hour},
			"provisioning": {UnknownMACMax: 3, FindTime: time.Minute},
		}
	}
	runScenarios(t, []scenario{
		{name: "ban/voicemail-2", cfg: strict, steps: rep(2, s, ev(0, event.AuthFailure, scanner).in("voicemail"), nil),
			reason: ReasonMaxRetry, score: 2, banned: []string{scanner}},
		{name: "ok/default-2", cfg: strict, steps: rep(2, s, ev(0, event.AuthFailure, scanner).in("webui"), nil),
			reason: ReasonCounted, score: 2, free: []string{scanner}},
		{name: "ok/no-context-is-default", cfg: strict, steps: rep(4, s, ev(0, event.AuthFailure, scanner), nil),
			reason: ReasonCounted, score: 4, free: []string{scanner}},
		{name: "ban/shared-counter-judged-by-strict-policy", cfg: strict,
			steps:  seq(ev(0, event.AuthFailure, scanner).in("webui"), ev(s, event.AuthFailure, scanner).in("voicemail")),
			reason: ReasonMaxRetry, score: 2, banned: []string{scanner}},
		{name: "ban/provisioning-unknown-mac-3", cfg: strict, steps: rep(3, s, ev(0, event.UnknownMAC, scanner).in("provisioning"), macs),
			reason: ReasonUnknownMAC, score: 3, banned: []string{scanner}},
		{name: "ok/provisioning-find-time-1m", cfg: strict, steps: rep(6, 40*s, ev(0, event.UnknownMAC, scanner).in("provisioning"), macs),
			reason: ReasonCounted, score: 2, free: []string{scanner}},
		{name: "ban/traversal-weighs-context-max-retry", cfg: strict,
			steps:  []step{ev(0, event.Traversal, scanner).in("voicemail")},
			reason: ReasonMaxRetry, score: 2, banned: []string{scanner}},
	})

	// A context policy takes its zero fields from the default policy, and
	// its ban length from its own.
	g, clk := newGuard(t, func(c *Config) {
		strict(c)
		c.Default.FindTime = 30 * time.Minute
	})
	d := last(play(t, g, clk, rep(2, 14*time.Minute, ev(0, event.AuthFailure, scanner).in("voicemail"), nil)))
	if !d.Banned || d.Ban.Until.Sub(d.Ban.Since) != time.Hour {
		t.Errorf("voicemail ban: %+v, want a 1h ban (find_time 30m from the default)", d)
	}
}
