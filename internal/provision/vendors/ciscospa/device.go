package ciscospa

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// provisioning writes the profile rules, the resync schedule and the
// firmware rule.
func provisioning(kv *vendors.KV, p *model.Phone) error {
	kv.Set("Provision_Enable", "Yes")
	kv.Set("Resync_On_Reset", "Yes")
	if base := p.ProvisioningURL(); base != "" {
		rule, err := profileRule(base, p.HTTPUsername, p.HTTPPassword)
		if err != nil {
			return err
		}
		kv.Set("Profile_Rule", rule)
		// The common file set rule B to the device file without
		// credentials; the rule above replaces it.
		kv.Set("Profile_Rule_B", "")
	}
	pr := p.Settings.Provisioning
	if pr == nil {
		return nil
	}
	switch model.Get(pr.Sync) {
	case "boot":
		kv.Set("Resync_Periodic", "0")
	case "periodic":
		if n := model.Get(pr.SyncInterval); n > 0 {
			kv.SetInt("Resync_Periodic", n*60)
		}
	case "daily":
		if hhmm, ok := syncTime(model.Get(pr.SyncTime)); ok {
			kv.Set("Resync_Periodic", "0")
			kv.Set("Resync_At__HHmm_", hhmm)
		}
	}
	if pr.FirmwareURL != nil && *pr.FirmwareURL != "" {
		kv.Set("Upgrade_Enable", "Yes")
		rule := escapeMacro(*pr.FirmwareURL)
		if v := model.Get(pr.FirmwareVersion); v != "" && !strings.ContainsAny(v, " ()?|$") {
			// Upgrade only while another version runs, so that the
			// phone does not loop on the same image.
			rule = "($SWVER ne " + v + ")? " + rule
		}
		kv.Set("Upgrade_Rule", rule)
	}
	return nil
}

// syncTime turns "HH:MM" into the HHmm of Resync_At.
func syncTime(s string) (string, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		return "", false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d%02d", hh, mm), true
}

// system writes the passwords, the station name and, on the phones, the
// clock server and the LAN discovery protocols.
func system(kv *vendors.KV, p *model.Phone, mi modelInfo) {
	s := &p.Settings
	if !mi.ata {
		if s.AdminPassword != nil {
			kv.Set("Admin_Passwd", *s.AdminPassword)
		}
		if s.UserPassword != nil {
			kv.Set("User_Password", *s.UserPassword)
		}
	}
	if p.Label != "" {
		kv.Set("Station_Name", p.Label)
	}
	if mi.ata {
		return
	}
	if s.Time != nil && s.Time.NTPServer != nil {
		kv.Set("Primary_NTP_Server", *s.Time.NTPServer)
	}
	if n := s.Network; n != nil {
		if n.VLAN != nil {
			kv.Set("Enable_VLAN", yesNo(*n.VLAN > 0))
			if *n.VLAN > 0 {
				kv.SetInt("VLAN_ID", *n.VLAN)
			}
		}
		if n.CDP != nil {
			kv.Set("Enable_CDP", yesNo(*n.CDP))
		}
		if n.LLDP != nil {
			kv.Set("Enable_LLDP-MED", yesNo(*n.LLDP))
		}
	}
}

// routerConfig is the <router-configuration> of the adapters: clock,
// discovery protocols and web passwords.
func routerConfig(p *model.Phone) []section {
	s := &p.Settings
	var out []section
	if s.Time != nil && s.Time.NTPServer != nil {
		sec := section{name: "Time_Setup"}
		sec.kv.Set("Time_Server_Mode", "manual")
		sec.kv.Set("Time_Server", *s.Time.NTPServer)
		out = append(out, sec)
	}
	if n := s.Network; n != nil && (n.CDP != nil || n.LLDP != nil) {
		sec := section{name: "CLDP_Setting"}
		if n.CDP != nil {
			sec.kv.SetBool("CDP_ENABLE", *n.CDP, "1", "0")
		}
		if n.LLDP != nil {
			sec.kv.SetBool("LLDP_ENABLE", *n.LLDP, "1", "0")
		}
		out = append(out, sec)
	}
	if s.AdminPassword != nil || s.UserPassword != nil {
		var sec section
		if s.AdminPassword != nil {
			sec.kv.Set("Web_Login_Admin_Password", *s.AdminPassword)
		}
		if s.UserPassword != nil {
			sec.kv.Set("Web_Login_Guest_Password", *s.UserPassword)
		}
		out = append(out, sec)
	}
	return out
}

