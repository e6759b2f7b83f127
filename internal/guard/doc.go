// Package guard is pbxgate's brute-force and scan detector: it counts the
// security events of every service ([event.Event]), keyed by source address,
// by user and by MAC target, and bans a source that goes over its limits.
//
// The package is pure: no I/O, no logging, no goroutines, no net/http. The
// composition root feeds it events ([Guard.Observe]) and successful
// authentications ([Guard.Success]), asks it at every accept
// ([Guard.Banned]), persists and shares the bans it returns, restores them at
// start ([Guard.Restore]) and calls [Guard.Expire] now and then. Time comes
// from the events and from Config.Now.
//
// # Events and weights
//
// Each event weighs, by kind ([DefaultWeights], overridable in
// Config.Weights): auth_failure 1, digest_replay 2, not_found 1, ip_refused 0
// (not counted), path_traversal [WeightMaxRetry] (the MaxRetry of its policy:
// it bans at once, from anywhere but the allowlist), unknown_mac 1 toward its
// own budget; kinds not listed weigh 1. The policy of an event is
// Config.Contexts[e.Context] if there is one, else Config.Default.
//
// # Limits
//
// A source is banned when, within the FindTime of the event's policy
// (a sliding window: an event exactly FindTime old is forgotten):
//
//   - its weighted failures (every counted kind but unknown_mac) reach
//     MaxRetry (reason "max-retry");
//   - its unknown-MAC probes reach UnknownMACMax ("unknown-mac");
//   - its unknown-MAC probes of an OUI under a sweep exceed
//     SweepPolicy.TightMax ("sweep");
//   - it is a site and its distinct failing users/MACs reach MaxRetry
//     ("site-users").
//
// Unknown-MAC probes count distinct MACs: a probe of a MAC the source
// already probed within FindTime is not counted again. A new phone asks for
// its own file again and again (without credentials, then with them); a
// scanner asks for new MACs.
//
// A source is an IPv4 address or, for IPv6, its Config.IPv6Prefix network
// (/64 by default). A ban resets the source's counters. Events from a banned
// source are not counted ("banned").
//
// # Sites
//
// Many phones behind one NAT address share it. A source that authenticated
// successfully ([Guard.Success]) is a site for the SiteTime of the policy
// (24h by default): its failures are no longer counted for the address but
// per identity, the user of the event, else its MAC target, else one
// anonymous identity for all the failures naming neither (such as probes of
// paths without credentials). The address is banned only when the number of
// distinct identities that failed within FindTime reaches MaxRetry: many
// users failing is a scan, not a broken phone. A phone that keeps failing
// with a wrong password never bans its office: its failures are counted for
// its identity (Decision.IdentityScore, [Guard.Scores]), the realm keeps
// refusing it, and the operator sees it in the log and the metrics. A
// success of that identity forgets its failures. Two things are counted as
// for anyone: unknown-MAC probes, and events weighing MaxRetry or more
// (path traversal), which ban at once.
//
// # Sweeps
//
// One vendor prefix leaves 16.8 million MACs to guess, so a patient scanner
// spreads its probes over many sources, each under the per-source budget.
// The detector counts, per OUI (the first six digits of the MAC target of
// unknown_mac events), the distinct sources probing it within
// SweepPolicy.Window. When they reach SweepPolicy.Sources the sweep is on:
// for that OUI the budget of every source is TightMax probes within FindTime
// (the next one bans), until Hold has passed without a probe of the OUI.
// Other OUIs keep the normal budget. [Guard.Sweeps] lists the sweeps on, for
// the provisioning_scan alarm. A known device presenting valid credentials
// is never affected: its fetches are not events.
//
// # Bans
//
// The nth ban of a source lasts BanTime × BanFactor^(n-1), capped at BanMax
// ([Policy.Duration]); n counts the bans, manual ones included, whose end is
// less than Config.BanMemory ago. [Guard.Ban] and [Guard.Unban] are the
// manual controls; Unban also forgets the ban count. [Guard.Restore] merges
// bans from the store or other nodes, keeping the later end.
//
// # Allowlist
//
// The allowlist always wins: its addresses are not counted, Observe answers
// "allowlisted", Ban refuses them with [ErrAllowlisted], and Banned answers
// false for them even under a ban of their whole range.
//
// # Memory
//
// Memory is bounded whatever the number of distinct addresses, users and
// MACs an attacker uses: each counter table (sources, sites, site
// identities, users, MACs) holds at most Config.MaxKeys keys, the least
// recently used making room; OUIs at most SweepPolicy.MaxOUIs, with at most
// 2×Sources sources each; bans and ban counts at most Config.MaxBans. A
// window holds at most as many events as the largest threshold (at most
// [MaxThreshold]); user names are kept as keyed 64-bit hashes, never as
// strings.
//
// # Concurrency
//
// A Guard is safe for concurrent use. Banned takes no lock and does not
// allocate: it reads an immutable prefix table, replaced on every change of
// the bans. Every other method takes one mutex: Observe and Success for a
// time bounded by the thresholds; Bans, Sweeps, Expire and a large Restore
// for a time proportional to the tables.
package guard
