// Package config holds pbxgate's configuration: the YAML file every key of which
// is optional, the embedded defaults, an iSymphony security.xml reader, and the
// validation whose errors name the field path and the line.
//
// # Loading
//
// [Load] reads a file; a file whose first non-blank byte is '<' is read as an
// iSymphony security.xml, anything else as YAML. The YAML is decoded on top of
// [Default], so a key that is absent keeps its default, and a list that is given
// replaces the default list whole (its items start empty, not from the default
// items). A key written with no value (null) is the same as an absent key,
// except for a list, which it empties. Unknown keys, repeated keys, more than
// one YAML document, booleans other than true/false and durations without a
// unit ("10", not "10s") are errors. An empty file gives the defaults.
//
// Durations are written as Go writes them: "10s", "1m30s", "250ms".
//
// When the YAML sets security_xml, that file's contexts and SSLKeystore are
// applied over the YAML (see below). Load does not validate: callers call
// [Config.Validate].
//
// # iSymphony security.xml
//
// An iSymphony security.xml is read like this:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<Security>                                  (root: any name)
//	  <SSLKeystore filename="isymphony.jks" keystorePassword="…" keyPassword="…" certAlias="isymphony"/>
//	  <SecurityContext name="communication_manager" enabled="true">
//	    <SSL enabled="false"/>
//	    <RealmAuth enabled="true">
//	      <RealmAuthUsers>
//	        <RealmAuthUser username="admin" password="secret"/>
//	      </RealmAuthUsers>
//	    </RealmAuth>
//	    <IPAccess enabled="true">
//	      <WhiteList><IP>192.0.2.0/24</IP></WhiteList>
//	      <BlackList>192.0.2.66, 192.0.2.67</BlackList>
//	    </IPAccess>
//	  </SecurityContext>
//	</Security>
//
// Element and attribute names match case-insensitively; namespaces are
// ignored on elements. The reader is tolerant about list entries: a child
// element of any name holding the address as text (<IP>, <Entry>,
// <Address>), or holding it in an attribute ip, address, value, cidr or entry
// (attributes name, description and comment are labels and ignored), or
// plain text right inside WhiteList/BlackList; text is split at commas,
// semicolons and white space. Entries are not checked here: the access
// package compiles them.
//
// It is strict about everything that changes security: an unknown element
// anywhere outside a list, an unknown or repeated attribute, a boolean other
// than true/false, a context name that does not exist or appears twice, a
// repeated element (two <SSL> in one context), a RealmAuthUser without
// username or password, and text where no text belongs are errors with
// their line. A DOCTYPE (or any <!…> declaration) is refused, so no DTD and
// no entity is ever looked at.
//
// What the file does not say is left alone: a context it does not list, an
// absent enabled attribute, an absent <SSL>, <RealmAuth>, <RealmAuthUsers>,
// <IPAccess>, <WhiteList> or <BlackList> keep the value the YAML (or the
// default) gave. A list that is present replaces the list whole, even empty.
// SSLKeystore with no filename (or an empty one) is ignored.
//
// Over a YAML file, for each context the XML lists, enabled, ssl,
// realm_auth.enabled, realm_auth.users, ip_access.enabled and the two lists
// come from the XML when it says them; realm_auth.scheme and realm (which
// security.xml cannot say), root and upstream stay from the YAML. The
// SSLKeystore (its filename relative to the XML's directory) becomes the
// keystore of every tls listener that has neither certdir nor keystore.file.
// The positions of fields set from the XML point into the XML file.
//
// # Errors
//
// While decoding, the file and line of every field path are recorded
// ([Config.Pos]). Every problem, in the files or found by [Config.Validate],
// is one [FieldError] carrying the field path
// (contexts.voicemail.ip_access.whitelist[2]) and, when known, the base name
// of the file and the line the value came from:
//
//	pbxgate.yaml:14: contexts.voicemail.ip_access.whitelist[2]: "192.0.2.300" is not an IP or CIDR
//
// All errors are reported at once, as [Errors], in file order. Packages that
// check what Validate leaves to them (IP entries, trusted proxies, password
// forms) locate their errors with [Config.Errorf].
//
// # Showing
//
// [Config.Redacted] hides every password; [Config.YAML] writes the effective
// configuration with every key. Validate refuses a file that still holds the
// "<redacted>" placeholder.
package config

import "time"

// Context names, as users see them in the YAML file, in security.xml and in the
// API. The order is the order of [ContextNames].
const (
	CommunicationManager = "communication_manager"
	Administrator        = "administrator"
	Client               = "client"
	Voicemail            = "voicemail"
	Recording            = "recording"
	Provisioning         = "provisioning"
)

