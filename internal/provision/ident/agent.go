package ident

import (
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// MaxUserAgentLen is how much of a User-Agent header ParseUserAgent reads;
// the rest is ignored. Real phone User-Agents are well under 200 bytes.
const MaxUserAgentLen = 512

// Vendor IDs that ParseUserAgent returns: the IDs the vendor packages
// register under.
const (
	VendorYealink     = "yealink"
	VendorPolycom     = "polycom"
	VendorSnom        = "snom"
	VendorGrandstream = "grandstream"
	VendorCiscoSPA    = "ciscospa" // Cisco, Linksys and Sipura SPA phones and ATAs
	VendorCisco       = "cisco"    // Cisco 79xx, SEP and multiplatform phones
	VendorAastra      = "aastra"   // Aastra and Mitel 67xx/68xx
	VendorPanasonic   = "panasonic"
	VendorFanvil      = "fanvil"
	VendorAudioCodes  = "audiocodes"
	VendorAlcatel     = "alcatel"
	VendorHtek        = "htek"
	VendorFlyingvoice = "flyingvoice"
	VendorVTech       = "vtech"
	VendorSpectralink = "spectralink"
	VendorGigaset     = "gigaset"
	VendorCyberData   = "cyberdata"
)

// Agent is what a User-Agent header says about the phone that sent it.
// Every field is a claim by the sender, and empty when the header does not
// make it or makes it in a form this package does not accept.
type Agent struct {
	// Vendor is one of the Vendor… IDs, or empty for an unknown header;
	// the other fields are empty when Vendor is.
	Vendor string
	// Model is the model in lowercase without the vendor's prefix, as the
	// vendor packages name their models ("t46s", "vvx400", "d785",
	// "spa508g"); only [a-z0-9._+-], at most 32 bytes.
	Model string
	// Firmware is the version the phone reports ("66.86.0.15"); only
	// [A-Za-z0-9._()+-], starting with a digit, at most 48 bytes.
	Firmware string
	// MAC is the hardware address, only from formats that carry one.
	MAC model.MAC
}

// parser recognises one vendor's User-Agent. ua is the trimmed header and
// t its space-separated tokens (at least one). It reports false when the
// header is not that vendor's.
type parser func(ua string, t []string) (Agent, bool)

// parsers are tried in order. Those that recognise a header by how it
// starts come first; those that search the whole header for a product token
// (VTech, Polycom and Snom, which may put a transport or browser name in
// front of it) come last.
var parsers = []parser{
	parseYealink,
	parseGrandstream,
	parseCiscoSPA,
	parseCisco,
	parseAastra,
	parsePanasonic,
	parseAudioCodes,
	parseSimple(VendorFanvil, "fanvil"),
	parseSimple(VendorAlcatel, "ale"),
	parseSimple(VendorHtek, "htek"),
	parseSimple(VendorFlyingvoice, "flyingvoice"),
	parseGigaset,
	parseWord(VendorSpectralink, "spectralink"),
	parseWord(VendorCyberData, "cyberdata"),
	parseVTech,
	parsePolycom,
	parseSnom,
}

// ParseUserAgent reads the vendor, model, firmware and MAC address from a
// phone's HTTP User-Agent header. Only the first [MaxUserAgentLen] bytes are
// read. An unknown header gives the zero Agent.
func ParseUserAgent(ua string) Agent {
	if len(ua) > MaxUserAgentLen {
		ua = ua[:MaxUserAgentLen]
	}
	ua = strings.Trim(ua, " \t")
	t := fields(ua)
	if len(t) == 0 {
		return Agent{}
	}
	for _, p := range parsers {
		if a, ok := p(ua, t); ok {
			return tidy(a)
		}
	}
	return Agent{}
}

// tidy enforces the promises of Agent's field documentation whatever a
// parser found.
func tidy(a Agent) Agent {
	if a.Vendor == "" {
		return Agent{}
	}
	a.Model = cleanModel(a.Model)
	a.Firmware = cleanFirmware(a.Firmware)
	if !isMAC(a.MAC) {
		a.MAC = ""
	}
	return a
}

const (
	maxModelLen    = 32
	maxFirmwareLen = 48
)

// cleanModel lowercases s and returns it if it is a plausible model ID,
// else "".
func cleanModel(s string) string {
	s = strings.Trim(s, "();,")
	if s == "" || len(s) > maxModelLen {
		return ""
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '_', c == '+', c == '-':
		default:
			return ""
		}
	}
	return string(b)
}

// cleanFirmware returns s if it is a plausible version string, else "".
// A leading "V", trailing ';' or ',' and an unbalanced trailing ')' are
// dropped.
func cleanFirmware(s string) string {
	s = strings.TrimRight(s, ";,")
	if strings.HasSuffix(s, ")") && strings.Count(s, "(") < strings.Count(s, ")") {
		s = s[:len(s)-1] // "8.7.5.35)" closing a comment
	}
	if len(s) > 1 && (s[0] == 'V' || s[0] == 'v') && isDigit(s[1]) {
		s = s[1:]
	}
	if s == "" || len(s) > maxFirmwareLen || !isDigit(s[0]) {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlnum(c), c == '.', c == '_', c == '-', c == '+', c == '(', c == ')':
		default:
			return ""
		}
	}
	return s
}

// fields splits s at runs of spaces and tabs.
func fields(s string) []string {
	var t []string
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			t = append(t, s[i:j])
		}
		i = j
	}
	return t
}

// after returns t[i], or "" past the end.
func after(t []string, i int) string {
	if i < len(t) {
		return t[i]
	}
	return ""
}

// parenGroups returns the contents of up to limit "(…)" groups in s, in
// order; groups do not nest.
func parenGroups(s string, limit int) []string {
	var g []string
	for len(g) < limit {
		open := strings.IndexByte(s, '(')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open+1:], ')')
		if end < 0 {
			break
		}
		g = append(g, s[open+1:open+1+end])
		s = s[open+1+end+1:]
	}
	return g
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hasSuffixFold reports whether s ends with suffix, ignoring ASCII case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// looksVersion reports whether s starts like a version number: a digit,
// or "V" and a digit.
func looksVersion(s string) bool {
	if len(s) > 1 && (s[0] == 'V' || s[0] == 'v') {
		s = s[1:]
	}
	return s != "" && isDigit(s[0]) && strings.IndexByte(s, '.') > 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