// languages maps ISO 639-1 codes to Language_Selection and Locale.
var languages = map[string][2]string{
	"en": {"English", "en-US"},
	"fr": {"French", "fr-FR"},
	"de": {"German", "de-DE"},
	"es": {"Spanish", "es-ES"},
	"it": {"Italian", "it-IT"},
	"pt": {"Portuguese", "pt-PT"},
	"nl": {"Dutch", "nl-NL"},
}

// regional writes the time zone, daylight saving time and language.
func regional(kv *vendors.KV, p *model.Phone, mi modelInfo) {
	s := &p.Settings
	if t := s.Time; t != nil {
		z, known := model.Zone(model.Get(t.TimeZone))
		if known {
			kv.Set("Time_Zone", gmtOffset(z.StdOffset))
		}
		switch {
		case known && !z.HasDST():
			// The zone has no daylight saving time, whatever DST says.
			kv.Set("Daylight_Saving_Time_Enable", "No")
		case t.DST != nil:
			kv.Set("Daylight_Saving_Time_Enable", yesNo(*t.DST))
		}
		if known && z.HasDST() {
			// The rule is written even when DST is off or unset: the
			// phone's default rule is the United States rule
			// of before 2007.
			if rule, ok := dstRule(z.Name); ok {
				kv.Set("Daylight_Saving_Time_Rule", rule)
			}
		}
	}
	if s.Language != nil {
		if l, ok := languages[strings.ToLower(*s.Language)]; ok {
			kv.Set("Language_Selection", l[0])
			if mi.locale {
				kv.Set("Locale", l[1])
			}
		}
	}
}

// gmtOffset formats an offset in seconds as Time_Zone does: GMT+01:00.
func gmtOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("GMT%s%02d:%02d", sign, sec/3600, sec%3600/60)
}

// network writes NAT traversal and the caller id and SRTP methods, which
// the SPA sets for the whole phone.
func network(kv *vendors.KV, p *model.Phone) {
	if n := p.Settings.Network; n != nil {
		if n.RPort != nil {
			kv.Set("Handle_VIA_rport", yesNo(*n.RPort))
			kv.Set("Insert_VIA_rport", yesNo(*n.RPort))
		}
		if n.STUNServer != nil {
			kv.Set("STUN_Enable", yesNo(*n.STUNServer != ""))
			server := *n.STUNServer
			if port := model.Get(n.STUNPort); server != "" && port > 0 && port != 3478 {
				server += ":" + strconv.Itoa(port)
			}
			kv.Set("STUN_Server", server)
		}
	}
	for _, l := range p.Lines {
		if h, ok := callerIDHeaders[l.CallerIDSource]; ok {
			kv.Set("Caller_ID_Header", h)
			break
		}
	}
	for _, l := range p.Lines {
		if p.LineSRTP(l) != "off" {
			kv.Set("SRTP_Method", "s-descriptor")
			break
		}
	}
}

// callerIDHeaders maps the caller id source to the order in which the SPA
// reads the identity headers.
var callerIDHeaders = map[string]string{
	"pai":  "PAID-RPID-FROM",
	"rpid": "RPID-PAID-FROM",
	"from": "FROM",
}

// services writes multicast paging, the XML directory and LDAP.
func services(kv *vendors.KV, p *model.Phone) {
	s := &p.Settings
	if len(s.Paging) > 0 {
		groups := slices.Clone(s.Paging)
		slices.SortStableFunc(groups, func(a, b model.PagingGroup) int { return a.Priority - b.Priority })
		var sb strings.Builder
		for _, g := range groups {
			sb.WriteString("pggrp=" + scriptValue(g.Address))
			if g.Label != "" {
				sb.WriteString(";name=" + scriptValue(g.Label))
			}
			sb.WriteString(";listen=yes;")
		}
		kv.Set("Group_Paging_Script", sb.String())
	}
	if s.DirectoryURL != nil {
		kv.Set("XML_Directory_Service_Name", "Directory")
		kv.Set("XML_Directory_Service_URL", *s.DirectoryURL)
	}
	if l := s.LDAP; l != nil && l.Server != nil {
		kv.Set("LDAP_Dir_Enable", yesNo(*l.Server != ""))
		server := *l.Server
		if port := model.Get(l.Port); port > 0 && port != 389 {
			server += ":" + strconv.Itoa(port)
		}
		kv.Set("LDAP_Server", server)
		if l.Base != nil {
			kv.Set("LDAP_Search_Base", *l.Base)
		}
		if l.User != nil {
			kv.Set("LDAP_Auth_Method", "Simple")
			kv.Set("LDAP_Client_DN", *l.User)
		}
		if l.Password != nil {
			kv.Set("LDAP_Password", *l.Password)
		}
	}
}

// scriptValue strips the separators of the SPA's key=value; scripts.
func scriptValue(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == ';' || r < 0x20 {
			return -1
		}
		return r
	}, s))
}
