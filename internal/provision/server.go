package provision

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/provision/ident"
	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
	"github.com/pbxgate/pbxgate/internal/realm"
	"github.com/pbxgate/pbxgate/internal/reqinfo"
)

// Realm is the realm of the provisioning challenges; Digest HA1 values of
// device credentials depend on it.
const Realm = "pbxgate-provisioning"

// The results of a request, in logs, metrics and the audit trail.
const (
	ResultOK           = "ok"
	ResultNotModified  = "not_modified"
	ResultUnauthorized = "unauthorized"
	ResultUnknownMAC   = "unknown_mac"
	ResultNotFound     = "not_found"
	ResultBadName      = "bad_name"
	ResultError        = "error"
)

// ServerOptions configure a Server.
type ServerOptions struct {
	Service *Service
	// Events receives the failed authentications and unknown-MAC requests.
	Events event.Sink
	Log    *slog.Logger
	// Nonces is the Digest nonce table (nil: a private one).
	Nonces *realm.Nonces
	Now    func() time.Time
	// OnResult is called once per request with its result (metrics).
	OnResult func(result string)
	// OnAuth is called when a request for a device file authenticated
	// (own or bootstrap credentials): the guard learns that the source is
	// a site with phones, not a scanner.
	OnAuth func(ip netip.Addr, user string, mac model.MAC)
	// CacheEntries bounds the rendered-file cache (default 20000 files,
	// some tens of megabytes).
	CacheEntries int
}

// Server serves the phones' files under /provision/. Common files are
// served to anyone; a device file only to the device's own credentials, or
// to its tenant's bootstrap credentials from an allowed network. Without
// valid credentials every device file name gets the same 401, whether the
// MAC is known or not.
type Server struct {
	opts   ServerOptions
	svc    *Service
	log    *slog.Logger
	auth   *realm.Authenticator
	common map[string]commonFile
	cache  *cache
	audit  *auditor
}

// NewServer returns the file server. Run must be running for the audit
// trail to be written.
func NewServer(opts ServerOptions) (*Server, error) {
	if opts.Events == nil {
		opts.Events = event.Discard
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OnResult == nil {
		opts.OnResult = func(string) {}
	}
	if opts.OnAuth == nil {
		opts.OnAuth = func(netip.Addr, string, model.MAC) {}
	}
	if opts.CacheEntries <= 0 {
		opts.CacheEntries = 20000
	}
	s := &Server{
		opts: opts, svc: opts.Service, log: opts.Log.With("component", "provisioning"),
		common: commonFiles(), cache: newCache(opts.CacheEntries),
	}
	a, err := realm.New(realm.Config{Realm: Realm, Scheme: realm.SchemeAny, Lookup: s.lookup, Nonces: opts.Nonces, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	s.auth = a
	s.audit = newAuditor(opts.Service.opts.Store, s.log)
	return s, nil
}

// lookup finds the password of a device's or a tenant's bootstrap user.
func (s *Server) lookup(user string) (string, bool) {
	x := s.svc.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	if mac, ok := x.httpUsers[user]; ok {
		return x.devices[mac].HTTPPassword, true
	}
	if tenant, ok := x.bootstrap[user]; ok {
		return x.tenants[tenant].Bootstrap.Password, true
	}
	return "", false
}

// Run writes the audit trail, prunes it, and polls the store for changes
// made by other nodes, until ctx ends; then it writes what is left.
func (s *Server) Run(ctx context.Context, poll time.Duration) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.audit.run(ctx)
	}()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			return
		case <-t.C:
			if err := s.svc.Load(ctx, false); err != nil && ctx.Err() == nil {
				s.log.Warn("provisioning reload", "err", err)
			}
		}
	}
}

