package grandstream

import (
	"strconv"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// bankKind is the family of programmable keys a model's keys map to.
type bankKind int

const (
	// The zero bankKind: a device without programmable keys.
	_ bankKind = iota
	// vpk are the GXP21xx virtual multi-purpose keys: VPK 1-6 at P1363+2i
	// (mode), P1364+2i (account), P1465+2i (description), P1466+2i
	// (value); VPK 7 and up in blocks of four from P23800. The first
	// "fixed" VPKs take the line key mode codes, the others the dynamic
	// ones (the same functions, 10 lower, and no line mode).
	vpk
	// mpk are the multi-purpose keys of the GXP16xx and GRP26xx: MPK 1-7
	// at P323+i (mode) and P301+3i (account, name, value); MPK 8-18 in
	// blocks of four from P353; MPK 19-24 from P1440. They have no line
	// mode.
	mpk
)

// keyBank says where key N of a model goes: key N is VPK or MPK N.
type keyBank struct {
	kind  bankKind
	count int // keys in the bank
	fixed int // VPKs with the line key mode codes
}

// dynamicModes are the MPK and dynamic VPK mode codes of the key types;
// fixed VPKs use the same code plus 10, and 0 for a line.
var dynamicModes = map[model.KeyType]int{
	model.KeySpeedDial: 0,
	model.KeyBLF:       1,
	model.KeyDTMF:      5,
	model.KeyVoicemail: 6,
	model.KeyTransfer:  8,
	model.KeyPark:      9,
	model.KeyIntercom:  10,
	model.KeyDirectory: 11, // LDAP search
	model.KeyPaging:    13, // multicast paging
	model.KeyRecord:    14,
}

// keyMode returns the mode code of key type t in slot n (from 1) of bank
// b, false for a type the slot has no equivalent for.
func keyMode(b keyBank, n int, t model.KeyType) (int, bool) {
	switch t {
	case model.KeyNone:
		return -1, true
	case model.KeyLine:
		return 0, b.kind == vpk && n <= b.fixed
	}
	code, ok := dynamicModes[t]
	if !ok {
		return 0, false
	}
	if b.kind == vpk && n <= b.fixed {
		code += 10
	}
	return code, true
}

// slot returns the P-values (mode, account, description, value) of key n
// of bank b.
func slot(b keyBank, n int) (mode, account, label, value int, ok bool) {
	if n < 1 || n > b.count {
		return 0, 0, 0, 0, false
	}
	switch b.kind {
	case vpk:
		if n <= 6 {
			i := 2 * (n - 1)
			return 1363 + i, 1364 + i, 1465 + i, 1466 + i, true
		}
		base := 23800 + 4*(n-7)
		return base, base + 1, base + 2, base + 3, true
	case mpk:
		switch {
		case n <= 7:
			i := 3 * (n - 1)
			return 322 + n, 301 + i, 302 + i, 303 + i, true
		case n <= 18:
			base := 353 + 4*(n-8)
			return base, base + 1, base + 2, base + 3, true
		default:
			base := 1440 + 4*(n-19)
			return base, base + 1, base + 2, base + 3, true
		}
	}
	return 0, 0, 0, 0, false
}

// keys sets the programmable keys; Line is the account (0 and 1 are
// account 1).
func keys(kv *vendors.KV, m phoneModel, ks []model.Key) {
	for _, k := range ks {
		code, ok := keyMode(m.keys, k.Index, k.Type)
		if !ok {
			continue
		}
		mode, account, label, value, ok := slot(m.keys, k.Index)
		if !ok {
			continue
		}
		setP(kv, mode, strconv.Itoa(code))
		setP(kv, account, strconv.Itoa(max(k.Line, 1)-1))
		setP(kv, label, k.Label)
		setP(kv, value, k.Value)
	}
}
