package yealink

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// languages maps ISO 639-1 codes to the names lang.gui and lang.wui take.
var languages = map[string]string{
	"de": "German", "en": "English", "es": "Spanish", "fr": "French",
	"it": "Italian", "pl": "Polish", "pt": "Portuguese", "ru": "Russian",
	"tr": "Turkish", "zh": "Chinese_S",
}

// toneCountries maps ISO 3166-1 codes to the names voice.tone.country takes.
var toneCountries = map[string]string{
	"AT": "Austria", "AU": "Australia", "BE": "Belgium", "BR": "Brazil",
	"CH": "Switzerland", "CL": "Chile", "CN": "China", "CZ": "Czech",
	"DE": "Germany", "DK": "Denmark", "ES": "Spain", "FI": "Finland",
	"FR": "France", "GB": "Great Britain", "GR": "Greece", "HU": "Hungary",
	"IN": "India", "IT": "Italy", "JP": "Japan", "LT": "Lithuania",
	"MX": "Mexico", "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand",
	"PT": "Portugal", "RU": "Russia", "SE": "Sweden", "TR": "Turkey",
	"US": "United States",
}

// locale writes the display language and the call progress tones; codes
// Yealink has no name for are skipped.
func locale(kv *vendors.KV, s *model.Settings) {
	if s.Language != nil {
		if name, ok := languages[*s.Language]; ok {
			kv.Set("lang.gui", name)
			kv.Set("lang.wui", name)
		}
	}
	if s.Tones != nil {
		if name, ok := toneCountries[*s.Tones]; ok {
			kv.Set("voice.tone.country", name)
		}
	}
}

// clock writes the NTP server, the time zone and daylight saving time.
//
// The zone is written as its standard offset and, when it observes DST, as
// explicit "by week" rules computed from the zone database, so that the phone
// does not depend on its own zone-name table (local_time.time_zone_name is not
// written). A zone without DST, or DST switched off, sets summer_time to 0.
func clock(kv *vendors.KV, s *model.Settings) {
	t := s.Time
	if t == nil {
		return
	}
	if t.NTPServer != nil {
		kv.Set("local_time.ntp_server1", *t.NTPServer)
	}
	var (
		zone  model.ZoneInfo
		known bool
	)
	if t.TimeZone != nil {
		zone, known = model.Zone(*t.TimeZone)
	}
	if !known {
		// Without a zone, DST on leaves the phone's automatic rules.
		if t.DST != nil {
			kv.SetBool("local_time.summer_time", *t.DST, "2", "0")
		}
		return
	}
	kv.Set("local_time.time_zone", offset(zone.StdOffset))
	start, end, ok := dstRules(zone.Name)
	if !ok || !zone.HasDST() || (t.DST != nil && !*t.DST) {
		kv.Set("local_time.summer_time", "0")
		return
	}
	kv.Set("local_time.summer_time", "1")
	kv.Set("local_time.dst_time_type", "1")
	kv.Set("local_time.start_time", start.yealink())
	kv.Set("local_time.end_time", end.yealink())
	kv.SetInt("local_time.offset_time", (zone.DSTOffset-zone.StdOffset)/60)
}

// offset formats an offset from UTC in seconds as local_time.time_zone
// takes it: "0", "+1", "-5", "+5:30", "-3:30".
func offset(sec int) string {
	if sec == 0 {
		return "0"
	}
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m := sec/3600, sec%3600/60
	if m == 0 {
		return sign + strconv.Itoa(h)
	}
	return fmt.Sprintf("%s%d:%02d", sign, h, m)
}

// transition is a DST change as a yearly rule: the weekday of a week of a
// month, at an hour of local (wall clock) time before the change.
type transition struct {
	month   int
	week    int // 1 to 4, or 5 for the last week of the month
	weekday time.Weekday
	hour    int
}

// yealink formats t as "Month/Week of Month/Day of Week/Hour", the day of
// week from 1 (Monday) to 7 (Sunday).
func (t transition) yealink() string {
	wd := int(t.weekday)
	if wd == 0 {
		wd = 7
	}
	return strconv.Itoa(t.month) + "/" + strconv.Itoa(t.week) + "/" + strconv.Itoa(wd) + "/" + strconv.Itoa(t.hour)
}

// dstRules returns the changes to and from daylight saving time of the IANA
// zone name as yearly rules; ok is false for a zone without both.
func dstRules(name string) (start, end transition, ok bool) {
	d, ok := model.ZoneDST(name)
	return ruleOf(d.Start), ruleOf(d.End), ok
}

func ruleOf(c model.DSTChange) transition {
	return transition{month: int(c.Month), week: c.Week, weekday: c.Weekday, hour: c.Hour}
}
