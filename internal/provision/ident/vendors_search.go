package ident

import "strings"

// The parsers below find their vendor's product token anywhere in the
// header, as these phones put a transport or browser name in front of it.

// parseVTech finds "Vesa VCS754" anywhere in the header, or reads a header
// that starts with "VTech".
func parseVTech(_ string, t []string) (Agent, bool) {
	i := -1
	for j, tok := range t {
		tok = strings.Trim(tok, "();,")
		if strings.EqualFold(tok, "vesa") || j == 0 && strings.EqualFold(tok, "vtech") {
			i = j
			if strings.EqualFold(strings.Trim(after(t, i+1), "();,"), "vesa") {
				i++
			}
			break
		}
	}
	if i < 0 {
		return Agent{}, false
	}
	a := Agent{Vendor: VendorVTech, Model: after(t, i+1)}
	if looksVersion(after(t, i+2)) {
		a.Firmware = t[i+2]
	}
	return a, true
}

// parsePolycom finds the Polycom product token:
//
//	FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application
//	FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078
//
// The model drops the underscore ("vvx400", "spip335"). A product family
// naming Spectralink (whose handsets run Polycom's software) is reported as
// that vendor. The SIP application may append "_<MAC>" to the version; it is
// dropped, as the MAC of a Polycom request comes from its path.
func parsePolycom(_ string, t []string) (Agent, bool) {
	for _, tok := range t {
		if !hasPrefixFold(tok, "polycom") {
			continue
		}
		family, rest, ok := strings.Cut(tok[len("polycom"):], "-")
		if !ok {
			continue
		}
		m, v, ok := strings.Cut(rest, "-UA/")
		if !ok {
			m, ok = strings.CutSuffix(rest, "-UA")
		}
		if !ok {
			continue
		}
		a := Agent{Vendor: VendorPolycom, Model: strings.ReplaceAll(m, "_", "")}
		if strings.Contains(strings.ToLower(family), "spectralink") {
			a.Vendor = VendorSpectralink
		}
		a.Firmware, _, _ = strings.Cut(v, "_")
		return a, true
	}
	return Agent{}, false
}

// parseSnom finds the Snom product token:
//
//	Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12)
//	Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)
//	Mozilla/4.0 (compatible; snomD785-SIP 10.1.169.16 2010.12-00001-gd311851f1 (Feb 25 2019 - 14:19:43) 00041396D9B4 SXM:0 UXM:0 UXMC:0)
//	snomD785/10.1.33.33
//	Mozilla/4.0 (compatible; snom lid 3605)
//
// Newer firmware adds the MAC as twelve bare digits somewhere after the
// version; the first such token is taken.
func parseSnom(_ string, t []string) (Agent, bool) {
	for i, tok := range t {
		tok = strings.Trim(tok, "();,")
		if !strings.HasPrefix(tok, "snom") {
			continue
		}
		a := Agent{Vendor: VendorSnom}
		switch {
		case tok == "snom":
			return a, true
		case hasSuffixFold(tok, "-SIP"):
			a.Model = strings.TrimPrefix(tok[len("snom"):len(tok)-len("-SIP")], "-")
			a.Firmware = after(t, i+1)
			for _, rest := range t[min(i+2, len(t)):] {
				if a.MAC = bareMACFromToken(rest); a.MAC != "" {
					break
				}
			}
			return a, true
		case strings.Contains(tok, "/"):
			a.Model, a.Firmware, _ = strings.Cut(tok[len("snom"):], "/")
			a.Model = strings.TrimPrefix(a.Model, "-")
			return a, true
		}
	}
	return Agent{}, false
}
