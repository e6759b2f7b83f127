package grandstream

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// provisioning sets the firmware server and when the device checks for new
// firmware and configuration. Grandstream has no firmware version setting:
// the device compares the image it finds with its own.
func provisioning(kv *vendors.KV, m phoneModel, ps *model.ProvisioningSettings) {
	if ps == nil {
		return
	}
	if ps.FirmwareURL != nil {
		scheme, path := serverPath(*ps.FirmwareURL)
		// The HT80x downloads firmware with the configuration's protocol
		// (P212); the phones have their own (P6767).
		if code, ok := schemes[scheme]; ok && m.family == phone {
			kv.Set("P6767", code)
		}
		kv.Set("P192", path)
	}
	sync(kv, m, ps)
}

// sync sets Automatic Upgrade (P194), whose modes differ: phones 0 no, 1
// every P193 minutes, 2 daily at hour P285; HT80x 0 no, 1 daily at P285,
// 3 every P193 minutes. Both check at boot.
func sync(kv *vendors.KV, m phoneModel, ps *model.ProvisioningSettings) {
	periodic, daily := "1", "2"
	if m.family == ata {
		periodic, daily = "3", "1"
	}
	switch model.Get(ps.Sync) {
	case "boot":
		kv.Set("P194", "0")
	case "periodic":
		if ps.SyncInterval != nil && *ps.SyncInterval > 0 {
			kv.Set("P194", periodic)
			kv.Set("P193", strconv.Itoa(max(60, *ps.SyncInterval)))
		}
	case "daily":
		kv.Set("P194", daily)
		if h, ok := syncHour(model.Get(ps.SyncTime)); ok {
			kv.Set("P285", strconv.Itoa(h))
		}
	}
}

// syncHour returns the hour of an "HH:MM" time.
func syncHour(hhmm string) (int, bool) {
	h, _, ok := strings.Cut(hhmm, ":")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(h)
	if err != nil || n < 0 || n > 23 {
		return 0, false
	}
	return n, true
}

// clock sets the NTP server and a self-defined POSIX time zone (P64
// "customize", P246), computed from the IANA zone.
func clock(kv *vendors.KV, t *model.TimeSettings) {
	if t == nil {
		return
	}
	if t.NTPServer != nil {
		kv.Set("P30", *t.NTPServer)
	}
	if t.TimeZone != nil {
		if tz, ok := posixTZ(*t.TimeZone, t.DST == nil || *t.DST); ok {
			kv.Set("P64", "customize")
			kv.Set("P246", tz)
		}
	}
}

// phoneLanguages maps ISO 639-1 codes to the phones' display language
// codes (P1362); Grandstream spells Czech "cz" and Swedish "se".
var phoneLanguages = map[string]string{
	"ar": "ar", "cs": "cz", "de": "de", "en": "en", "es": "es", "fr": "fr", "he": "he",
	"hr": "hr", "hu": "hu", "it": "it", "ja": "ja", "ko": "ko", "lv": "lv", "nl": "nl",
	"pl": "pl", "pt": "pt", "ru": "ru", "sl": "sl", "sv": "se", "tr": "tr", "zh": "zh",
}

// ataLanguages are the HT80x voice prompt languages (P342).
var ataLanguages = map[string]string{"en": "0", "zh": "4", "ru": "6", "es": "10"}

// locale sets the display language. Grandstream has no country setting for
// call progress tones (each tone is a frequency string), so Tones is not
// mapped.
func locale(kv *vendors.KV, m phoneModel, lang *string) {
	if lang == nil {
		return
	}
	l := strings.ToLower(*lang)
	if m.family == ata {
		if v, ok := ataLanguages[l]; ok {
			kv.Set("P342", v)
		}
		return
	}
	if v, ok := phoneLanguages[l]; ok {
		kv.Set("P1362", v)
	}
}

