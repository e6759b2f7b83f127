package model

// Settings are the vendor-neutral settings of a phone, as set on a
// template or a device. Every field is optional: nil (or an empty map or
// list) leaves the value to the layer below, and in the end to the phone's
// own default.
type Settings struct {
	// Provisioning is where the phone fetches its files and firmware.
	Provisioning *ProvisioningSettings `json:"provisioning,omitempty"`
	// SIP is the registrar and how to reach it.
	SIP *SIPSettings `json:"sip,omitempty"`
	// Network is NAT traversal and the LAN discovery protocols.
	Network *NetworkSettings `json:"network,omitempty"`
	// Time is the clock: NTP, time zone and daylight saving.
	Time *TimeSettings `json:"time,omitempty"`
	// Language is the phone's display language as an ISO 639-1 code ("en",
	// "fr", "de").
	Language *string `json:"language,omitempty"`
	// Tones is the country whose call progress tones the phone plays, as
	// an ISO 3166-1 alpha-2 code ("US", "FR", "GB").
	Tones *string `json:"tones,omitempty"`
	// AdminPassword is the password of the phone's web and menu
	// administrator.
	AdminPassword *string `json:"admin_password,omitempty"`
	// UserPassword is the password of the phone's unprivileged web user.
	UserPassword *string `json:"user_password,omitempty"`
	// Security are the phone's call acceptance rules.
	Security *SecuritySettings `json:"security,omitempty"`
	// DTMF is how digits are sent during a call: "rfc2833", "inband",
	// "info" or "auto".
	DTMF *string `json:"dtmf,omitempty"`
	// SRTP is the default media encryption of the lines: "off",
	// "optional" or "mandatory". A device line may override it.
	SRTP *string `json:"srtp,omitempty"`
	// Keys are the programmable keys, merged by index: a later layer's key
	// N replaces an earlier layer's key N.
	Keys []Key `json:"keys,omitempty"`
	// Paging are the multicast paging groups the phone listens to; a
	// layer that sets them replaces the whole list.
	Paging []PagingGroup `json:"paging,omitempty"`
	// DirectoryURL is the URL of a remote XML phone book.
	DirectoryURL *string `json:"directory_url,omitempty"`
	// LDAP is the corporate directory.
	LDAP *LDAPSettings `json:"ldap,omitempty"`
	// Raw are vendor-native keys written as given, after everything else;
	// they are merged by key. Raw keys are for the vendor of the template
	// or device they are set on.
	Raw map[string]string `json:"raw,omitempty"`
}

// ProvisioningSettings say where the phone fetches its configuration and
// firmware, and when.
type ProvisioningSettings struct {
	// URL is the base URL the phone fetches its files from; by default
	// https://<server_hostname>/provision/.
	URL *string `json:"url,omitempty"`
	// FirmwareURL is the URL of the firmware image.
	FirmwareURL *string `json:"firmware_url,omitempty"`
	// FirmwareVersion is the version the phone should run.
	FirmwareVersion *string `json:"firmware_version,omitempty"`
	// Sync is when the phone checks for new files: "boot" (on boot only),
	// "periodic" (every SyncInterval minutes and on boot) or "daily" (at
	// SyncTime and on boot).
	Sync *string `json:"sync,omitempty"`
	// SyncInterval is the period in minutes of "periodic" sync.
	SyncInterval *int `json:"sync_interval,omitempty"`
	// SyncTime is the "HH:MM" of "daily" sync.
	SyncTime *string `json:"sync_time,omitempty"`
}

// SIPSettings say where the lines register.
type SIPSettings struct {
	// Registrar is the host name or address of the SIP registrar; by
	// default the provisioning settings' sip_server_address.
	Registrar *string `json:"registrar,omitempty"`
	// RegistrarPort is its port (default 5060, 5061 for TLS).
	RegistrarPort *int `json:"registrar_port,omitempty"`
	// OutboundProxy is the host every request is sent through.
	OutboundProxy *string `json:"outbound_proxy,omitempty"`
	// OutboundProxyPort is its port.
	OutboundProxyPort *int `json:"outbound_proxy_port,omitempty"`
	// Transport is "udp", "tcp" or "tls".
	Transport *string `json:"transport,omitempty"`
	// RegisterExpires is the registration lifetime in seconds.
	RegisterExpires *int `json:"register_expires,omitempty"`
}

