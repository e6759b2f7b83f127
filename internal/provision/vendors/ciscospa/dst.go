package ciscospa

import (
	"fmt"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

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
// IANA zone name, and the seconds it adds; ok is false for a zone without
// exactly one of each in the year.
func dstTransitions(name string) (start, end transition, save int, ok bool) {
	d, ok := model.ZoneDST(name)
	return transitionOf(d.Start), transitionOf(d.End), d.Save, ok && d.Starts == 1 && d.Ends == 1
}

func transitionOf(c model.DSTChange) transition {
	return transition{month: c.Month, day: c.Day, weekday: c.Weekday, hour: c.Hour, minute: c.Minute, last: c.Last()}
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
