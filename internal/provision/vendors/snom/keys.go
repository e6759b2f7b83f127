package snom

import (
	"strconv"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// keys sets the function keys: key N is <fkey idx="N-1">, its context the
// identity it acts on.
func keys(s *settings, p *model.Phone) {
	for _, k := range p.Settings.Keys {
		if k.Index < 1 {
			continue
		}
		v, ok := fkeyValue(k, p.Registrar())
		if !ok {
			continue
		}
		line := max(k.Line, 1)
		s.setFkey(k.Index-1, strconv.Itoa(line), k.Label, v)
	}
}

// fkeyValue returns the "type value" text of a function key (Snom's
// Function Key Types), false for a type Snom has no equivalent for.
func fkeyValue(k model.Key, registrar string) (string, bool) {
	switch k.Type {
	case model.KeyLine:
		return "line", true
	case model.KeyBLF:
		if k.Value == "" {
			return "", false
		}
		if registrar == "" {
			return "blf " + k.Value, true
		}
		return "blf <sip:" + k.Value + "@" + registrar + ">", true
	case model.KeySpeedDial:
		return withValue("speed", k.Value)
	case model.KeyPark:
		return withValue("orbit", k.Value)
	case model.KeyTransfer:
		return withValue("transfer", k.Value)
	case model.KeyDTMF:
		return withValue("dtmf", k.Value)
	case model.KeyDirectory:
		return "keyevent F_DIRECTORY_SEARCH", true
	case model.KeyVoicemail:
		if k.Value != "" {
			return "speed " + k.Value, true
		}
		return "keyevent F_RETRIEVE", true
	case model.KeyIntercom:
		return withValue("icom", k.Value)
	case model.KeyPaging:
		return withValue("multicast", k.Value)
	case model.KeyRecord:
		return "keyevent F_REC", true
	case model.KeyURL:
		return withValue("url", k.Value)
	case model.KeyNone:
		return "none", true
	}
	return "", false
}

func withValue(typ, value string) (string, bool) {
	if value == "" {
		return "", false
	}
	return typ + " " + value, true
}
