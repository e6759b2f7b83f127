package polycom

import (
	"strconv"
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// languages maps ISO 639-1 codes to the lcl.ml.lang names.
var languages = map[string]string{
	"da": "Danish_Denmark", "de": "German_Germany", "en": "English_United_States",
	"es": "Spanish_Spain", "fr": "French_France", "it": "Italian_Italy",
	"ja": "Japanese_Japan", "ko": "Korean_Korea", "nl": "Dutch_Netherlands",
	"no": "Norwegian_Norway", "pl": "Polish_Poland", "ru": "Russian_Russia",
	"sv": "Swedish_Sweden", "zh": "Chinese_China",
}

// locale writes the display language. Polycom has no single parameter for
// the call progress tones of a country, so Tones is not written.
func locale(kv *vendors.KV, s *model.Settings) {
	if s.Language != nil {
		if name, ok := languages[*s.Language]; ok {
			kv.Set("lcl.ml.lang", name)
		}
	}
}

// clock writes the SNTP server, the offset from GMT and the daylight saving
// rules, which are computed from the zone database.
func clock(kv *vendors.KV, s *model.Settings) {
	t := s.Time
	if t == nil {
		return
	}
	if t.NTPServer != nil {
		kv.Set("tcpIpApp.sntp.address.overrideDHCP", "1")
		kv.Set("tcpIpApp.sntp.address", *t.NTPServer)
	}
	var (
		zone  model.ZoneInfo
		known bool
	)
	if t.TimeZone != nil {
		zone, known = model.Zone(*t.TimeZone)
	}
	if !known {
		// Without a zone, DST on keeps the phone's own rules.
		if t.DST != nil {
			kv.Set("tcpIpApp.sntp.daylightSavings.enable", boolString(*t.DST))
		}
		return
	}
	kv.Set("tcpIpApp.sntp.gmtOffset.overrideDHCP", "1")
	kv.SetInt("tcpIpApp.sntp.gmtOffset", zone.StdOffset)
	start, stop, ok := dstRules(zone.Name)
	if !ok || !zone.HasDST() || (t.DST != nil && !*t.DST) {
		kv.Set("tcpIpApp.sntp.daylightSavings.enable", "0")
		return
	}
	kv.Set("tcpIpApp.sntp.daylightSavings.enable", "1")
	kv.Set("tcpIpApp.sntp.daylightSavings.fixedDayEnable", "0")
	start.write(kv, "tcpIpApp.sntp.daylightSavings.start.")
	stop.write(kv, "tcpIpApp.sntp.daylightSavings.stop.")
}

// transition is a DST change as a yearly rule: the weekday of a week of a
// month, at an hour of local (wall clock) time before the change.
type transition struct {
	month   int
	week    int // 1 to 4, or 5 for the last week of the month
	weekday time.Weekday
	hour    int
}

// write sets the rule with the parameters under prefix: the day of week from
// 1 (Sunday) to 7, the last one of the month, or the first one on or after
// date.
func (t transition) write(kv *vendors.KV, prefix string) {
	kv.SetInt(prefix+"month", t.month)
	kv.SetInt(prefix+"time", t.hour)
	kv.SetInt(prefix+"dayOfWeek", int(t.weekday)+1)
	if t.week == 5 {
		kv.Set(prefix+"dayOfWeek.lastInMonth", "1")
		return
	}
	kv.Set(prefix+"dayOfWeek.lastInMonth", "0")
	kv.Set(prefix+"date", strconv.Itoa((t.week-1)*7+1))
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
