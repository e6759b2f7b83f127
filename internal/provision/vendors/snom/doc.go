// Package snom renders the provisioning files of Snom desk phones (3xx,
// 7xx and D-series): XML setting files with a <phone-settings> section
// (one element per setting, perm attribute, idx for per-identity values)
// and a <functionKeys> section (<fkey idx context label>type value</fkey>).
//
// # Files
//
// A Snom phone pointed at a provisioning directory (DHCP option 66, the
// Snom redirection service or its setting_server) first fetches the
// general file of its type, snom<Type>.htm (snomD785.htm, snom710.htm),
// then the file of its own address, snom<Type>-<MAC>.htm, with the MAC in
// upper case. The general file is common and sets only setting_server; the
// device .htm is a <setting-files> container naming <MAC>.xml, which holds
// the identities, credentials and every other setting.
//
// The device file also sets http_client_user and http_client_pass: the
// credentials the phone's HTTP client presents to the provisioning server
// on every later fetch. setting_server never carries credentials.
//
// # Sources
//
//   - Snom service wiki: "Desk Phone Configuration Files", "<phone-settings>
//     tag", "Function Key Types", admin_mode_password, mc_address
//     (service.snom.com/display/wiki/…); Snom user wiki "Setting Files" and
//     "Identities/Login" (wiki.snom.com).
//   - wazo-platform/wazo-provd-plugins: plugins/wazo_snom/common/common.py
//     (file names, User-Agent), common/templates/base.tpl, D785.tpl,
//     common/var/tftpboot/snom-general.xml, common_v10/templates/…
//   - fusionpbx/fusionpbx: resources/templates/provision/snom/D785/{$mac}.xml
//     (http_client_user/http_client_pass, user_outbound, user_expiry,
//     stun_server, enable_rport_rfc3581, settings_refresh_timer).
//   - nethesis/tancredi: data/templates/snom.tmpl, snom.macros (time zone
//     codes, language names, tone schemes, ldap_* settings),
//     snom-MODEL-MAC_ADDRESS.tmpl (a D785 settings dump).
//   - Snom web UI time zone list as shipped in third-party provisioning
//     front ends (codes such as FRA+1, USA-5, AUS2+10).
package snom
