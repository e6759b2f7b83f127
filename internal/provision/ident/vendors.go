package ident

import "strings"

// The parsers below read one vendor's User-Agent each, recognised by how it
// starts. They may return raw values; ParseUserAgent tidies them. Examples
// are from the vendors' phones as provisioning servers log them.

// parseYealink reads
//
//	Yealink SIP-T31G 124.85.257.55 80:5e:c0:d5:7d:72
//	Yealink SIP-T54W 96.85.0.5 249ad8a1b2c3      (T5x: no colons)
//	Yealink SIP VP-T49G 51.80.0.10 00:15:65:9b:5a:44
//	Yealink CP860 37.72.0.5 00:15:65:8a:37:86
//	Yealink-T46G 28.71.0.81 28.1.0.128.0.0.0      (no MAC)
//	VP530P 23.70.0.40 00:15:65:31:4b:c0           (no vendor name)
func parseYealink(_ string, t []string) (Agent, bool) {
	a := Agent{Vendor: VendorYealink}
	var rest []string
	switch {
	case strings.EqualFold(t[0], "yealink"):
		switch m := after(t, 1); {
		case strings.EqualFold(m, "SIP") && hasPrefixFold(after(t, 2), "VP-"):
			a.Model, rest = t[2][len("VP-"):], t[3:]
		case hasPrefixFold(m, "SIP-"):
			a.Model, rest = m[len("SIP-"):], t[2:]
		case m != "":
			a.Model, rest = m, t[2:]
		}
	case hasPrefixFold(t[0], "yealink-"):
		a.Model, rest = t[0][len("yealink-"):], t[1:]
	case (t[0] == "VP530" || t[0] == "VP530P" || t[0] == "W52P") && looksVersion(after(t, 1)):
		a.Model, rest = t[0], t[1:]
	default:
		return Agent{}, false
	}
	a.Firmware = after(rest, 0)
	a.MAC = macFromToken(after(rest, 1))
	return a, true
}

// parseGrandstream reads
//
//	Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859
//	Grandstream Model HW GXP2200 V2.2A SW 1.0.1.33 DevId 000b82462d97
//	Grandstream Model HW GRP2601W SW 1.0.7.32 DevId EC:74:D7:89:1A:76
//	Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8
//	Grandstream GXP1400 1.0.4.13
func parseGrandstream(_ string, t []string) (Agent, bool) {
	if !strings.EqualFold(t[0], "grandstream") {
		return Agent{}, false
	}
	a := Agent{Vendor: VendorGrandstream}
	i := 1
	if after(t, 1) == "Model" && after(t, 2) == "HW" {
		i = 3
	}
	a.Model = after(t, i)
	for j := i + 1; j < len(t); j++ {
		switch t[j] {
		case "SW":
			a.Firmware = after(t, j+1)
		case "DevId":
			a.MAC = macFromToken(after(t, j+1))
		}
	}
	if a.Firmware == "" {
		a.Firmware = legacyGrandstreamVersion(after(t, i+1))
	}
	return a, true
}

// legacyGrandstreamVersion reads "1.0.4.13" or the program version of
// "(gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9)".
func legacyGrandstreamVersion(tok string) string {
	if looksVersion(tok) {
		return tok
	}
	if !strings.HasPrefix(tok, "(") {
		return ""
	}
	_, v, ok := strings.Cut(tok, ":")
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, "/")
	return strings.TrimSuffix(v, ")")
}

// parseCiscoSPA reads
//
//	Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)   (MAC, serial)
//	Cisco/SPA525G-7.4.4 (CBT141900G7)                 (serial only)
//	Linksys/SPA-942-6.1.5(a) (88019FA42805)           (serial only)
//
// Cisco writes the MAC in front of the serial number when it writes it at
// all; Linksys and Sipura write only a serial number, which may look like a
// MAC and is never taken for one.
func parseCiscoSPA(_ string, t []string) (Agent, bool) {
	a := Agent{Vendor: VendorCiscoSPA}
	var head string
	switch {
	case hasPrefixFold(t[0], "cisco/"):
		a.Model, a.Firmware, _ = strings.Cut(t[0][len("cisco/"):], "-")
		if g := parenGroups(strings.Join(t[1:], " "), 2); len(g) == 2 {
			a.MAC = bareMACFromToken(g[0])
		}
		return a, true
	case hasPrefixFold(t[0], "linksys/"):
		head = t[0][len("linksys/"):]
	case hasPrefixFold(t[0], "sipura/"):
		head = t[0][len("sipura/"):]
	default:
		return Agent{}, false
	}
	// "SPA-942-6.1.5(a)": the version follows the last dash.
	if i := strings.LastIndexByte(head, '-'); i > 0 {
		a.Model, a.Firmware = head[:i], head[i+1:]
	} else {
		a.Model = head
	}
	a.Model = strings.ReplaceAll(a.Model, "-", "")
	return a, true
}

// parseCisco reads the DHCP vendor class some Cisco phones also send as
// User-Agent, and the multiplatform phones' header:
//
//	Cisco Systems, Inc. IP Phone CP-7960G
//	Cisco-CP-8851-3PCC/11.3.7_MPP_0001
//
// The multiplatform header's parenthesised value is documented as a serial
// number and is not taken for a MAC.
func parseCisco(_ string, t []string) (Agent, bool) {
	a := Agent{Vendor: VendorCisco}
	switch {
	case hasPrefixFold(t[0], "cisco-cp-"):
		a.Model, a.Firmware, _ = strings.Cut(t[0][len("cisco-cp-"):], "/")
	case strings.EqualFold(t[0], "cisco") && strings.EqualFold(after(t, 1), "systems,"):
		for i := 2; i < len(t)-1; i++ {
			if t[i] == "Phone" {
				m := t[i+1]
				if hasPrefixFold(m, "CP-") {
					m = m[len("CP-"):]
				}
				a.Model = m
				break
			}
		}
	default:
		return Agent{}, false
	}
	return a, true
}

