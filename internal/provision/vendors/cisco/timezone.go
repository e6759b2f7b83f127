package cisco

import (
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// sipZones maps the standard offset in minutes to the time zone
// abbreviation of the 79x0 SIP firmware's time_zone.
var sipZones = map[int]string{
	-660: "NT",
	-600: "HST",
	-540: "YST",
	-480: "PST",
	-420: "MST",
	-360: "CST",
	-300: "EST",
	-240: "AST",
	-210: "NST",
	-120: "AT",
	-60:  "WAT",
	0:    "GMT",
	60:   "CET",
	120:  "EET",
	180:  "BT",
	210:  "IT",
	240:  "ZP4",
	300:  "ZP5",
	330:  "IST",
	360:  "ZP6",
	420:  "WAST",
	480:  "CCT",
	540:  "JST",
	600:  "EAST",
	720:  "NZST",
}

// sepZone is a time zone name of the enterprise firmware, keyed by the
// standard offset in minutes and whether the zone observes daylight
// saving time (the name carries the rule).
type sepZone struct {
	offset int
	dst    bool
}

// sepZones maps offsets to the <timeZone> names of SEP<MAC>.cnf.xml.
var sepZones = map[sepZone]string{
	{-720, false}: "Dateline Standard Time",
	{-660, false}: "Samoa Standard Time",
	{-600, false}: "Hawaiian Standard Time",
	{-540, true}:  "Alaskan Standard/Daylight Time",
	{-480, true}:  "Pacific Standard/Daylight Time",
	{-420, true}:  "Mountain Standard/Daylight Time",
	{-420, false}: "US Mountain Standard Time",
	{-360, true}:  "Central Standard/Daylight Time",
	{-360, false}: "Canada Central Standard Time",
	{-300, true}:  "Eastern Standard/Daylight Time",
	{-300, false}: "SA Pacific Standard Time",
	{-240, true}:  "Atlantic Standard/Daylight Time",
	{-240, false}: "SA Western Standard Time",
	{-210, true}:  "Newfoundland Standard/Daylight Time",
	{-180, true}:  "E. South America Standard/Daylight Time",
	{-180, false}: "SA Eastern Standard Time",
	{-120, true}:  "Mid-Atlantic Standard/Daylight Time",
	{-60, true}:   "Azores Standard/Daylight Time",
	{0, true}:     "GMT Standard/Daylight Time",
	{0, false}:    "Greenwich Standard Time",
	{60, true}:    "W. Europe Standard/Daylight Time",
	{120, true}:   "E. Europe Standard/Daylight Time",
	{120, false}:  "South Africa Standard Time",
	{180, false}:  "Saudi Arabia Standard Time",
	{210, true}:   "Iran Standard/Daylight Time",
	{240, false}:  "Arabian Standard Time",
	{270, false}:  "Afghanistan Standard Time",
	{300, false}:  "West Asia Standard Time",
	{330, false}:  "India Standard Time",
	{360, false}:  "Central Asia Standard Time",
	{420, false}:  "SE Asia Standard Time",
	{480, false}:  "Taipei Standard Time",
	{540, false}:  "Tokyo Standard Time",
	{570, true}:   "Cen. Australia Standard/Daylight Time",
	{570, false}:  "AUS Central Standard Time",
	{600, true}:   "AUS Eastern Standard/Daylight Time",
	{600, false}:  "E. Australia Standard Time",
	{660, false}:  "Central Pacific Standard Time",
	{720, true}:   "New Zealand Standard/Daylight Time",
	{720, false}:  "Fiji Standard Time",
}

// sepTimeZone returns the <timeZone> of zone z; dst false picks the name
// without daylight saving time.
func sepTimeZone(z model.ZoneInfo, dst bool) (string, bool) {
	name, ok := sepZones[sepZone{z.StdOffset / 60, dst && z.HasDST()}]
	return name, ok
}

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

// week is the week of the month of t as dst_*_week_of_month counts it: 1
// to 5, or 8 for the last one.
func (t transition) week() int {
	if t.last {
		return 8
	}
	return (t.day-1)/7 + 1
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
