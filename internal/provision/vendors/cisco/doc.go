// Package cisco renders the provisioning files of Cisco's own SIP phones:
// the 7940 and 7960 on their SIP firmware, and the 79x1/79x2 and 88xx
// phones on the enterprise SIP firmware (the one written for Cisco Unified
// Communications Manager, as used with third-party SIP servers).
//
// # 7940 and 7960
//
// The phone reads SIPDefault.cnf, then SIP<MAC>.cnf with the MAC in upper
// case, both flat "key: value" files (values are written between double
// quotes, which the phone strips; '#' starts a comment). The common file
// is shared by every 7940 and 7960, so it holds only what is the same for
// all of them and no secret. Lines are lineN_name, lineN_authname,
// lineN_password, lineN_displayname, lineN_shortname with proxyN_address
// and proxyN_port; a free line button may be a speed dial (speed_lineN,
// speed_labelN); the voicemail key becomes messages_uri. The time zone is
// one of the firmware's abbreviations (EST, CET, JST, ...), the daylight
// saving rule dst_* is derived from the zone's transitions.
//
// These phones fetch their files over TFTP (or plain HTTP) and cannot
// authenticate: their firmware has no provisioning user or password, so
// none is written, and HTTPUsername/HTTPPassword have no key to go to.
// SIP<MAC>.cnf still carries the line passwords and still goes through the
// server's authentication, which these phones can only pass through the
// tenant bootstrap rule: the operator lets them fetch from an allowed
// network (their voice VLAN or office LAN), and nowhere else.
//
// # 79x1, 79x2 and 88xx (SEP)
//
// The phone reads SEP<MAC>.cnf.xml (MAC upper case), else XMLDefault.cnf.xml,
// the common file, which only names the SIP server. The device file is a
// <device> document: <devicePool> with the time zone (by its Windows-style
// name, "W. Europe Standard/Daylight Time") and the NTP server,
// <sipProfile> with <sipLines><line button="N"> elements: featureID 9 for a
// line (name, displayName, authName, authPassword, proxy, port), 2 for a
// speed dial, 21 for a BLF speed dial, 22 for a BLF call park slot and 20
// for a service URL; transportLayerProtocol 1 TCP, 2 UDP, 3 TLS;
// deviceSecurityMode 3 (encrypted, SRTP) when TLS is used with SRTP, 2 for
// TLS alone, else 1. The enterprise firmware has no provisioning
// credentials either: the phone fetches over TFTP or HTTP on port 6970
// without authentication, so the same bootstrap rule applies. Raw keys
// are element paths below <device>, such as "sipProfile/sipStack/timerT1"
// or "sipProfile/sipLines/line[2]/featureLabel" ([N] picks the Nth element
// of that name); they replace the generated element in place.
//
// # Sources
//
// Cisco SIP IP Phone Administrator Guide, releases 6.x to 8.x (SIPDefault.cnf
// and SIP<MAC>.cnf parameters, DST parameters); usecallmanager.nz,
// usecallmanagernz/usecallmanagernz.github.io: sepmac-cnf-xml.html,
// line-keys.html (SEP<MAC>.cnf.xml elements, featureIDs, time zone names,
// transportLayerProtocol, deviceSecurityMode);
// fusionpbx/fusionpbx:resources/templates/provision/cisco/7940/SIPDefault.cnf,
// cisco/7940/SIP{$mac}.cnf and cisco/79x1/SEP{$mac}.cnf.xml;
// wazo-platform/wazo-provd-plugins:plugins/wazo_cisco_sccp/common/common.py
// (file names); github.com/provisioner/Provisioner/issues/154 (the 79x0 SIP
// firmware does not read SEP<MAC>.cnf.xml).
package cisco
