package model

import (
	"sync"
	"time"
)

// DSTChange is one change into or out of daylight saving time, as the
// local wall-clock time just before it. Phones take it as a yearly rule:
// the Weekday of a Week of a Month, at Hour:Minute.
type DSTChange struct {
	Month   time.Month
	Day     int
	Weekday time.Weekday
	Hour    int
	Minute  int
	// Week is the week of the month the day falls in, 1 to 4, or 5 when
	// it is the last such weekday of the month (a day in its last seven).
	Week int
}

// Last tells whether the day is the last such weekday of its month.
func (c DSTChange) Last() bool { return c.Week == 5 }

// DST is the daylight saving time of a zone in the reference year.
type DST struct {
	// Start and End are the first changes into and out of it.
	Start, End DSTChange
	// Save is the seconds the first start adds.
	Save int
	// Starts and Ends count the changes of each kind in the year (more
	// than one in zones that suspend it, such as for Ramadan).
	Starts, Ends int
}

var dstCache sync.Map // zone name → dstEntry

type dstEntry struct {
	dst DST
	ok  bool
}

// ZoneDST returns the daylight saving time of the IANA zone name in the
// year whose offsets Zone reports, found to the minute; ok is false for an
// unknown zone or one without both a start and an end. Results are
// remembered per zone: rendering asks for them for every phone.
func ZoneDST(name string) (DST, bool) {
	if e, ok := dstCache.Load(name); ok {
		return e.(dstEntry).dst, e.(dstEntry).ok
	}
	d, ok := zoneDST(name)
	if name != "" {
		dstCache.Store(name, dstEntry{d, ok})
	}
	return d, ok
}

func zoneDST(name string) (DST, bool) {
	if name == "" {
		return DST{}, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return DST{}, false
	}
	offset := func(t time.Time) int {
		_, off := t.In(loc).Zone()
		return off
	}
	var d DST
	from := time.Date(zoneYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	prev := offset(from)
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
		c := changeAt(at.In(time.FixedZone("", prev)))
		if next > prev {
			if d.Starts == 0 {
				d.Start, d.Save = c, next-prev
			}
			d.Starts++
		} else {
			if d.Ends == 0 {
				d.End = c
			}
			d.Ends++
		}
		prev = next
	}
	return d, d.Starts > 0 && d.Ends > 0
}

// changeAt describes the wall-clock time wall as a yearly rule.
func changeAt(wall time.Time) DSTChange {
	c := DSTChange{Month: wall.Month(), Day: wall.Day(), Weekday: wall.Weekday(), Hour: wall.Hour(), Minute: wall.Minute(), Week: (wall.Day()-1)/7 + 1}
	if wall.AddDate(0, 0, 7).Month() != wall.Month() {
		c.Week = 5
	}
	return c
}
