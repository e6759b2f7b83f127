package model

import (
	"time"
	// The zone database is embedded so that rendered offsets do not
	// depend on the host's tzdata.
	_ "time/tzdata"
)

// ZoneInfo is what phones need to know of a time zone.
type ZoneInfo struct {
	// Name is the IANA name.
	Name string
	// StdOffset is the offset from UTC in seconds outside daylight saving
	// time.
	StdOffset int
	// DSTOffset is the offset during daylight saving time, equal to
	// StdOffset in a zone without it.
	DSTOffset int
}

// HasDST tells whether the zone observes daylight saving time.
func (z ZoneInfo) HasDST() bool { return z.DSTOffset != z.StdOffset }

// zoneYear is the year whose offsets Zone reports, fixed so that rendering
// is deterministic.
const zoneYear = 2026

// Zone returns the offsets of the IANA zone name; ok is false when the name
// is unknown.
func Zone(name string) (ZoneInfo, bool) {
	if name == "" {
		return ZoneInfo{}, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return ZoneInfo{}, false
	}
	_, jan := time.Date(zoneYear, time.January, 1, 12, 0, 0, 0, loc).Zone()
	_, jul := time.Date(zoneYear, time.July, 1, 12, 0, 0, 0, loc).Zone()
	std, dst := min(jan, jul), max(jan, jul)
	return ZoneInfo{Name: name, StdOffset: std, DSTOffset: dst}, true
}
