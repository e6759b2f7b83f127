// Package sessions keeps the table of live connections that
// GET /api/v1/sessions shows: which listener, which peer, since when, how many
// bytes, and which security context and user its last request had.
//
// The listener wraps every accepted connection with [Registry.Track]; the
// connection leaves the table when it is closed.
package sessions

import (
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Registry is the table of live connections. It is safe for concurrent use.
type Registry struct {
	now  func() time.Time
	next atomic.Uint64

	mu    sync.Mutex
	conns map[uint64]*Session
}

// New returns an empty Registry; now may be nil (time.Now).
func New(now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{now: now, conns: make(map[uint64]*Session)}
}

// Session is one live connection.
type Session struct {
	id       uint64
	listener string
	remote   netip.AddrPort
	since    time.Time
	tls      bool

	in, out atomic.Int64

	mu      sync.Mutex
	context string
	user    string
}

// Snapshot is what the API shows of a session.
type Snapshot struct {
	ID       uint64    `json:"id"`
	Listener string    `json:"listener"`
	Context  string    `json:"context"`
	Remote   string    `json:"remote_address"`
	User     string    `json:"user"`
	Since    time.Time `json:"since"`
	TLS      bool      `json:"tls"`
	BytesIn  int64     `json:"bytes_in"`
	BytesOut int64     `json:"bytes_out"`
}

// SetRequest records the security context and user of the latest request
// seen on the session.
func (s *Session) SetRequest(context, user string) {
	s.mu.Lock()
	s.context, s.user = context, user
	s.mu.Unlock()
}

func (s *Session) snapshot() Snapshot {
	s.mu.Lock()
	ctx, user := s.context, s.user
	s.mu.Unlock()
	return Snapshot{
		ID: s.id, Listener: s.listener, Context: ctx, Remote: s.remote.String(), User: user,
		Since: s.since.UTC(), TLS: s.tls, BytesIn: s.in.Load(), BytesOut: s.out.Load(),
	}
}

// Track registers c and returns a connection that counts its bytes and
// leaves the table when closed.
func (r *Registry) Track(c net.Conn, listener string, tls bool) *Conn {
	var remote netip.AddrPort
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		remote = ta.AddrPort()
	}
	s := &Session{id: r.next.Add(1), listener: listener, remote: remote, since: r.now(), tls: tls}
	r.mu.Lock()
	r.conns[s.id] = s
	r.mu.Unlock()
	return &Conn{Conn: c, s: s, r: r}
}

// List returns every live session, oldest first.
func (r *Registry) List() []Snapshot {
	r.mu.Lock()
	out := make([]Snapshot, 0, len(r.conns))
	for _, s := range r.conns {
		out = append(out, s.snapshot())
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b Snapshot) int { return int(a.ID - b.ID) })
	return out
}

// Len reports the number of live sessions.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns)
}

// Conn is a tracked connection.
type Conn struct {
	net.Conn
	s      *Session
	r      *Registry
	closed atomic.Bool
}

// Session returns the session of the connection.
func (c *Conn) Session() *Session { return c.s }

// Read counts the bytes read.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.s.in.Add(int64(n))
	return n, err
}

// Write counts the bytes written.
func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.s.out.Add(int64(n))
	return n, err
}

// Close closes the connection and removes its session from the table.
func (c *Conn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.r.mu.Lock()
		delete(c.r.conns, c.s.id)
		c.r.mu.Unlock()
	}
	return c.Conn.Close()
}

// FromConn finds the session of a connection made by Track, looking through
// a *tls.Conn. It returns nil for other connections.
func FromConn(c net.Conn) *Session {
	for c != nil {
		switch v := c.(type) {
		case *Conn:
			return v.s
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}
