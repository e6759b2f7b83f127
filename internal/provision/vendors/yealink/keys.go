package yealink

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// keyCodes are the linekey.X.type codes of the neutral key types.
var keyCodes = map[model.KeyType]string{
	model.KeyNone:      "0",
	model.KeyTransfer:  "3",
	model.KeyPark:      "10",
	model.KeyDTMF:      "11",
	model.KeyVoicemail: "12",
	model.KeySpeedDial: "13",
	model.KeyIntercom:  "14",
	model.KeyLine:      "15",
	model.KeyBLF:       "16",
	model.KeyURL:       "17",
	model.KeyPaging:    "24",
	model.KeyRecord:    "25",
	model.KeyDirectory: "61",
}

// keys writes the line keys (DSS keys). A key of an unknown type is skipped.
func keys(kv *vendors.KV, ks []model.Key) {
	for _, k := range ks {
		code, ok := keyCodes[k.Type]
		if !ok || k.Index < 1 {
			continue
		}
		p := "linekey." + strconv.Itoa(k.Index) + "."
		kv.Set(p+"type", code)
		if k.Type == model.KeyNone {
			continue
		}
		line := k.Line
		if line < 1 {
			line = 1
		}
		kv.SetInt(p+"line", line)
		if k.Value != "" {
			kv.Set(p+"value", k.Value)
		}
		if k.Label != "" {
			kv.Set(p+"label", k.Label)
		}
		// A voice mail key dials the voice mail number of its account.
		if k.Type == model.KeyVoicemail && k.Value != "" {
			kv.Set("voice_mail.number."+strconv.Itoa(line), k.Value)
		}
	}
}

// paging writes the multicast groups the phone listens to; the order of the
// listen addresses is their priority, 1 highest.
func paging(kv *vendors.KV, groups []model.PagingGroup) {
	gs := slices.Clone(groups)
	slices.SortStableFunc(gs, func(a, b model.PagingGroup) int {
		return cmp.Compare(priorityRank(a.Priority), priorityRank(b.Priority))
	})
	for i, g := range gs {
		p := "multicast.listen_address." + strconv.Itoa(i+1) + "."
		kv.Set(p+"ip_address", g.Address)
		if g.Label != "" {
			kv.Set(p+"label", g.Label)
		}
	}
}

// priorityRank orders unset priorities (0) after every set one.
func priorityRank(p int) int {
	if p <= 0 {
		return math.MaxInt
	}
	return p
}

// directory writes the remote XML phone book and the LDAP directory.
func directory(kv *vendors.KV, s *model.Settings) {
	if s.DirectoryURL != nil {
		if *s.DirectoryURL == "" {
			kv.Set("remote_phonebook.data.1.url", "%NULL%")
			kv.Set("remote_phonebook.data.1.name", "%NULL%")
		} else {
			kv.Set("remote_phonebook.data.1.url", *s.DirectoryURL)
			kv.Set("remote_phonebook.data.1.name", "Directory")
		}
	}
	l := s.LDAP
	if l == nil {
		return
	}
	if l.Server != nil {
		kv.SetBool("ldap.enable", *l.Server != "", "1", "0")
		kv.Set("ldap.host", *l.Server)
	}
	if l.Port != nil {
		kv.SetInt("ldap.port", *l.Port)
	}
	if l.Base != nil {
		kv.Set("ldap.base", *l.Base)
	}
	if l.User != nil {
		kv.Set("ldap.user", *l.User)
	}
	if l.Password != nil {
		kv.Set("ldap.password", *l.Password)
	}
	if l.NameFilter != nil {
		kv.Set("ldap.name_filter", *l.NameFilter)
	}
	if l.NumberFilter != nil {
		kv.Set("ldap.number_filter", *l.NumberFilter)
	}
	if l.NameAttributes != nil {
		kv.Set("ldap.name_attr", *l.NameAttributes)
		// The name shown for an entry is its first name attribute.
		if first := firstField(*l.NameAttributes); first != "" {
			kv.Set("ldap.display_name", "%"+first)
		}
	}
	if l.NumberAttributes != nil {
		kv.Set("ldap.numb_attr", *l.NumberAttributes)
	}
}

// firstField returns the first of the space- or comma-separated fields of s.
func firstField(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
