// Package grandstream renders the provisioning files of Grandstream phones
// (GXP16xx, GXP21xx, GRP26xx) and analogue telephone adapters (HT80x).
//
// # Files
//
// A Grandstream device asks its configuration server for cfg<mac> (binary),
// then cfg<mac>.xml, then cfg.xml, the MAC in lower case. cfg.xml is
// common: it only points the device at the provisioning server (P212,
// P237). cfg<mac>.xml is an XML P-value file,
// <gs_provision version="1"><mac>…</mac><config version="1"><Pnnn>…,
// carrying the accounts and every other setting, and the HTTP(S) user name
// and password (P1360, P1361) the device authenticates with on every later
// fetch of its configuration.
//
// P-values differ between the phones and the HT80x: per-account numbers
// (account 1 uses the historical P47, P35, P34…, accounts 2 to 6 the
// P4xx, P5xx, P6xx, P17xx and P18xx blocks), the DTMF, VLAN priority,
// direct IP call and language keys, and the automatic upgrade modes.
//
// # Sources
//
//   - Grandstream configuration templates as shipped with fusionpbx/fusionpbx
//     resources/templates/provision/grandstream/gxp2170/{$mac}.xml (GXP21xx
//     firmware 1.0.9.127 template, all six accounts), gxp16xx/{$mac}.xml
//     (GXP16xx 1.0.4.33), grp2614/{$mac}.xml and ht801/{$mac}.xml (HT801/802
//     1.0.10.6), including their P-value comments.
//   - wazo-platform/wazo-provd-plugins: plugins/wazo_grandstream/common/
//     common.py (file name, User-Agent, MPK P-values), common/templates/
//     base.tpl, common_ata/templates/HT801V2.tpl.
//   - HT801 administration guide, provisioning file order
//     (easymanua.ls/grandstream-networks/ht801/manual/232227?p=68).
package grandstream
