// Package ciscospa renders the provisioning files of the Cisco Small
// Business SPA phones and adapters, first sold as Sipura and Linksys: the
// SPA30x and SPA50x desk phones, the SPA525G/G2, the Linksys SPA9x2 and the
// SPA112/SPA122 adapters.
//
// # Files
//
// A factory-fresh SPA resyncs to its default Profile_Rule, /spa$PSN.cfg,
// where $PSN is the product series number as the phone writes it
// ("spa504G.cfg", "spa525G2.cfg", "spa942.cfg", "spa122.cfg"). That common
// file holds no secret: it only sets Profile_Rule_B to the device file
// <base>/$MA.xml, $MA being the phone's MAC in lower case, so that the phone
// fetches its own file in the same resync. The device file, <mac>.xml, is a
// <flat-profile> whose elements are named after the fields of the phone's
// web pages (spaces and parentheses become underscores, line parameters end
// in _N_). It rewrites Profile_Rule to the device file with the device's
// own provisioning credentials as the [--uid USER --pwd PASS] resync
// option, and clears Profile_Rule_B, so that every later fetch carries
// them. Unknown elements are ignored by the phones, and when an element
// appears twice the last one wins; raw keys replace generated ones in
// place all the same, so that every element appears once.
//
// # Mappings
//
// Transport: SIP_Transport_N_ UDP, TCP or TLS. SRTP: Secure_Call_Setting_N_
// Yes for "optional" and "mandatory" (the SPA has no separate optional
// mode), with SRTP_Method s-descriptor (RFC 4568). DTMF: DTMF_Tx_Method_N_
// AVT, InBand, INFO or Auto. Caller id source: Caller_ID_Header
// PAID-RPID-FROM, RPID-PAID-FROM or FROM (one for the whole phone, from the
// first line that sets one). Keys: line keys (Extension_N_, Short_Name_N_)
// and Extended_Function_N_ scripts for BLF (fnc=blf+sd+cp), speed dial and
// voicemail (fnc=sd); keys beyond the phone's own go to the SPA500S
// expansion units (Unit_U_Key_K). Park, transfer, DTMF, directory,
// intercom, paging, record and URL keys have no equivalent and are skipped.
// The time zone is written as Time_Zone GMT+hh:mm and the daylight saving
// rule as the nth (or last) weekday of the months in which the zone
// changes offset in 2026, the year model.Zone reports. The adapters
// (SPA112, SPA122) keep their clock, discovery protocols and web passwords
// in a nested <router-configuration>, and have no line keys or display.
//
// # Sources
//
// Cisco Small Business IP Telephony Devices Provisioning Guide (OL-19687-01:
// flat-profile format, macro variables, Profile_Rule and Upgrade_Rule
// syntax, conditional expressions); Cisco SPA300/SPA500 Series IP Phone
// Administration Guide (daylight saving rule, LLDP-MED, Group_Paging_Script);
// Cisco IP Phone 6800 Multiplatform Phones Provisioning Guide, section
// "Optional Resync Arguments: key, uid and pwd" (the same resync engine);
// wazo-platform/wazo-provd-plugins:plugins/wazo_cisco_spa/common/common.py,
// common/templates/base.tpl, common/var/tftpboot/spa-phone.xml,
// v7_5_5/entry.py and v7_5_5/templates/common/model.cfg.tpl;
// fusionpbx/fusionpbx:resources/templates/provision/cisco/spa504g/{$mac}.xml
// and cisco/spa122/{$mac}.xml.
package ciscospa