// ContextNames lists the six security contexts in a fixed order.
var ContextNames = []string{CommunicationManager, Administrator, Client, Voicemail, Recording, Provisioning}

// Realm auth schemes.
const (
	SchemeBasic  = "basic"
	SchemeDigest = "digest"
	SchemeAny    = "any"
)

// Config is the whole configuration of one pbxgate process.
type Config struct {
	// DataDir holds the SQLite database, the default certificate and the
	// generated admin password. Default ./pbxgate-data. Cannot change on reload.
	DataDir string `yaml:"data_dir"`
	// Database is "" for SQLite in DataDir, or a postgres:// URL. Cannot
	// change on reload.
	Database string `yaml:"database"`
	// MasterDomain is the root of the domain tree and the name the default
	// certificate is made for. Default localhost.
	MasterDomain string `yaml:"master_domain"`
	// TrustedProxies are the CIDRs (or single addresses) of reverse proxies
	// whose X-Forwarded-For header is believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// Listeners are the sockets pbxgate serves HTTP and HTTPS on. Their name,
	// address and tls cannot change on reload; certdir and keystore can.
	Listeners []Listener `yaml:"listeners"`
	// HTTP holds the timeouts and limits shared by every listener.
	HTTP HTTP `yaml:"http"`
	// Contexts holds the six security contexts.
	Contexts Contexts `yaml:"contexts"`
	// SecurityXML is the path of an iSymphony security.xml. Its contexts
	// override the YAML ones; its SSLKeystore becomes the certificate of the
	// TLS listeners that have none. A relative path is relative to the
	// directory of the YAML file.
	SecurityXML string `yaml:"security_xml"`
	// Log sets the log level (debug, info, warn, error) and format (text, json).
	Log Log `yaml:"log"`
	// Alarms tunes when system_state raises alarms.
	Alarms Alarms `yaml:"alarms"`
	// ACME gets certificates for the domains that ask for one.
	ACME ACME `yaml:"acme"`
	// Guard bans the sources of brute-force attempts and scans.
	Guard Guard `yaml:"guard"`

	// Source is the file the configuration was read from ("" for the
	// embedded defaults). It is not a YAML key.
	Source string `yaml:"-"`
	// lines maps field paths to the line they were read from.
	lines map[string]position
	// xmlFile is the security.xml that Load read, resolved ("" if none).
	xmlFile string
}

// position is where a field came from.
type position struct {
	file string
	line int
}

// Listener is one named socket.
type Listener struct {
	// Name identifies the listener in logs, metrics and the API.
	Name string `yaml:"name"`
	// Address is host:port; ":8443" listens on every address.
	Address string `yaml:"address"`
	// TLS makes this an HTTPS listener.
	TLS bool `yaml:"tls"`
	// CertDir is a directory with server.key and server.crt.
	CertDir string `yaml:"certdir"`
	// Keystore is a JKS, PKCS#12 or PEM keystore (used when CertDir is empty).
	Keystore Keystore `yaml:"keystore"`
}

// Keystore names a keystore file and how to open it.
type Keystore struct {
	File          string `yaml:"file"`
	StorePassword string `yaml:"store_password"`
	KeyPassword   string `yaml:"key_password"`
	Alias         string `yaml:"alias"`
}

// HTTP holds timeouts and limits that protect every listener.
type HTTP struct {
	// ReadHeaderTimeout bounds the TLS handshake and the request header
	// (slowloris). Default 10s.
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	// ReadTimeout bounds reading a request body. Default 60s. Not applied
	// to WebSocket upgrades.
	ReadTimeout Duration `yaml:"read_timeout"`
	// IdleTimeout closes idle keep-alive connections. Default 120s.
	IdleTimeout Duration `yaml:"idle_timeout"`
	// ShutdownTimeout is how long SIGTERM waits for requests in flight.
	// Default 15s.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// MaxHeaderBytes limits the request header. Default 65536.
	MaxHeaderBytes int `yaml:"max_header_bytes"`
}

// Alarms tunes the alarms of GET /api/v1/system/state.
type Alarms struct {
	// CertificateExpiry is how long before its not_after a served
	// certificate raises certificate_expiring. Default 14d.
	CertificateExpiry Duration `yaml:"certificate_expiry"`
}

