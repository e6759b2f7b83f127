package grandstream

import (
	"fmt"
	"strings"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// referenceYear is the year whose clock changes become the POSIX rule,
// fixed so that rendering is deterministic.
const referenceYear = 2026

// posixTZ returns the POSIX TZ string of an IANA zone in the form
// Grandstream lists (CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00): names,
// offsets west of UTC, and for zones with daylight saving time (unless dst
// is false) the start and end as month, week (5 = last) and weekday (0 =
// Sunday) with the local time before the change.
func posixTZ(name string, dst bool) (string, bool) {
	z, ok := model.Zone(name)
	if !ok {
		return "", false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return "", false
	}
	stdName, dstName := zoneNames(loc, z)
	tz := stdName + posixOffset(z.StdOffset)
	if !dst || !z.HasDST() {
		return tz, true
	}
	start, end, ok := transitions(loc, z)
	if !ok {
		return tz, true
	}
	return tz + dstName + posixOffset(z.DSTOffset) + "," + start + "," + end, true
}

// zoneNames returns the abbreviations of the zone's standard and daylight
// time, or STD and DST where the abbreviation is not alphabetic (Go
// reports "+03" for zones without one), as POSIX requires.
func zoneNames(loc *time.Location, z model.ZoneInfo) (std, dst string) {
	std, dst = "STD", "DST"
	for _, m := range []time.Month{time.January, time.July} {
		abbr, off := time.Date(referenceYear, m, 1, 12, 0, 0, 0, loc).Zone()
		if !alphabetic(abbr) {
			continue
		}
		switch off {
		case z.StdOffset:
			std = abbr
		case z.DSTOffset:
			dst = abbr
		}
	}
	return std, dst
}

func alphabetic(s string) bool {
	if len(s) < 3 {
		return false
	}
	return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == ""
}

// posixOffset formats a UTC offset the POSIX way: positive west of UTC,
// hours with minutes when needed (-1, +5, -5:30).
func posixOffset(sec int) string {
	sign := "+"
	if sec > 0 {
		sign = "-"
	} else {
		sec = -sec
	}
	h, m := sec/3600, sec%3600/60
	if m != 0 {
		return fmt.Sprintf("%s%d:%02d", sign, h, m)
	}
	return fmt.Sprintf("%s%d", sign, h)
}

// transitions returns the rules of the changes into and out of daylight
// saving time in the reference year.
func transitions(loc *time.Location, z model.ZoneInfo) (start, end string, ok bool) {
	offset := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	t := time.Date(referenceYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	stop := t.AddDate(1, 0, 0)
	for ; t.Before(stop); t = t.Add(24 * time.Hour) {
		before, after := offset(t), offset(t.Add(24*time.Hour))
		if before == after {
			continue
		}
		// Narrow the change down to the minute.
		lo, hi := t, t.Add(24*time.Hour)
		for hi.Sub(lo) > time.Minute {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Minute)
			if offset(mid) == before {
				lo = mid
			} else {
				hi = mid
			}
		}
		rule := ruleOf(hi.Add(time.Duration(before) * time.Second))
		switch {
		case after == z.DSTOffset && start == "":
			start = rule
		case after == z.StdOffset && end == "":
			end = rule
		}
	}
	return start, end, start != "" && end != ""
}

// ruleOf turns a local wall time (as UTC fields) into Mm.w.d/hh:mm:ss; a
// day in the last seven of its month is the last week (5).
func ruleOf(t time.Time) string {
	days := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	week := (t.Day()-1)/7 + 1
	if t.Day()+7 > days {
		week = 5
	}
	return fmt.Sprintf("M%d.%d.%d/%02d:%02d:%02d", int(t.Month()), week, int(t.Weekday()), t.Hour(), t.Minute(), t.Second())
}
