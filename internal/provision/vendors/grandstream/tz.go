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
	start, end, ok := transitions(name)
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
func transitions(name string) (start, end string, ok bool) {
	d, ok := model.ZoneDST(name)
	return ruleOf(d.Start), ruleOf(d.End), ok
}

// ruleOf formats a change as Mm.w.d/hh:mm:ss, week 5 for the last.
func ruleOf(c model.DSTChange) string {
	return fmt.Sprintf("M%d.%d.%d/%02d:%02d:00", int(c.Month), c.Week, int(c.Weekday), c.Hour, c.Minute)
}