func network(kv *vendors.KV, m phoneModel, n *model.NetworkSettings) {
	if n == nil {
		return
	}
	if n.STUNServer != nil {
		stun := *n.STUNServer
		if n.STUNPort != nil {
			stun += ":" + strconv.Itoa(*n.STUNPort)
		}
		kv.Set("P76", stun)
	}
	if n.VLAN != nil {
		kv.Set("P51", strconv.Itoa(*n.VLAN))
		if m.family == phone {
			// Manual VLAN configuration (GXP21xx firmware 1.0.11+).
			kv.Set("P22174", boolCode(*n.VLAN > 0))
		}
	}
	if n.VLANPriority != nil {
		prio := strconv.Itoa(*n.VLANPriority)
		if m.family == ata {
			kv.Set("P5038", prio) // SIP
			kv.Set("P5042", prio) // RTP
		} else {
			kv.Set("P87", prio)
		}
	}
	if m.family == phone {
		if n.LLDP != nil {
			kv.Set("P1684", boolCode(*n.LLDP))
		}
		if n.CDP != nil {
			kv.Set("P22119", boolCode(*n.CDP))
		}
	}
}

func passwords(kv *vendors.KV, st *model.Settings) {
	if st.AdminPassword != nil {
		kv.Set("P2", *st.AdminPassword)
	}
	if st.UserPassword != nil {
		kv.Set("P196", *st.UserPassword)
	}
}

// security sets Disable Direct IP Call (the accounts carry the proxy-only
// rule).
func security(kv *vendors.KV, m phoneModel, sec *model.SecuritySettings) {
	if sec == nil || sec.DisableDirectIPCall == nil {
		return
	}
	if m.family == ata {
		kv.Set("P277", boolCode(*sec.DisableDirectIPCall))
	} else {
		kv.Set("P1310", boolCode(*sec.DisableDirectIPCall))
	}
}

// paging sets the phones' ten multicast listening addresses (P1569 +
// 2(i-1)) and labels (P1570 + 2(i-1)), priority 1 first.
func paging(kv *vendors.KV, m phoneModel, groups []model.PagingGroup) {
	if m.family != phone {
		return
	}
	var gs []model.PagingGroup
	for _, g := range groups {
		if g.Address != "" {
			gs = append(gs, g)
		}
	}
	rank := func(g model.PagingGroup) int {
		if g.Priority <= 0 {
			return math.MaxInt
		}
		return g.Priority
	}
	slices.SortStableFunc(gs, func(a, b model.PagingGroup) int { return cmp.Compare(rank(a), rank(b)) })
	for i, g := range gs {
		if i == 10 {
			break
		}
		setP(kv, 1569+2*i, g.Address)
		setP(kv, 1570+2*i, g.Label)
	}
}

// phonebookSchemes are the codes of Enable Phonebook XML Download (P330).
var phonebookSchemes = map[string]string{"http": "1", "tftp": "2", "https": "3"}

// directory sets the phones' XML phone book download (P330, P331 in
// host/path form).
func directory(kv *vendors.KV, m phoneModel, u *string) {
	if m.family != phone || u == nil {
		return
	}
	scheme, path := serverPath(*u)
	if code, ok := phonebookSchemes[scheme]; ok {
		kv.Set("P330", code)
	}
	kv.Set("P331", path)
}

// ldap sets the phones' LDAP directory (P8020-P8029).
func ldap(kv *vendors.KV, m phoneModel, l *model.LDAPSettings) {
	if m.family != phone || l == nil {
		return
	}
	if l.Server != nil {
		kv.Set("P8020", *l.Server)
	}
	if l.Port != nil {
		kv.Set("P8021", strconv.Itoa(*l.Port))
	}
	for _, e := range []struct {
		p int
		v *string
	}{
		{8022, l.Base}, {8023, l.User}, {8024, l.Password}, {8025, l.NumberFilter},
		{8026, l.NameFilter}, {8028, l.NameAttributes}, {8029, l.NumberAttributes},
	} {
		if e.v != nil {
			setP(kv, e.p, *e.v)
		}
	}
}