// parseAastra reads
//
//	Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP
//	Mitel6940 MAC:14-00-E9-29-4C-6B V:6.4.0.4006-SIP
func parseAastra(_ string, t []string) (Agent, bool) {
	a := Agent{Vendor: VendorAastra}
	switch {
	case hasPrefixFold(t[0], "aastra"):
		a.Model = t[0][len("aastra"):]
	case hasPrefixFold(t[0], "mitel"):
		a.Model = t[0][len("mitel"):]
	default:
		return Agent{}, false
	}
	for _, tok := range t[1:] {
		switch {
		case strings.HasPrefix(tok, "MAC:"):
			a.MAC = macFromToken(tok[len("MAC:"):])
		case strings.HasPrefix(tok, "V:"):
			a.Firmware = strings.TrimSuffix(tok[len("V:"):], "-SIP")
		}
	}
	return a, true
}

// parsePanasonic reads
//
//	Panasonic_KX-UT113/01.133 (0080f0c8c381)
func parsePanasonic(_ string, t []string) (Agent, bool) {
	if !hasPrefixFold(t[0], "panasonic_") {
		return Agent{}, false
	}
	a := Agent{Vendor: VendorPanasonic}
	a.Model, a.Firmware, _ = strings.Cut(t[0][len("panasonic_"):], "/")
	a.MAC = bareMACFromToken(after(t, 1))
	return a, true
}

// parseAudioCodes reads
//
//	AUDC-IPPhone/2.2.8.61 (440HDG-Rev0; 00908F602AAC)
func parseAudioCodes(_ string, t []string) (Agent, bool) {
	if !hasPrefixFold(t[0], "audc-ipphone") {
		return Agent{}, false
	}
	a := Agent{Vendor: VendorAudioCodes}
	if _, v, ok := strings.Cut(t[0], "/"); ok {
		a.Firmware = v
	}
	if g := parenGroups(strings.Join(t[1:], " "), 1); len(g) == 1 {
		m, mac, _ := strings.Cut(g[0], ";")
		m = strings.TrimSpace(m)
		if i := strings.Index(strings.ToLower(m), "-rev"); i > 0 {
			m = m[:i]
		}
		a.Model = m
		a.MAC = bareMACFromToken(strings.TrimSpace(mac))
	}
	return a, true
}

// parseSimple reads the common "<word> <model> <version> <MAC>" form:
//
//	Fanvil X4 2.10.2.6887 0c383e07e16c
//	ALE M3-CE 2.11.01.1604 3c28a620089e
//	Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9
//	Flyingvoice FIP13G V0.6.24 00:21:F2:22:AE:F1
//
// Alcatel-Lucent's "-CE" variants share their model's files.
func parseSimple(vendor, word string) parser {
	return func(_ string, t []string) (Agent, bool) {
		if !strings.EqualFold(t[0], word) {
			return Agent{}, false
		}
		a := Agent{Vendor: vendor, Model: after(t, 1), Firmware: after(t, 2)}
		if vendor == VendorAlcatel && hasSuffixFold(a.Model, "-ce") {
			a.Model = a.Model[:len(a.Model)-len("-ce")]
		}
		a.MAC = macFromToken(after(t, 3))
		return a, true
	}
}

// parseGigaset reads
//
//	Gigaset N720 DM PRO/70.089.00.000.000;7C2F80CA21E4
//	N510 IP PRO/42.245.00.000.000;7C2F804DF9A9
//	N720-DM-PRO/70.040.00.000.000
//	Maxwell 3 PRO/82.2.18.4-release;7C2F80E61AF4
//
// The model's words are joined by '-' ("n720-dm-pro"), so that both
// spellings of a base station give the same model.
func parseGigaset(ua string, _ []string) (Agent, bool) {
	s, named := ua, false
	if hasPrefixFold(s, "gigaset ") {
		s, named = s[len("gigaset "):], true
	}
	product, rest, ok := strings.Cut(s, "/")
	if !named && (!ok || !gigasetProduct(product)) {
		return Agent{}, false
	}
	a := Agent{Vendor: VendorGigaset}
	if !ok {
		return a, true
	}
	a.Model = strings.Join(fields(product), "-")
	rest, _, _ = strings.Cut(rest, " ")
	v, mac, _ := strings.Cut(rest, ";")
	a.Firmware = v
	a.MAC = bareMACFromToken(mac)
	return a, true
}

// gigasetProduct reports whether a product name without the vendor's name
// is a Gigaset one: "N510 IP PRO", "N720-DM-PRO", "Maxwell 3 PRO".
func gigasetProduct(p string) bool {
	if hasPrefixFold(p, "maxwell ") {
		return true
	}
	return len(p) > 5 && p[0] == 'N' && isDigit(p[1]) && isDigit(p[2]) && isDigit(p[3]) &&
		(p[4] == ' ' || p[4] == '-') && hasSuffixFold(p, "PRO")
}

// parseWord reads "<word> <model> …", for vendors whose User-Agent is known
// only by its first word.
func parseWord(vendor, word string) parser {
	return func(_ string, t []string) (Agent, bool) {
		if !strings.EqualFold(t[0], word) {
			return Agent{}, false
		}
		a := Agent{Vendor: vendor, Model: after(t, 1)}
		if looksVersion(after(t, 2)) {
			a.Firmware = t[2]
		}
		return a, true
	}
}
