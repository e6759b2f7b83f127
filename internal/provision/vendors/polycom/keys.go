package polycom

import (
	"cmp"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// efkActions are the enhanced feature key macros of the key types that
// send digits: the key's value followed by the action type.
var efkActions = map[model.KeyType]string{
	model.KeySpeedDial: "$Tinvite$",
	model.KeyVoicemail: "$Tinvite$",
	model.KeyDTMF:      "$Tdtmf$",
	model.KeyTransfer:  "$Trefer$",
}

// keys writes the line keys with flexible line key assignment: key N is
// lineKey.N, whose category says what it shows.
//
//   - line: category Line, index the registration;
//   - blf and park: an entry of the attendant resource list (type "normal"
//     for a monitored extension, "automata" for a park orbit), category
//     BLF, index the entry;
//   - speeddial, voicemail, dtmf, transfer: an enhanced feature key macro
//     (efk.efklist), category EFK, index the macro;
//   - none: category Unassigned.
//
// The other types (directory, intercom, paging, record, url) have no line
// key equivalent and are skipped, as are keys that need a value and have
// none.
func keys(kv *vendors.KV, ks []model.Key) {
	if len(ks) == 0 {
		return
	}
	kv.Set("lineKey.reassignment.enabled", "1")
	blf, efk := 0, 0
	for _, k := range ks {
		if k.Index < 1 {
			continue
		}
		lk := "lineKey." + strconv.Itoa(k.Index) + "."
		switch k.Type {
		case model.KeyLine:
			line := max(k.Line, 1)
			kv.Set(lk+"category", "Line")
			kv.SetInt(lk+"index", line)
		case model.KeyBLF, model.KeyPark:
			if k.Value == "" {
				continue
			}
			blf++
			r := "attendant.resourceList." + strconv.Itoa(blf) + "."
			kv.Set(r+"address", k.Value)
			if k.Label != "" {
				kv.Set(r+"label", k.Label)
			}
			typ := "normal"
			if k.Type == model.KeyPark {
				typ = "automata"
			}
			kv.Set(r+"type", typ)
			kv.Set(lk+"category", "BLF")
			kv.SetInt(lk+"index", blf)
		case model.KeySpeedDial, model.KeyVoicemail, model.KeyDTMF, model.KeyTransfer:
			if k.Value == "" {
				continue
			}
			if efk == 0 {
				kv.Set("feature.enhancedFeatureKeys.enabled", "1")
				kv.Set("feature.EFKLineKey.enabled", "1")
			}
			efk++
			e := "efk.efklist." + strconv.Itoa(efk) + "."
			kv.Set(e+"mname", "key"+strconv.Itoa(k.Index))
			kv.Set(e+"status", "1")
			if k.Label != "" {
				kv.Set(e+"label", k.Label)
			}
			kv.Set(e+"action.string", k.Value+efkActions[k.Type])
			kv.Set(lk+"category", "EFK")
			kv.SetInt(lk+"index", efk)
		case model.KeyNone:
			kv.Set(lk+"category", "Unassigned")
		}
	}
}

// paging writes group paging. Polycom pages on one multicast address and
// port shared by all its groups, so only the group of highest priority (1
// highest, unset last) is written, as page group 1.
func paging(kv *vendors.KV, groups []model.PagingGroup) {
	if len(groups) == 0 {
		return
	}
	g := slices.MinFunc(groups, func(a, b model.PagingGroup) int {
		return cmp.Compare(priorityRank(a.Priority), priorityRank(b.Priority))
	})
	host, port, err := net.SplitHostPort(g.Address)
	if err != nil {
		host, port = g.Address, ""
	}
	kv.Set("ptt.pageMode.enable", "1")
	kv.Set("ptt.address", host)
	if port != "" {
		kv.Set("ptt.port", port)
	}
	if g.Label != "" {
		kv.Set("ptt.pageMode.group.1.label", g.Label)
	}
	kv.Set("ptt.pageMode.group.1.available", "1")
	kv.Set("ptt.pageMode.group.1.allowReceive", "1")
	kv.Set("ptt.pageMode.group.1.subscribed", "1")
}

// priorityRank orders unset priorities (0) after every set one.
func priorityRank(p int) int {
	if p <= 0 {
		return math.MaxInt
	}
	return p
}

// directory writes the LDAP corporate directory. Polycom has no remote XML
// phone book, so DirectoryURL is not written; nor does it take search
// filters in the "%" form, so the name and number filters are not either.
//
// The name attributes become, in order, the last name and the first name
// the phone searches and sorts on (more are shown as "other"); the number
// attributes become phone numbers.
func directory(kv *vendors.KV, s *model.Settings) {
	l := s.LDAP
	if l == nil {
		return
	}
	if l.Server != nil {
		kv.Set("feature.corporateDirectory.enabled", boolString(*l.Server != ""))
		kv.Set("dir.corp.address", *l.Server)
	}
	if l.Port != nil {
		kv.SetInt("dir.corp.port", *l.Port)
	}
	if l.Base != nil {
		kv.Set("dir.corp.baseDN", *l.Base)
	}
	if l.User != nil {
		kv.Set("dir.corp.user", *l.User)
	}
	if l.Password != nil {
		kv.Set("dir.corp.password", *l.Password)
	}
	n := 0
	attr := func(name, typ string) {
		n++
		a := "dir.corp.attribute." + strconv.Itoa(n) + "."
		kv.Set(a+"name", name)
		kv.Set(a+"label", name)
		kv.Set(a+"type", typ)
	}
	if l.NameAttributes != nil {
		for i, name := range fields(*l.NameAttributes) {
			switch i {
			case 0:
				attr(name, "last_name")
			case 1:
				attr(name, "first_name")
			default:
				attr(name, "other")
			}
		}
	}
	if l.NumberAttributes != nil {
		for _, name := range fields(*l.NumberAttributes) {
			attr(name, "phone_number")
		}
	}
}

// fields splits a space- or comma-separated list.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}