// ServeHTTP answers GET and HEAD for /provision/<file>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	result := s.serve(w, r)
	s.opts.OnResult(result)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return ResultBadName
	}
	ip := clientIP(r)
	rel := strings.TrimPrefix(r.URL.Path, "/provision/")
	fn, err := ident.ParseFileName(rel)
	if err != nil {
		if ident.IsTraversal(err) {
			s.emit(event.Traversal, ip, "", rel)
		} else {
			s.emit(event.NotFound, ip, "", rel)
		}
		http.Error(w, "bad file name", http.StatusBadRequest)
		return ResultBadName
	}
	base := strings.ToLower(fn.Base)
	if c, ok := s.common[base]; ok && !fn.HasMAC {
		return s.serveCommon(w, r, c)
	}
	if !fn.HasMAC {
		s.emit(event.NotFound, ip, "", fn.Path())
		http.Error(w, "not found", http.StatusNotFound)
		return ResultNotFound
	}
	return s.serveDevice(w, r, ip, fn, base)
}

func (s *Server) serveCommon(w http.ResponseWriter, r *http.Request, c commonFile) string {
	x := s.svc.idx
	x.mu.RLock()
	key := "common/" + strings.ToLower(c.file.Name)
	f, ok := s.cache.get(key, x.gen)
	var err error
	if !ok {
		f, err = x.renderCommon(c)
	}
	x.mu.RUnlock()
	if err != nil {
		s.log.Error("render common file", "file", c.file.Name, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return ResultError
	}
	if !ok {
		s.cache.put(key, f)
	}
	return s.write(w, r, f, "public, no-cache")
}

// decision is what serveDevice decided under the index's lock.
type decision struct {
	known   bool
	mac     model.MAC
	file    *rendered
	own     bool // the device's own credentials
	markOwn bool // first use of them
	result  string
	reason  string // why credentials were refused, for the log
	err     error
	// tenant is the tenant whose bootstrap credentials asked for an
	// unknown MAC (auto-create).
	tenant string
}

func (s *Server) serveDevice(w http.ResponseWriter, r *http.Request, ip netip.Addr, fn ident.FileName, base string) string {
	res := s.auth.Authenticate(r)
	d := s.decide(res, ip, fn, base)
	if d.result == ResultUnknownMAC && s.autoCreate(r, ip, d.tenant, fn) {
		d = s.decide(res, ip, fn, base)
	}
	if d.known {
		defer func() {
			s.audit.record(StoredFetch{MAC: d.mac.String(), Fetch: Fetch{
				Time: s.opts.Now().UTC(), IP: ip.String(), UserAgent: r.UserAgent(), File: fn.Path(), Result: d.result, Hash: hashOf(d.file),
			}})
		}()
	}
	switch d.result {
	case ResultUnauthorized:
		if !d.known {
			s.emit(event.UnknownMAC, ip, res.User, fn.MAC.String())
		}
		if res.Fail != realm.FailMissing && res.Fail != realm.FailStale {
			s.emit(event.AuthFailure, ip, res.User, fn.MAC.String())
			s.log.Info("provisioning credentials refused", "remote_ip", ip, "user", res.User, "mac", fn.MAC.String(), "reason", d.reason)
		}
		s.auth.Challenge(w, res.Fail == realm.FailStale)
		return d.result
	case ResultUnknownMAC:
		s.emit(event.UnknownMAC, ip, res.User, fn.MAC.String())
		http.Error(w, "not found", http.StatusNotFound)
		return d.result
	case ResultError:
		s.log.Error("render device file", "mac", d.mac.String(), "file", fn.Path(), "err", d.err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return d.result
	}
	s.opts.OnAuth(ip, res.User, d.mac)
	if d.markOwn {
		if err := s.svc.markOwnCredentialsUsed(r.Context(), d.mac); err != nil {
			s.log.Warn("record first use of device credentials", "mac", d.mac.String(), "err", err)
		}
	}
	result := s.write(w, r, d.file, "private, no-cache")
	if d.known && result == ResultNotModified {
		// The audit row says what was answered.
		d.result = ResultNotModified
	}
	return result
}

// decide checks who authenticated against the device the name is for and
// renders the file if they may have it.
func (s *Server) decide(res realm.Result, ip netip.Addr, fn ident.FileName, base string) (d decision) {
	x := s.svc.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	df, known := x.files[base]
	var dev *Device
	if known {
		dev = x.devices[df.mac]
		d.known, d.mac = true, df.mac
	}
	d.result = ResultUnauthorized
	if !res.OK {
		d.reason = string(res.Fail)
		return d
	}
	if mac, ok := x.httpUsers[res.User]; ok {
		if !known || mac != df.mac {
			d.reason = "credentials of another device"
			return d
		}
		d.own, d.markOwn = true, !dev.OwnCredentialsUsed
	} else if tenant, ok := x.bootstrap[res.User]; ok {
		t := x.tenants[tenant]
		switch {
		case !inPrefixes(ip, t.Allow):
			d.reason = "bootstrap credentials from a network the tenant does not allow"
			return d
		case !known:
			d.result, d.tenant = ResultUnknownMAC, tenant
			return d
		case dev.Domain != tenant:
			d.reason = "bootstrap credentials of another tenant"
			return d
		case t.LockBootstrap && dev.OwnCredentialsUsed:
			d.reason = "bootstrap credentials refused: the device uses its own (lock_bootstrap)"
			return d
		}
	} else {
		d.reason = "unknown user"
		return d
	}
	key := df.mac.String() + "/" + base
	f, ok := s.cache.get(key, x.gen)
	if !ok {
		var err error
		f, err = x.renderDevice(dev, df.file)
		if err != nil {
			d.result, d.err = ResultError, err
			return d
		}
		s.cache.put(key, f)
	}
	d.file, d.result = f, ResultOK
	return d
}

// write serves a rendered file, or 304 when the client has it.
func (s *Server) write(w http.ResponseWriter, r *http.Request, f *rendered, cacheControl string) string {
	h := w.Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatch(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return ResultNotModified
	}
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Length", strconv.Itoa(len(f.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.body)
	}
	return ResultOK
}

// etagMatch implements If-None-Match's weak comparison over a list.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func (s *Server) emit(k event.Kind, ip netip.Addr, user, target string) {
	s.opts.Events.Emit(event.Event{Kind: k, Time: s.opts.Now(), Context: "provisioning", RemoteIP: ip, User: user, Target: target})
}