// ACME configures the ACME client that gets and renews the certificates of
// the domains with acme_enabled.
type ACME struct {
	// Directory is the URL of the CA's ACME directory, for example
	// https://acme-v02.api.letsencrypt.org/directory. Empty (the default)
	// turns ACME off: pbxgate never contacts a CA unless told which.
	Directory string `yaml:"directory"`
	// CARoots are PEM files of extra roots to trust the ACME server's HTTPS
	// with (a private or test CA), besides the system roots.
	CARoots []string `yaml:"ca_roots"`
	// HTTPChallengeListener names the plain listener that answers HTTP-01
	// challenges at /.well-known/acme-challenge/. Empty: every plain
	// listener answers.
	HTTPChallengeListener string `yaml:"http_challenge_listener"`
	// KeyType is the key of issued certificates: ecdsa-p256 (default) or
	// rsa-2048.
	KeyType string `yaml:"key_type"`
	// RenewRatio is the part of a certificate's lifetime after which it is
	// renewed: 2/3 by default (a 90-day certificate after 60 days).
	RenewRatio float64 `yaml:"renew_ratio"`
	// OrdersPerWeek is the number of new orders per registered domain
	// (example.com for a.b.example.com) in any 7 days; orders beyond it
	// wait. Default 50, the Let's Encrypt limit.
	OrdersPerWeek int `yaml:"orders_per_week"`
	// CheckInterval is how often the domains are checked for certificates
	// to get or renew. Default 1m.
	CheckInterval Duration `yaml:"check_interval"`
}

// Guard configures the in-process brute-force and scan defence: every
// security event of every context (failed logins, replayed Digest nonces,
// unknown MACs, 404 probes, path traversal) counts against its source, and
// a source over the limit is banned: refused at connection accept, and
// answered 403 on any request that still arrives (through a proxy).
type Guard struct {
	// Enabled switches the guard on (the default).
	Enabled bool `yaml:"enabled"`
	// MaxRetry is how many failures (path traversal weighs max_retry, a
	// replayed Digest nonce 2, the others 1) within find_time ban a source.
	// Default 5.
	MaxRetry int `yaml:"max_retry"`
	// FindTime is the window failures are counted in. Default 10m.
	FindTime Duration `yaml:"find_time"`
	// BanTime is how long a first ban lasts. Default 10m.
	BanTime Duration `yaml:"ban_time"`
	// BanFactor multiplies the ban time for each new ban of the same source
	// within a day (incremental bans). Default 2; 1 keeps it fixed.
	BanFactor float64 `yaml:"ban_factor"`
	// BanMax caps the ban time. Default 7d.
	BanMax Duration `yaml:"ban_max"`
	// UnknownMACMax is how many requests for the files of unknown MACs
	// within find_time ban a source. Default 10.
	UnknownMACMax int `yaml:"unknown_mac_max"`
	// Allowlist are addresses and CIDR prefixes that are never banned,
	// whatever they do: it always wins.
	Allowlist []string `yaml:"allowlist"`
	// Sweep detects scans spread over many sources.
	Sweep GuardSweep `yaml:"sweep"`
	// LogFile, when set, gets one line per security event and per ban or
	// unban, in the stable format that docs/fail2ban.md describes (for
	// fail2ban and other log processors). Relative to data_dir.
	LogFile string `yaml:"log_file"`
	// Contexts override the limits per security context
	// (communication_manager, administrator, client, voicemail, recording,
	// provisioning).
	Contexts map[string]GuardOverride `yaml:"contexts"`
}

// GuardSweep detects a scan of one vendor's MAC range from many sources:
// when sources distinct sources ask for unknown MACs of one OUI within
// window, every source gets only tight_max unknown MACs of that OUI before
// a ban, until hold after the last such request, and the system_state alarm
// provisioning_scan is raised.
type GuardSweep struct {
	// Sources is the number of distinct sources that trips it. Default 20.
	Sources int `yaml:"sources"`
	// Window is how far back sources are counted. Default 10m.
	Window Duration `yaml:"window"`
	// TightMax is the unknown-MAC budget of a source while the sweep is
	// on. Default 1 (the second request bans).
	TightMax int `yaml:"tight_max"`
	// Hold is how long the sweep stays on after its last request.
	// Default 1h.
	Hold Duration `yaml:"hold"`
}

// GuardOverride changes the limits of one context; what it leaves out is
// the guard's.
type GuardOverride struct {
	MaxRetry      *int      `yaml:"max_retry"`
	FindTime      *Duration `yaml:"find_time"`
	BanTime       *Duration `yaml:"ban_time"`
	BanFactor     *float64  `yaml:"ban_factor"`
	BanMax        *Duration `yaml:"ban_max"`
	UnknownMACMax *int      `yaml:"unknown_mac_max"`
}

// ACME key types.
const (
	KeyECDSAP256 = "ecdsa-p256"
	KeyRSA2048   = "rsa-2048"
)

