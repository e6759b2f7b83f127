package main

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

func report(o options, r *results) {
	g, b, pg, ng := r.guard, r.b, r.pg, r.ng
	fmt.Printf("pbxgate scan benchmark (%s %s/%s, %d CPUs)\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	creds := map[string]string{"none": "no credentials", "wrong": "wrong Basic credentials (random)",
		"mixed": "no credentials and wrong Basic credentials in turn"}[o.creds]
	fmt.Printf("scenario, the same on both sides, one side after the other, over loopback plain HTTP:\n")
	fmt.Printf("  scanner   %s, %d keep-alive connections at full speed, GET /provision/<random MAC of OUI 001565>.cfg\n", scannerIP, o.conns)
	fmt.Printf("            with %s, for up to %v; a connection stops at its first refusal (403, or closed/refused)\n", creds, o.limit)
	phone := "its own Basic credentials on every request"
	if o.challenge {
		phone = "a request without credentials (401 expected), then its own Basic credentials"
	}
	fmt.Printf("  phone     %s, one keep-alive connection, its own file (%d bytes) in a loop for %v: %s\n", phoneIP, r.fileSize, o.limit, phone)
	fmt.Printf("  devices   one tenant, %d %s devices + the phone's, added through pbxgate's REST API in %.1fs\n\n", o.devices, model, r.setup.Seconds())

	fmt.Printf("configured:\n")
	fmt.Printf("  pbxgate   the daemon in this process (SQLite store), guard defaults but unknown_mac_max: max_retry %d, find_time %v,\n",
		g.MaxRetry, g.FindTime)
	fmt.Printf("            ban_time %v (x%g per repeat, at most %v), unknown_mac_max %d, sweep %d sources/%v; banned peers refused\n",
		g.BanTime, g.BanFactor, g.BanMax, g.UnknownMACMax, g.Sweep.Sources, g.Sweep.Window)
	fmt.Printf("            at accept, 403 on connections already open\n")
	if b.missing != "" {
		fmt.Printf("  nginx     %s\n", b.missing)
	} else {
		fmt.Printf("  nginx     %s, %d workers, auth_basic with %d {SSHA} users (one per device), combined access log\n",
			b.nginx, b.workers, o.devices+1)
		fmt.Printf("  fail2ban  %s, fail2ban-server -f with its own config dir, socket, pid file and database;\n", b.fail2ban)
		fmt.Printf("            jail: backend polling, maxretry %d, findtime %v, bantime %v, ignoreip none\n",
			g.UnknownMACMax, g.FindTime, g.BanTime)
		fmt.Printf("            filter: %s\n", failregex)
		fmt.Printf("            action: \"deny <ip>;\" appended to a file the server includes, then HUP to nginx (reload)\n")
	}
	fmt.Println()

	fmt.Printf("  %-18s %17s %16s %17s %15s %13s %20s\n", "side", "scanner answered", "ban decided at", "first refusal at",
		"all stopped at", "files leaked", "phone failed/total")
	row("pbxgate", pg, o.conns)
	if ng == nil {
		fmt.Printf("  %-18s not run: %s\n", "nginx + fail2ban", b.missing)
	} else {
		row("nginx + fail2ban", ng, o.conns)
	}
	fmt.Printf("  (times from the scanner's first request; \"decided\" is the ban's time in the side's own log)\n\n")
	details("pbxgate", pg)
	if ng != nil {
		details("nginx + fail2ban", ng)
	}
	for _, line := range r.noise {
		fmt.Printf("  pbxgate log: %s\n", line)
	}
}

// row prints one side's figures.
func row(name string, o *outcome, conns int) {
	since := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return "+" + fmtDur(t.Sub(o.start))
	}
	all := since(o.lastStop)
	if o.stopped < conns {
		all = fmt.Sprintf("%d of %d", o.stopped, conns)
	}
	fmt.Printf("  %-18s %17d %16s %17s %15s %13d %20s\n", name, o.answered(), since(o.decided), since(o.firstStop), all,
		o.answers[200], fmt.Sprintf("%d / %d", o.phoneFailed(), o.phoneFailed()+o.phoneOK))
}

// details prints what the row sums up.
func details(name string, o *outcome) {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(o.answers)) {
		parts = append(parts, fmt.Sprintf("%d x %d", o.answers[code], code))
	}
	fmt.Printf("  %s:\n    scanner answers: %s\n", name, orNone(parts))
	parts = parts[:0]
	for _, how := range slices.Sorted(maps.Keys(o.refusals)) {
		parts = append(parts, fmt.Sprintf("%d x %s", o.refusals[how], how))
	}
	fmt.Printf("    scanner stopped by: %s\n", orNone(parts))
	if o.decidedWhy != "" {
		fmt.Printf("    ban logged: %s\n", o.decidedWhy)
	}
	parts = parts[:0]
	for _, what := range slices.Sorted(maps.Keys(o.phoneBad)) {
		parts = append(parts, fmt.Sprintf("%d x %s", o.phoneBad[what], what))
	}
	fmt.Printf("    phone: %d fetches with its exact file; failed: %s\n", o.phoneOK, orNone(parts))
	for _, k := range slices.Sorted(maps.Keys(o.notes)) {
		fmt.Printf("    %s: %s\n", k, o.notes[k])
	}
}

func orNone(parts []string) string {
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// fmtDur prints a duration with three significant digits.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3gµs", float64(d)/float64(time.Microsecond))
}
