package ciscospa

import (
	"fmt"
	"time"
)

// dstYear is the year whose transitions the daylight saving rule is taken
// from: the year model.Zone reports offsets for, so that rendering does
// not depend on the clock.
const dstYear = 2026

// transition is one change of a zone's offset, as the wall-clock time just
// before it.
type transition struct {
	month   time.Month
	day     int
	weekday time.Weekday
	hour    int
	minute  int
	// last is true when the day is the last such weekday of the month.
	last bool
}

// dstTransitions returns the start and end of daylight saving time in the
// IANA zone name during dstYear, and the seconds it adds; ok is false for
// a zone without exactly one of each.
func dstTransitions(name string) (start, end transition, save int, ok bool) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return start, end, 0, false
	}
	offset := func(t time.Time) int {
		_, off := t.In(loc).Zone()
		return off
	}
	from := time.Date(dstYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	prev := offset(from)
	starts, ends := 0, 0
	for t := from; t.Before(to); t = t.Add(time.Hour) {
		next := offset(t.Add(time.Hour))
		if next == prev {
			continue
		}
		at := t.Add(time.Hour)
		for m := time.Minute; m < time.Hour; m += time.Minute {
			if offset(t.Add(m)) == next {
				at = t.Add(m)
				break
			}
		}
		wall := at.In(time.FixedZone("", prev))
		tr := transition{
			month:   wall.Month(),
			day:     wall.Day(),
			weekday: wall.Weekday(),
			hour:    wall.Hour(),
			minute:  wall.Minute(),
			last:    wall.AddDate(0, 0, 7).Month() != wall.Month(),
		}
		if next > prev {
			start, save = tr, next-prev
			starts++
		} else {
			end = tr
			ends++
		}
		prev = next
	}
	return start, end, save, starts == 1 && ends == 1
}

// spaDay formats a transition as the SPA's month/day/weekday/HH:mm:ss:
// weekday 1 (Monday) to 7 (Sunday), day -1 for the last such weekday of
// the month, else the first day from which the weekday is sought.
func spaDay(t transition) string {
	wd := int(t.weekday)
	if wd == 0 {
		wd = 7
	}
	day := (t.day-1)/7*7 + 1
	if t.last {
		day = -1
	}
	return fmt.Sprintf("%d/%d/%d/%d:%d:0", int(t.month), day, wd, t.hour, t.minute)
}

// dstRule returns the Daylight_Saving_Time_Rule of the IANA zone name.
func dstRule(name string) (string, bool) {
	start, end, save, ok := dstTransitions(name)
	if !ok {
		return "", false
	}
	s := fmt.Sprintf("%d", save/3600)
	if m := save % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%d", m)
	}
	return "start=" + spaDay(start) + ";end=" + spaDay(end) + ";save=" + s, true
}
