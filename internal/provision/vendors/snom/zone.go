package snom

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// zoneCodes maps IANA zones to Snom's timezone codes (country code and
// standard offset in hours; the phone knows each code's DST rule). Zones
// not listed, or whose code's offset no longer matches the zone, get an
// explicit utc_offset and dst rule instead.
var zoneCodes = map[string]string{
	"Pacific/Honolulu": "USA-10", "America/Anchorage": "USA-9",
	"America/Los_Angeles": "USA-8", "America/Vancouver": "CAN-8", "America/Tijuana": "MEX-8",
	"America/Denver": "USA-7", "America/Phoenix": "USA2-7", "America/Edmonton": "CAN-7",
	"America/Chicago": "USA-6", "America/Winnipeg": "CAN-6", "America/Mexico_City": "MEX-6",
	"America/New_York": "USA-5", "America/Toronto": "CAN-5", "America/Nassau": "BHS-5",
	"America/Havana": "CUB-5", "America/Bogota": "COL-5",
	"America/Halifax": "CAN-4", "America/Santiago": "CHL-4",
	"Atlantic/Bermuda": "BMU-4", "America/St_Johns": "CAN-3.5",
	"America/Argentina/Buenos_Aires": "ARG-3", "America/Sao_Paulo": "BRA2-3",
	"Atlantic/Azores": "PRT-1",
	"Europe/London":   "GBR-0", "Europe/Dublin": "IRL-0", "Europe/Lisbon": "PRT-0",
	"Atlantic/Canary": "ESP-0", "Atlantic/Faroe": "FRO-0",
	"Europe/Tirane": "ALB+1", "Europe/Vienna": "AUT+1", "Europe/Brussels": "BEL+1",
	"Europe/Zagreb": "HRV+1", "Europe/Prague": "CZE+1", "Europe/Copenhagen": "DNK+1",
	"Europe/Paris": "FRA+1", "Europe/Monaco": "FRA+1", "Europe/Berlin": "GER+1",
	"Europe/Budapest": "HUN+1", "Europe/Rome": "ITA+1", "Europe/Vatican": "ITA+1",
	"Europe/San_Marino": "ITA+1", "Europe/Luxembourg": "LUX+1", "Europe/Skopje": "MAK+1",
	"Europe/Amsterdam": "NLD+1", "Europe/Oslo": "NOR+1", "Europe/Warsaw": "POL+1",
	"Europe/Bratislava": "SVK+1", "Europe/Madrid": "ESP+1", "Europe/Stockholm": "SWE+1",
	"Europe/Zurich": "CHE+1", "Europe/Gibraltar": "GIB+1", "Europe/Belgrade": "YUG+1",
	"Africa/Lagos": "WAT+1",
	"Europe/Sofia": "BGR+2", "Asia/Nicosia": "CYP+2", "Africa/Maputo": "CAT+2",
	"Africa/Cairo": "EGY+2", "Europe/Tallinn": "EST+2", "Europe/Helsinki": "FIN+2",
	"Europe/Athens": "GRC+2", "Asia/Jerusalem": "ISR+2", "Europe/Riga": "LVA+2",
	"Europe/Vilnius": "LTU+2", "Asia/Beirut": "LBN+2", "Europe/Chisinau": "MDA+2",
	"Europe/Kaliningrad": "RUS+2", "Europe/Bucharest": "ROU+2", "Europe/Kyiv": "UKR+2",
	"Europe/Kiev":    "UKR+2",
	"Africa/Nairobi": "EAT+3", "Asia/Baghdad": "IRQ+3", "Europe/Moscow": "RUS+3",
	"Asia/Yerevan": "ARM+4", "Asia/Baku": "AZE+4", "Asia/Tbilisi": "GEO+4",
	"Asia/Dubai": "UAE+4", "Europe/Samara": "RUS+4",
	"Asia/Karachi": "PAK+5", "Asia/Yekaterinburg": "RUS+5", "Asia/Kolkata": "IND+5.5",
	"Asia/Bangkok": "THA+7", "Asia/Krasnoyarsk": "RUS+7",
	"Asia/Shanghai": "CHN+8", "Asia/Singapore": "SGP+8", "Australia/Perth": "AUS+8",
	"Asia/Seoul": "KOR+9", "Asia/Tokyo": "JPN+9",
	"Australia/Adelaide": "AUS+9.5", "Australia/Darwin": "AUS2+9.5",
	"Australia/Sydney": "AUS+10", "Australia/Melbourne": "AUS+10",
	"Australia/Brisbane": "AUS2+10", "Australia/Hobart": "AUS3+10",
	"Asia/Vladivostok": "RUS+10",
	"Pacific/Auckland": "NZL+12", "Pacific/Chatham": "NZL+12.75", "Pacific/Tongatapu": "TON+13",
}