// Log sets up logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Contexts holds the six security contexts by name.
type Contexts struct {
	CommunicationManager Context `yaml:"communication_manager"`
	Administrator        Context `yaml:"administrator"`
	Client               Context `yaml:"client"`
	Voicemail            Context `yaml:"voicemail"`
	Recording            Context `yaml:"recording"`
	Provisioning         Context `yaml:"provisioning"`
}

// ByName returns the context with the given name, or nil.
func (c *Contexts) ByName(name string) *Context {
	switch name {
	case CommunicationManager:
		return &c.CommunicationManager
	case Administrator:
		return &c.Administrator
	case Client:
		return &c.Client
	case Voicemail:
		return &c.Voicemail
	case Recording:
		return &c.Recording
	case Provisioning:
		return &c.Provisioning
	}
	return nil
}

// Context is the security of one service. A context that is not enabled
// applies no restriction at all, whatever its inner settings say.
type Context struct {
	// Enabled turns the restrictions below on.
	Enabled bool `yaml:"enabled"`
	// SSL serves the context only over TLS: plain HTTP gets a redirect
	// (browsers) or 403 (APIs).
	SSL bool `yaml:"ssl"`
	// RealmAuth asks for HTTP realm users.
	RealmAuth RealmAuth `yaml:"realm_auth"`
	// IPAccess allows or refuses client IPs.
	IPAccess IPAccess `yaml:"ip_access"`
	// Root is the directory served (voicemail and recording only).
	Root string `yaml:"root"`
	// Upstream is the URL proxied to (client only).
	Upstream string `yaml:"upstream"`
}

// RealmAuth configures HTTP authentication.
type RealmAuth struct {
	Enabled bool `yaml:"enabled"`
	// Scheme is basic, digest or any. Default any.
	Scheme string `yaml:"scheme"`
	// Realm is the name in the challenge; HA1 hashes depend on it.
	// Default pbxgate.
	Realm string `yaml:"realm"`
	// Users are the accepted users. Passwords may be plaintext (warned),
	// bcrypt or argon2id (Basic only), {HA1-MD5}hex or {HA1-SHA256}hex.
	// When empty, the generated admin user is used.
	Users []User `yaml:"users"`
}

// User is one realm user.
type User struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// IPAccess is a whitelist and a blacklist of addresses and CIDR prefixes.
type IPAccess struct {
	Enabled   bool     `yaml:"enabled"`
	Whitelist []string `yaml:"whitelist"`
	Blacklist []string `yaml:"blacklist"`
}

// Duration is a time.Duration written as "10s", "2m" or "1h30m" in YAML.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Default returns the embedded defaults: what `pbxgate serve` runs with when no
// configuration file is given.
func Default() *Config {
	return &Config{
		DataDir:      "./pbxgate-data",
		MasterDomain: "localhost",
		Listeners: []Listener{
			{Name: "https", Address: ":8443", TLS: true},
			{Name: "http", Address: ":8080"},
		},
		HTTP: HTTP{
			ReadHeaderTimeout: Duration(10 * time.Second),
			ReadTimeout:       Duration(60 * time.Second),
			IdleTimeout:       Duration(120 * time.Second),
			ShutdownTimeout:   Duration(15 * time.Second),
			MaxHeaderBytes:    64 << 10,
		},
		Contexts: Contexts{
			CommunicationManager: defaultContext(true),
			Administrator:        defaultContext(true),
			Client:               defaultContext(false),
			Voicemail:            defaultContext(false),
			Recording:            defaultContext(false),
			Provisioning:         defaultContext(false),
		},
		Log:    Log{Level: "info", Format: "text"},
		Alarms: Alarms{CertificateExpiry: Duration(14 * 24 * time.Hour)},
		ACME: ACME{
			KeyType:       KeyECDSAP256,
			RenewRatio:    2.0 / 3,
			OrdersPerWeek: 50,
			CheckInterval: Duration(time.Minute),
		},
		Guard: Guard{
			Enabled: true, MaxRetry: 5, FindTime: Duration(10 * time.Minute), BanTime: Duration(10 * time.Minute),
			BanFactor: 2, BanMax: Duration(7 * 24 * time.Hour), UnknownMACMax: 10,
			Sweep: GuardSweep{Sources: 20, Window: Duration(10 * time.Minute), TightMax: 1, Hold: Duration(time.Hour)},
		},
	}
}

func defaultContext(secured bool) Context {
	return Context{
		Enabled:   secured,
		RealmAuth: RealmAuth{Enabled: secured, Scheme: SchemeAny, Realm: "pbxgate"},
	}
}
