package model

// Phone is one device resolved for rendering: its identity, its lines with
// their extensions' credentials, and its merged settings.
type Phone struct {
	// MAC is the device's address.
	MAC MAC
	// Vendor and Model name the phone ("yealink", "t46s").
	Vendor string
	Model  string
	// Label is the operator's name for the device.
	Label string
	// Tenant is the domain the device belongs to.
	Tenant string
	// Lines are the device's lines in order of Index.
	Lines []Line
	// Settings are the merged settings (global template → tenant template
	// → device).
	Settings Settings
	// HTTPUsername and HTTPPassword are the device's own provisioning
	// credentials: the renderer writes them into the vendor's provisioning
	// user/password keys so that the phone uses them for every later
	// fetch.
	HTTPUsername string
	HTTPPassword string
	// Server is where the phone reaches pbxgate and the PBX.
	Server Server
}

// Line is one SIP account of a phone, bound to an extension.
type Line struct {
	// Index is the line's number on the phone, from 1.
	Index int
	// Extension is the extension's number, the SIP user part.
	Extension string
	// DisplayName is the caller name shown to the called party.
	DisplayName string
	// AuthUsername and Password are the SIP digest credentials.
	AuthUsername string
	Password     string
	// Label is the text on the line key.
	Label string
	// CallerIDSource is where the displayed caller id comes from:
	// "from", "pai" or "rpid" ("" for the phone's default).
	CallerIDSource string
	// LocalSIPPort is the phone's local SIP port for this line (10000 to
	// 20000), 0 for the phone's default.
	LocalSIPPort int
	// SRTP is "off", "optional" or "mandatory"; "" takes Settings.SRTP.
	SRTP string
}

// Server is where the phone reaches the platform.
type Server struct {
	// ProvisioningURL is the base URL of the provisioning files, ending in
	// "/" (https://pbx.example.com/provision/). Settings.Provisioning.URL
	// wins over it when set.
	ProvisioningURL string
	// SIPServer is the default registrar (provisioning settings'
	// sip_server_address); Settings.SIP.Registrar wins over it.
	SIPServer string
	// Hostname is the provisioning server's host name.
	Hostname string
}

// ProvisioningURL returns the URL the phone fetches its files from.
func (p *Phone) ProvisioningURL() string {
	if p.Settings.Provisioning != nil && p.Settings.Provisioning.URL != nil {
		return *p.Settings.Provisioning.URL
	}
	return p.Server.ProvisioningURL
}

// Registrar returns the registrar host.
func (p *Phone) Registrar() string {
	if p.Settings.SIP != nil && p.Settings.SIP.Registrar != nil {
		return *p.Settings.SIP.Registrar
	}
	return p.Server.SIPServer
}

// Transport returns the SIP transport, "udp" by default.
func (p *Phone) Transport() string {
	if p.Settings.SIP != nil && p.Settings.SIP.Transport != nil {
		return *p.Settings.SIP.Transport
	}
	return "udp"
}

// RegistrarPort returns the registrar port: the one set, else 5061 for TLS
// and 5060 otherwise.
func (p *Phone) RegistrarPort() int {
	if p.Settings.SIP != nil && p.Settings.SIP.RegistrarPort != nil {
		return *p.Settings.SIP.RegistrarPort
	}
	if p.Transport() == "tls" {
		return 5061
	}
	return 5060
}

// LineSRTP returns the line's SRTP mode: its own, else the settings', else
// "off".
func (p *Phone) LineSRTP(l Line) string {
	if l.SRTP != "" {
		return l.SRTP
	}
	if p.Settings.SRTP != nil {
		return *p.Settings.SRTP
	}
	return "off"
}

// Common is what a common file (one without a MAC in its name, fetched by
// every phone of a model before it is known) may be rendered from. It holds
// no secrets by construction.
type Common struct {
	// Vendor and Model name the phone model the file is for.
	Vendor string
	Model  string
	// Server is where the phones reach pbxgate.
	Server Server
}