// NetworkSettings are NAT traversal and LAN settings.
type NetworkSettings struct {
	// RPort asks the server to answer to the source port (RFC 3581).
	RPort *bool `json:"rport,omitempty"`
	// STUNServer is the STUN server's host; STUNPort its port.
	STUNServer *string `json:"stun_server,omitempty"`
	STUNPort   *int    `json:"stun_port,omitempty"`
	// LLDP and CDP switch the discovery protocols on or off.
	LLDP *bool `json:"lldp,omitempty"`
	CDP  *bool `json:"cdp,omitempty"`
	// VLAN is the voice VLAN id (1–4094), 0 for none; VLANPriority its
	// 802.1p priority (0–7).
	VLAN         *int `json:"vlan,omitempty"`
	VLANPriority *int `json:"vlan_priority,omitempty"`
}

// TimeSettings set the phone's clock.
type TimeSettings struct {
	// NTPServer is the NTP server's host.
	NTPServer *string `json:"ntp_server,omitempty"`
	// TimeZone is an IANA zone name ("Europe/Paris"); renderers derive the
	// vendor's offsets from it with [Zone].
	TimeZone *string `json:"time_zone,omitempty"`
	// DST switches automatic daylight saving time on or off.
	DST *bool `json:"dst,omitempty"`
}

// SecuritySettings are the phone's call acceptance rules.
type SecuritySettings struct {
	// DisableDirectIPCall refuses calls addressed to the phone's IP
	// address instead of through the registrar.
	DisableDirectIPCall *bool `json:"disable_direct_ip_call,omitempty"`
	// TrustSIPServerOnly accepts SIP requests only from the registrar and
	// outbound proxy.
	TrustSIPServerOnly *bool `json:"trust_sip_server_only,omitempty"`
}

// KeyType is what a programmable key does.
type KeyType string

// The key types. Renderers map each to the vendor's code and skip the ones
// the vendor has no equivalent for.
const (
	KeyLine      KeyType = "line"
	KeyBLF       KeyType = "blf"
	KeySpeedDial KeyType = "speeddial"
	KeyPark      KeyType = "park"
	KeyTransfer  KeyType = "transfer"
	KeyDTMF      KeyType = "dtmf"
	KeyDirectory KeyType = "directory"
	KeyVoicemail KeyType = "voicemail"
	KeyIntercom  KeyType = "intercom"
	KeyPaging    KeyType = "paging"
	KeyRecord    KeyType = "record"
	KeyURL       KeyType = "url"
	KeyNone      KeyType = "none"
)

// KeyTypes lists the key types in a stable order.
var KeyTypes = []KeyType{KeyLine, KeyBLF, KeySpeedDial, KeyPark, KeyTransfer, KeyDTMF, KeyDirectory, KeyVoicemail, KeyIntercom, KeyPaging, KeyRecord, KeyURL, KeyNone}

// Key is one programmable key (line key, DSS key, function key).
type Key struct {
	// Index is the key's number on the phone, from 1.
	Index int `json:"index"`
	// Type is what it does.
	Type KeyType `json:"type"`
	// Value is its argument: an extension for blf/speeddial/intercom, a
	// digit string for dtmf, a URL for url, a park slot for park.
	Value string `json:"value,omitempty"`
	// Label is the text shown next to it.
	Label string `json:"label,omitempty"`
	// Line is the line (from 1) it acts on; 0 means line 1.
	Line int `json:"line,omitempty"`
}

// PagingGroup is one multicast paging group.
type PagingGroup struct {
	// Address is the multicast group as "ip:port" (224.0.1.75:10000).
	Address string `json:"address"`
	// Label names it on the phone.
	Label string `json:"label,omitempty"`
	// Priority orders the groups, 1 highest.
	Priority int `json:"priority,omitempty"`
}

// LDAPSettings configure the phone's LDAP directory.
type LDAPSettings struct {
	Server       *string `json:"server,omitempty"`
	Port         *int    `json:"port,omitempty"`
	Base         *string `json:"base,omitempty"`
	User         *string `json:"user,omitempty"`
	Password     *string `json:"password,omitempty"`
	NameFilter   *string `json:"name_filter,omitempty"`
	NumberFilter *string `json:"number_filter,omitempty"`
	// NameAttributes is the attribute shown as the name ("cn sn").
	NameAttributes *string `json:"name_attributes,omitempty"`
	// NumberAttributes are the attributes dialled ("telephoneNumber").
	NumberAttributes *string `json:"number_attributes,omitempty"`
}
