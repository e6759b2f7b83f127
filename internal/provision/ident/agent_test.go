package ident

import (
	"strings"
	"testing"
)

// uaCases are the User-Agent tests; the fuzz target seeds from them too.
var uaCases = []struct {
	name string
	ua   string
	want Agent
}{
	// Yealink
	{"ok/yealink-colons", "Yealink SIP-T31G 124.85.257.55 80:5e:c0:d5:7d:72",
		Agent{VendorYealink, "t31g", "124.85.257.55", "805ec0d57d72"}},
	{"ok/yealink-t5x-no-colons", "Yealink SIP-T54W 96.85.0.5 249AD8A1B2C3",
		Agent{VendorYealink, "t54w", "96.85.0.5", "249ad8a1b2c3"}},
	{"ok/yealink-t56a-double-space", "Yealink SIP-T56A  58.80.0.25 001565f429a4",
		Agent{VendorYealink, "t56a", "58.80.0.25", "001565f429a4"}},
	{"ok/yealink-t46s", "Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3",
		Agent{VendorYealink, "t46s", "66.86.0.15", "001565a1b2c3"}},
	{"ok/yealink-lowercase-vendor", "yealink SIP-T28P 2.70.0.140 00:15:65:13:ae:0b",
		Agent{VendorYealink, "t28p", "2.70.0.140", "00156513ae0b"}},
	{"ok/yealink-underscore-model", "Yealink SIP-T19P_E2 53.80.0.3 00:15:65:4c:4c:26",
		Agent{VendorYealink, "t19p_e2", "53.80.0.3", "0015654c4c26"}},
	{"ok/yealink-vp", "Yealink SIP VP-T49G 51.80.0.10 00:15:65:9b:5a:44",
		Agent{VendorYealink, "t49g", "51.80.0.10", "0015659b5a44"}},
	{"ok/yealink-no-sip-prefix", "Yealink CP860 37.72.0.5 00:15:65:8a:37:86",
		Agent{VendorYealink, "cp860", "37.72.0.5", "0015658a3786"}},
	{"ok/yealink-no-vendor-vp530", "VP530P 23.70.0.40 00:15:65:31:4b:c0",
		Agent{VendorYealink, "vp530p", "23.70.0.40", "001565314bc0"}},
	{"ok/yealink-no-vendor-w52p", "W52P 25.30.0.2 00:15:65:44:b3:7c",
		Agent{VendorYealink, "w52p", "25.30.0.2", "00156544b37c"}},
	{"ok/yealink-sip-ua-no-mac", "Yealink SIP-T46S 66.86.0.15",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/yealink-dash-form-no-mac", "Yealink-T46G 28.71.0.81 28.1.0.128.0.0.0",
		Agent{VendorYealink, "t46g", "28.71.0.81", ""}},
	{"fail/yealink-short-mac", "Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/yealink-mixed-separators", "Yealink SIP-T46S 66.86.0.15 00:15-65:a1:b2:c3",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/yealink-dotted-mac", "Yealink SIP-T46S 66.86.0.15 0015.65a1.b2c3",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/yealink-zero-mac", "Yealink SIP-T46S 66.86.0.15 00:00:00:00:00:00",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/yealink-broadcast-mac", "Yealink SIP-T46S 66.86.0.15 ff:ff:ff:ff:ff:ff",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/yealink-bad-model", "Yealink SIP-T46S<script> 66.86.0.15 00:15:65:a1:b2:c3",
		Agent{VendorYealink, "", "66.86.0.15", "001565a1b2c3"}},
	{"fail/yealink-bad-firmware", "Yealink SIP-T46S 66.86.0.15\"x 00:15:65:a1:b2:c3",
		Agent{VendorYealink, "t46s", "", "001565a1b2c3"}},
	{"fail/yealink-vendor-only", "Yealink", Agent{Vendor: VendorYealink}},

	// Polycom and Spectralink
	{"ok/polycom-vvx", "FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application",
		Agent{VendorPolycom, "vvx400", "4.1.4.7430", ""}},
	{"ok/polycom-soundpoint", "FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078",
		Agent{VendorPolycom, "spip335", "3.2.1.0078", ""}},
	{"ok/polycom-soundstation", "FileTransport PolycomSoundStationIP-SSIP_6000-UA/5.0.3.1667 Type/Updater",
		Agent{VendorPolycom, "ssip6000", "5.0.3.1667", ""}},
	{"fail/polycom-sip-mac-suffix-ignored", "PolycomSoundPointIP-SPIP_550-UA/3.2.3.1734_0004f2a1b2c3",
		Agent{VendorPolycom, "spip550", "3.2.3.1734", ""}},
	{"ok/spectralink-polycom-family", "FileTransport PolycomSpectraLink-SL_8440-UA/4.9.1.1234",
		Agent{VendorSpectralink, "sl8440", "4.9.1.1234", ""}},
	{"ok/spectralink-word", "Spectralink 8440 5.4.0.1234",
		Agent{VendorSpectralink, "8440", "5.4.0.1234", ""}},

	// Snom
	{"ok/snom-newer-mac", "Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)",
		Agent{VendorSnom, "710", "8.7.5.35", "000413741767"}},
	{"ok/snom-old-no-mac", "Mozilla/4.0 (compatible; snom710-SIP 8.7.3.19 1.1.5-IFX-05.01.12)",
		Agent{VendorSnom, "710", "8.7.3.19", ""}},
	{"ok/snom-d785-mac-not-last", "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)",
		Agent{VendorSnom, "d785", "10.1.33.33", "000413922d24"}},
	{"ok/snom-d785-build-date", "Mozilla/4.0 (compatible; snomD785-SIP 10.1.169.16 2010.12-00001-gd311851f1 (Feb 25 2019 - 14:19:43) 00041396D9B4 SXM:0 UXM:0 UXMC:0)",
		Agent{VendorSnom, "d785", "10.1.169.16", "00041396d9b4"}},
	{"ok/snom-320-extra-parts", "Mozilla/4.0 (compatible; snom320-SIP 6.5.20; snom320 jffs2 v3.36; snom320 linux 3.38)",
		Agent{VendorSnom, "320", "6.5.20", ""}},
	{"ok/snom-m3-dash", "Mozilla/4.0 (compatible; snom-m3-SIP 8.7.5.35)",
		Agent{VendorSnom, "m3", "8.7.5.35", ""}},
	{"ok/snom-sip-form", "snomD785/10.1.33.33", Agent{VendorSnom, "d785", "10.1.33.33", ""}},
	{"ok/snom-lid", "Mozilla/4.0 (compatible; snom lid 3605)", Agent{Vendor: VendorSnom}},

	// Grandstream
	{"ok/grandstream-devid", "Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859",
		Agent{VendorGrandstream, "gxp1628", "1.0.4.138", "c074ad2bd859"}},
	{"ok/grandstream-hw-version", "Grandstream Model HW GXP2200 V2.2A SW 1.0.1.33 DevId 000b82462d97",
		Agent{VendorGrandstream, "gxp2200", "1.0.1.33", "000b82462d97"}},
	{"ok/grandstream-double-space", "Grandstream Model HW GXV3350  V1.3A SW 1.0.1.8 DevId c074ad150b88",
		Agent{VendorGrandstream, "gxv3350", "1.0.1.8", "c074ad150b88"}},
	{"ok/grandstream-devid-colons", "Grandstream Model HW GRP2601W SW 1.0.7.32 DevId EC:74:D7:89:1A:76",
		Agent{VendorGrandstream, "grp2601w", "1.0.7.32", "ec74d7891a76"}},
	{"ok/grandstream-ata", "Grandstream Model HW HT801 V1.1A SW 1.0.17.5 DevId c074ad273a10",
		Agent{VendorGrandstream, "ht801", "1.0.17.5", "c074ad273a10"}},
	{"ok/grandstream-legacy", "Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8",
		Agent{VendorGrandstream, "gxp2000", "1.2.5.3", "000b822726c8"}},
	{"ok/grandstream-sip-form", "Grandstream GXP1400 1.0.4.13",
		Agent{VendorGrandstream, "gxp1400", "1.0.4.13", ""}},
	{"fail/grandstream-devid-not-mac", "Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd85",
		Agent{VendorGrandstream, "gxp1628", "1.0.4.138", ""}},

	// Cisco SPA and Linksys
	{"ok/ciscospa-mac-and-serial", "Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)",
		Agent{VendorCiscoSPA, "spa508g", "7.4.4", "0002fdff2103"}},
	{"ok/ciscospa-firmware-letter", "Cisco/SPA508G-7.4.8a (0002FDFF2103)(CBT141400UK)",
		Agent{VendorCiscoSPA, "spa508g", "7.4.8a", "0002fdff2103"}},
	{"ok/ciscospa-serial-only", "Cisco/SPA525G-7.4.4 (CBT141900G7)",
		Agent{VendorCiscoSPA, "spa525g", "7.4.4", ""}},
	{"fail/ciscospa-lone-hex-is-serial", "Cisco/SPA501G-7.4.4 (8843E157DDCC)",
		Agent{VendorCiscoSPA, "spa501g", "7.4.4", ""}},
	{"fail/linksys-serial-not-mac", "Linksys/SPA-942-6.1.5(a) (88019FA42805)",
		Agent{VendorCiscoSPA, "spa942", "6.1.5(a)", ""}},
	{"fail/linksys-two-groups-not-mac", "Linksys/SPA-962-6.1.5(a) (88019FA42805)(4MM00F903042)",
		Agent{VendorCiscoSPA, "spa962", "6.1.5(a)", ""}},
	{"ok/sipura", "Sipura/SPA-3000-3.1.7(GWc) (88019FA42805)",
		Agent{VendorCiscoSPA, "spa3000", "3.1.7(GWc)", ""}},

	// Cisco
	{"ok/cisco-79xx-vendor-class", "Cisco Systems, Inc. IP Phone CP-7960G",
		Agent{VendorCisco, "7960g", "", ""}},
	{"ok/cisco-79xx-plain-number", "Cisco Systems, Inc. IP Phone 7912",
		Agent{VendorCisco, "7912", "", ""}},
	{"ok/cisco-multiplatform", "Cisco-CP-8851-3PCC/11.3.7_MPP_0001",
		Agent{VendorCisco, "8851-3pcc", "11.3.7_MPP_0001", ""}},
	{"fail/cisco-multiplatform-serial-not-mac", "Cisco-CP-7832-3PCC/11.0.1 (00562b043615)",
		Agent{VendorCisco, "7832-3pcc", "11.0.1", ""}},

	// Aastra and Mitel
	{"ok/aastra", "Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP",
		Agent{VendorAastra, "6731i", "3.2.0.70", "00085d237429"}},
	{"ok/aastra-57i", "Aastra57i MAC:00-08-5D-19-E4-01 V:2.6.0.1008-SIP",
		Agent{VendorAastra, "57i", "2.6.0.1008", "00085d19e401"}},
	{"ok/mitel", "Mitel6940 MAC:14-00-E9-29-4C-6B V:6.4.0.4006-SIP",
		Agent{VendorAastra, "6940", "6.4.0.4006", "1400e9294c6b"}},
	{"fail/mitel-elided-mac", "Mitel6940 MAC:14-00-E9-… V:6.4.0.140-SIP",
		Agent{VendorAastra, "6940", "6.4.0.140", ""}},

	// The others of the table
	{"ok/panasonic", "Panasonic_KX-UT113/01.133 (0080f0c8c381)",
		Agent{VendorPanasonic, "kx-ut113", "01.133", "0080f0c8c381"}},
	{"fail/panasonic-eleven-digits", "Panasonic_KX-UT670/01.022 (0080f000000)",
		Agent{VendorPanasonic, "kx-ut670", "01.022", ""}},
	{"ok/fanvil", "Fanvil X4 2.10.2.6887 0c383e07e16c",
		Agent{VendorFanvil, "x4", "2.10.2.6887", "0c383e07e16c"}},
	{"ok/fanvil-trailing-paren", "Fanvil X5U-V2 2.12.1 0c383ea1b2c3)",
		Agent{VendorFanvil, "x5u-v2", "2.12.1", "0c383ea1b2c3"}},
	{"ok/audiocodes", "AUDC-IPPhone/2.2.8.61 (440HDG-Rev0; 00908F602AAC)",
		Agent{VendorAudioCodes, "440hdg", "2.2.8.61", "00908f602aac"}},
	{"ok/audiocodes-build", "AUDC-IPPhone/2.0.0_build_15 (420HD; 00908F3BBCBA)",
		Agent{VendorAudioCodes, "420hd", "2.0.0_build_15", "00908f3bbcba"}},
	{"ok/alcatel", "ALE M3-CE 2.11.01.1604 3c28a620089e",
		Agent{VendorAlcatel, "m3", "2.11.01.1604", "3c28a620089e"}},
	{"ok/htek", "Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9",
		Agent{VendorHtek, "uc903", "2.0.4.2", "001fc11c22a9"}},
	{"ok/flyingvoice", "Flyingvoice FIP13G V0.6.24 00:21:F2:22:AE:F1",
		Agent{VendorFlyingvoice, "fip13g", "0.6.24", "0021f222aef1"}},
	{"ok/vtech-vesa", "VTech Vesa VCS754 2.0.5.1",
		Agent{VendorVTech, "vcs754", "2.0.5.1", ""}},
	{"ok/vtech-vesa-inside", "Mozilla/5.0 (Vesa VCS754)", Agent{VendorVTech, "vcs754", "", ""}},
	{"ok/gigaset-named", "Gigaset N720 DM PRO/70.089.00.000.000;7C2F80CA21E4",
		Agent{VendorGigaset, "n720-dm-pro", "70.089.00.000.000", "7c2f80ca21e4"}},
	{"ok/gigaset-unnamed", "N510 IP PRO/42.245.00.000.000;7C2F804DF9A9",
		Agent{VendorGigaset, "n510-ip-pro", "42.245.00.000.000", "7c2f804df9a9"}},
	{"ok/gigaset-dashes-no-mac", "N720-DM-PRO/70.040.00.000.000",
		Agent{VendorGigaset, "n720-dm-pro", "70.040.00.000.000", ""}},
	{"ok/gigaset-maxwell", "Maxwell 3 PRO/82.2.18.4-release;7C2F80E61AF4",
		Agent{VendorGigaset, "maxwell-3-pro", "82.2.18.4-release", "7c2f80e61af4"}},
	{"ok/cyberdata", "CyberData 011214 20.0.0", Agent{VendorCyberData, "011214", "20.0.0", ""}},

	// Not phones, or not readable
	{"fail/empty", "", Agent{}},
	{"fail/blank", " \t ", Agent{}},
	{"fail/curl", "curl/8.4.0", Agent{}},
	{"fail/browser", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15", Agent{}},
	{"fail/snom-uppercase-elsewhere", "Mozilla/5.0 (SNOM-like; X11)", Agent{}},
	{"fail/mac-past-limit", "Yealink SIP-T46S 66.86.0.15" + strings.Repeat(" ", MaxUserAgentLen) + "00:15:65:a1:b2:c3",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/mac-cut-at-limit", strings.Repeat(" ", MaxUserAgentLen-34) + "Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3",
		Agent{VendorYealink, "t46s", "66.86.0.15", ""}},
	{"fail/control-bytes", "Yealink SIP-T46S\x00 66.86.0.15\n 00:15:65:a1:b2:c3",
		Agent{VendorYealink, "", "", "001565a1b2c3"}},
	{"fail/model-too-long", "Fanvil " + strings.Repeat("X", 33) + " 2.10.2.6887 0c383e07e16c",
		Agent{VendorFanvil, "", "2.10.2.6887", "0c383e07e16c"}},
}

func TestParseUserAgent(t *testing.T) {
	t.Parallel()
	for _, tt := range uaCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ParseUserAgent(tt.ua); got != tt.want {
				t.Errorf("ParseUserAgent(%q)\n got %+v\nwant %+v", tt.ua, got, tt.want)
			}
		})
	}
}

// TestParseUserAgentVendors checks that every vendor ID is reached by some
// case, so that a new vendor cannot go untested.
func TestParseUserAgentVendors(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, tt := range uaCases {
		seen[tt.want.Vendor] = true
	}
	for _, v := range vendorIDs {
		if !seen[v] {
			t.Errorf("no User-Agent case for vendor %q", v)
		}
	}
}

var vendorIDs = []string{
	VendorYealink, VendorPolycom, VendorSnom, VendorGrandstream, VendorCiscoSPA,
	VendorCisco, VendorAastra, VendorPanasonic, VendorFanvil, VendorAudioCodes,
	VendorAlcatel, VendorHtek, VendorFlyingvoice, VendorVTech, VendorSpectralink,
	VendorGigaset, VendorCyberData,
}