// clientIP is the address the gateway decided for, else the socket peer.
func clientIP(r *http.Request) netip.Addr {
	if info := reqinfo.From(r.Context()); info != nil && info.ClientIP.IsValid() {
		return info.ClientIP
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func hashOf(f *rendered) string {
	if f == nil {
		return ""
	}
	return strings.Trim(f.etag, `"`)
}

// autoCreate adds the device an unknown MAC names when auto-create is on,
// the request comes from its whitelist with a tenant's bootstrap
// credentials (checked by the caller), and its User-Agent names a supported
// model whose device files include the requested name. The User-Agent is
// only a hint: the device gets no lines until an operator binds them, so a
// forged one wins nothing but an empty file with fresh credentials.
func (s *Server) autoCreate(r *http.Request, ip netip.Addr, tenant string, fn ident.FileName) bool {
	st := s.svc.Settings()
	if !st.AutoCreate.Enabled || !inPrefixes(ip, st.AutoCreate.Whitelist) {
		return false
	}
	agent := ident.ParseUserAgent(r.UserAgent())
	v, m, ok := vendors.FindModel(agent.Vendor + "/" + agent.Model)
	if !ok || (agent.MAC != "" && agent.MAC != fn.MAC) {
		return false
	}
	named := false
	for _, f := range v.Files(m.ID, fn.MAC) {
		named = named || f.Device && strings.EqualFold(f.Name, fn.Base)
	}
	if !named {
		return false
	}
	d, err := s.svc.AddDevice(r.Context(), Device{MAC: fn.MAC, Domain: tenant, Model: v.ID() + "/" + m.ID, Label: "auto-created", Lines: []DeviceLine{}})
	if err != nil {
		s.log.Warn("auto-create device", "mac", fn.MAC.String(), "remote_ip", ip, "err", err)
		return false
	}
	s.log.Info("device auto-created", "mac", d.MAC.String(), "remote_ip", ip, "domain", tenant, "model", d.Model)
	return true
}