// clock sets the NTP server and the time zone: Snom's code for the zone
// when it has one (and DST is not switched off), else timezone left empty
// with utc_offset in seconds and a dst rule computed from the zone.
func clock(s *settings, t *model.TimeSettings) {
	if t == nil {
		return
	}
	if t.NTPServer != nil {
		s.set("ntp_server", *t.NTPServer)
	}
	if t.TimeZone == nil {
		return
	}
	z, ok := model.Zone(*t.TimeZone)
	if !ok {
		return
	}
	dst := t.DST == nil || *t.DST
	if code, ok := zoneCode(z); ok && (dst || !z.HasDST()) {
		s.set("timezone", code)
		return
	}
	s.set("timezone", "")
	s.set("utc_offset", strconv.Itoa(z.StdOffset))
	rule := ""
	if dst && z.HasDST() {
		rule = dstRule(z)
	}
	s.set("dst", rule)
}

// zoneCode returns the Snom code of z if its offset matches z's standard
// offset.
func zoneCode(z model.ZoneInfo) (string, bool) {
	code, ok := zoneCodes[z.Name]
	if !ok {
		return "", false
	}
	i := strings.LastIndexAny(code, "+-")
	hours, err := strconv.ParseFloat(code[i:], 64)
	if err != nil || int(hours*3600) != z.StdOffset {
		return "", false
	}
	return code, true
}

// dstRule returns Snom's dst setting for z: the saving in seconds, then
// the start and end as "MM.WW.DD HH:MM:SS" (week 1-4 or 5 for the last,
// day 1 Monday to 7 Sunday, local time before the change), computed from
// the zone's changes in the reference year. It is empty if no change is
// found.
func dstRule(z model.ZoneInfo) string {
	start, end, ok := transitions(z)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d %s %s", z.DSTOffset-z.StdOffset, start.format(), end.format())
}

// change is a clock change as a yearly rule.
type change struct {
	month, week, weekday int // weekday 1 Monday … 7 Sunday
	hour, min            int
}

func (c change) format() string {
	return fmt.Sprintf("%02d.%02d.%02d %02d:%02d:00", c.month, c.week, c.weekday, c.hour, c.min)
}

// transitions finds the changes into and out of daylight saving time in
// the reference year.
func transitions(z model.ZoneInfo) (start, end change, ok bool) {
	d, ok := model.ZoneDST(z.Name)
	return ruleOf(d.Start), ruleOf(d.End), ok
}

// ruleOf turns a change into Snom's week-of-month rule.
func ruleOf(c model.DSTChange) change {
	wd := int(c.Weekday)
	if wd == 0 {
		wd = 7
	}
	return change{month: int(c.Month), week: c.Week, weekday: wd, hour: c.Hour, min: c.Minute}
}

// languages maps ISO 639-1 codes to the names Snom phones use for their
// user interface languages.
var languages = map[string]string{
	"bs": "Bosanski", "cs": "Čeština", "da": "Dansk", "de": "Deutsch", "en": "English",
	"es": "Español", "et": "Eesti", "fi": "Suomi", "fr": "Français", "hu": "Magyar",
	"it": "Italiano", "ja": "Japanese", "nl": "Nederlands", "no": "Norsk", "nb": "Norsk",
	"pl": "Polski", "pt": "Português", "ru": "Русский", "sv": "Svenska", "tr": "Türkçe",
}

// toneSchemes maps ISO 3166-1 countries to Snom's tone_scheme values;
// countries without a scheme of their own are left to the phone.
var toneSchemes = map[string]string{
	"AT": "AUT", "AU": "AUS", "CH": "SWI", "CN": "CHN", "DE": "GER", "DK": "DNK",
	"ES": "ESP", "FR": "FRA", "GB": "GBR", "IN": "IND", "IT": "ITA", "JP": "JPN",
	"MX": "MEX", "NL": "NLD", "NO": "NOR", "NZ": "NZL", "SE": "SWE", "US": "USA",
}

func locale(s *settings, st *model.Settings) {
	if st.Language != nil {
		if name, ok := languages[strings.ToLower(*st.Language)]; ok {
			s.set("language", name)
			s.set("web_language", name)
		}
	}
	if st.Tones != nil {
		if scheme, ok := toneSchemes[strings.ToUpper(*st.Tones)]; ok {
			s.set("tone_scheme", scheme)
		}
	}
}
