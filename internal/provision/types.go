package provision

import (
	"time"

	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// Extension is one SIP account of a tenant, which device lines bind to.
type Extension struct {
	// Domain is the tenant.
	Domain string `json:"domain"`
	// Number is the extension's number, the SIP user part; unique per
	// tenant.
	Number      string `json:"number"`
	DisplayName string `json:"display_name,omitempty"`
	// AuthUsername is the SIP digest user name; Number when empty.
	AuthUsername string `json:"auth_username,omitempty"`
	// Password is the SIP password, generated when not given.
	Password string    `json:"password,omitempty"`
	Updated  time.Time `json:"updated"`
}

// Template is a named set of settings for one phone model, global (in the
// master domain) or of a tenant.
type Template struct {
	Name   string `json:"name"`
	Domain string `json:"domain"`
	// Model is "vendor/model" ("yealink/t46s").
	Model    string         `json:"model"`
	Settings model.Settings `json:"settings"`
	Updated  time.Time      `json:"updated"`
}

// DeviceLine binds a line of a device to an extension of its tenant.
type DeviceLine struct {
	Line      int    `json:"line"`
	Extension string `json:"extension"`
	Label     string `json:"label,omitempty"`
	// CallerIDSource is "from", "pai", "rpid" or "" (the phone's default).
	CallerIDSource string `json:"caller_id_source,omitempty"`
	// LocalSIPPort is 10000–20000, or 0 for the phone's default.
	LocalSIPPort int `json:"local_sip_port,omitempty"`
	// SRTP is "off", "optional", "mandatory" or "" (the settings' value).
	SRTP string `json:"srtp,omitempty"`
}

// Device is one phone, always in a tenant (never the master domain).
type Device struct {
	MAC    model.MAC `json:"mac"`
	Domain string    `json:"domain"`
	// Model is "vendor/model".
	Model string `json:"model"`
	// Template names the templates layered under the device's settings:
	// the master domain's and the tenant's of that name and model
	// ("default" when empty).
	Template string         `json:"template,omitempty"`
	Label    string         `json:"label,omitempty"`
	Lines    []DeviceLine   `json:"lines"`
	Settings model.Settings `json:"settings"`
	// HTTPUsername and HTTPPassword are the device's own provisioning
	// credentials, generated, written into its files.
	HTTPUsername string `json:"http_username"`
	HTTPPassword string `json:"http_password"`
	// OwnCredentialsUsed is set the first time the device fetches a file
	// with its own credentials; lock_bootstrap then refuses it the
	// tenant's bootstrap credentials.
	OwnCredentialsUsed bool      `json:"own_credentials_used"`
	Created            time.Time `json:"created"`
	Updated            time.Time `json:"updated"`
}

// IPDNS replaces a dummy IP address by a host name in every file rendered
// for the tenant (the master domain: for every tenant).
type IPDNS struct {
	Domain string `json:"domain"`
	IP     string `json:"ip"`
	FQDN   string `json:"fqdn"`
}

// Settings are the provisioning settings of the whole platform.
type Settings struct {
	// SIPServerAddress is the default registrar of every line.
	SIPServerAddress string `json:"sip_server_address"`
	// TFTPServerAddress is the TFTP server phones are told about.
	TFTPServerAddress string `json:"tftp_server_address"`
	// ServerHostname is the host name phones reach the provisioning server
	// by; the default provisioning URL is https://<server_hostname>/provision/.
	ServerHostname string     `json:"server_hostname"`
	AutoCreate     AutoCreate `json:"auto_create"`
	// UnprovisionedPIN lets a phone be claimed from its keypad.
	UnprovisionedPIN string `json:"unprovisioned_pin,omitempty"`
}

// AutoCreate creates a device on the first request of an unknown MAC that
// authenticates with a tenant's bootstrap credentials from a whitelisted
// network.
type AutoCreate struct {
	Enabled   bool     `json:"enabled"`
	Whitelist []string `json:"whitelist"`
}

// TenantSettings are the provisioning settings of one tenant.
type TenantSettings struct {
	Domain    string    `json:"domain"`
	Bootstrap Bootstrap `json:"bootstrap"`
	// Allow are the networks (CIDR) bootstrap credentials are accepted
	// from; empty: from nowhere.
	Allow []string `json:"allow"`
	// LockBootstrap refuses the bootstrap credentials to a device that
	// has already fetched with its own.
	LockBootstrap bool `json:"lock_bootstrap"`
}

// Bootstrap are a tenant's shared credentials for phones that do not have
// their own yet.
type Bootstrap struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Fetch is one request for a device file, as the audit trail keeps it.
type Fetch struct {
	Time      time.Time `json:"time"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	File      string    `json:"file"`
	Result    string    `json:"result"`
	Hash      string    `json:"hash,omitempty"`
}
