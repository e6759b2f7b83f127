package cisco

import (
	"slices"
	"strconv"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// The featureIDs of <line> elements.
const (
	featureSpeedDial = "2"
	featureLine      = "9"
	featureService   = "20"
	featureBLF       = "21"
	featurePark      = "22"
)

// keyFeature returns the featureID of key k and the element holding its
// value, or false when the enterprise firmware has no line key for it.
func keyFeature(k model.Key) (id, elem string, ok bool) {
	if k.Value == "" {
		return "", "", false
	}
	switch k.Type {
	case model.KeySpeedDial, model.KeyVoicemail:
		return featureSpeedDial, "speedDialNumber", true
	case model.KeyBLF:
		return featureBLF, "speedDialNumber", true
	case model.KeyPark:
		return featurePark, "speedDialNumber", true
	case model.KeyURL:
		return featureService, "serviceURI", true
	}
	return "", "", false
}

// slot is what a line button holds: a line or a key.
type slot struct {
	line *model.Line
	key  *model.Key
}

// placeButtons assigns the phone's lines and keys to its buttons. A line
// key puts its line on that button; a line no key places goes on the
// button of its index, or the first free one; the other keys take their
// own button if no line has it.
func placeButtons(p *model.Phone, mi modelInfo) map[int]slot {
	lines := map[int]*model.Line{}
	for i := range p.Lines {
		if l := &p.Lines[i]; l.Index >= 1 && l.Index <= mi.Lines {
			lines[l.Index] = l
		}
	}
	ks := slices.Clone(p.Settings.Keys)
	slices.SortStableFunc(ks, func(a, b model.Key) int { return a.Index - b.Index })
	slots := map[int]slot{}
	placed := map[int]bool{}
	for _, k := range ks {
		if k.Type != model.KeyLine || k.Index < 1 || k.Index > mi.buttons {
			continue
		}
		l := lines[max(k.Line, 1)]
		if l == nil || placed[l.Index] {
			continue
		}
		slots[k.Index] = slot{line: l}
		placed[l.Index] = true
	}
	for _, l := range p.Lines {
		l := lines[l.Index]
		if l == nil || placed[l.Index] {
			continue
		}
		b := l.Index
		for b <= mi.buttons && slots[b].line != nil {
			b++
		}
		if b > mi.buttons {
			b = 1
			for b <= mi.buttons && slots[b].line != nil {
				b++
			}
		}
		if b <= mi.buttons {
			slots[b] = slot{line: l}
			placed[l.Index] = true
		}
	}
	for i := range ks {
		k := &ks[i]
		if k.Index < 1 || k.Index > mi.buttons || slots[k.Index].line != nil {
			continue
		}
		if _, _, ok := keyFeature(*k); ok {
			slots[k.Index] = slot{key: k}
		}
	}
	return slots
}

// sipLines writes the <line> elements in button order.
func sipLines(parent *node, p *model.Phone, mi modelInfo) {
	slots := placeButtons(p, mi)
	for b := 1; b <= mi.buttons; b++ {
		sl, ok := slots[b]
		if !ok {
			continue
		}
		if l := sl.line; l != nil {
			line := parent.add("line", [2]string{"button", strconv.Itoa(b)}, [2]string{"lineIndex", strconv.Itoa(l.Index)})
			line.leaf("featureID", featureLine)
			label := l.Label
			if k := lineKeyLabel(p.Settings.Keys, b); k != "" {
				label = k
			}
			if label == "" {
				label = l.Extension
			}
			line.leaf("featureLabel", label)
			line.leaf("proxy", p.Registrar())
			line.leaf("port", strconv.Itoa(p.RegistrarPort()))
			line.leaf("name", l.Extension)
			line.leaf("displayName", l.DisplayName)
			auth := l.AuthUsername
			if auth == "" {
				auth = l.Extension
			}
			line.leaf("authName", auth)
			line.leaf("authPassword", l.Password)
			continue
		}
		k := sl.key
		id, elem, _ := keyFeature(*k)
		line := parent.add("line", [2]string{"button", strconv.Itoa(b)})
		line.leaf("featureID", id)
		line.leaf("featureLabel", k.Label)
		line.leaf(elem, k.Value)
		if id == featurePark {
			line.leaf("contact", k.Value)
		}
	}
}

// lineKeyLabel returns the label of the line key on button b, if any.
func lineKeyLabel(keys []model.Key, b int) string {
	for _, k := range keys {
		if k.Index == b && k.Type == model.KeyLine {
			return k.Label
		}
	}
	return ""
}
