// Package ctl is the local control socket through which `pbxgate reload`
// reaches a running daemon: a unix socket in the data directory, mode 0600,
// that answers only peers running as the daemon's own user or root (checked
// with SO_PEERCRED). One line in (a command), one JSON document out.
package ctl

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// SocketName is the socket's file name in the data directory.
const SocketName = "pbxgate.sock"

// Reply is the answer to one command.
type Reply struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Message is a human-readable success message.
	Message string `json:"message,omitempty"`
}

// Handler runs one command.
type Handler func(ctx context.Context, args []string) (message string, err error)

// Server serves the control socket.
type Server struct {
	path     string
	handlers map[string]Handler
	log      *slog.Logger
	ln       net.Listener
	wg       sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// NewServer returns a server for the socket in dataDir; nothing is bound yet.
func NewServer(dataDir string, handlers map[string]Handler, log *slog.Logger) *Server {
	return &Server{
		path: filepath.Join(dataDir, SocketName), handlers: handlers,
		log: log.With("component", "ctl"), conns: map[net.Conn]struct{}{},
	}
}

// Start binds the socket, replacing a stale socket left by a previous run
// but nothing else, and serves it until Close.
func (s *Server) Start() error {
	if fi, err := os.Lstat(s.path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return fmt.Errorf("control socket %s: exists and is not a socket", s.path)
		}
		d := net.Dialer{Timeout: time.Second}
		if c, err := d.DialContext(context.Background(), "unix", s.path); err == nil {
			_ = c.Close()
			return fmt.Errorf("control socket %s: another pbxgate is running on this data directory", s.path)
		}
		if err := os.Remove(s.path); err != nil {
			return fmt.Errorf("control socket: %w", err)
		}
	}
	old := syscall.Umask(0o177)
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "unix", s.path)
	syscall.Umask(old)
	if err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	s.ln = ln
	s.wg.Go(s.serve)
	return nil
}

// Close stops the server, drops the clients that have not sent their
// command yet, waits for commands running, and removes the socket.
func (s *Server) Close() error {
	if s.ln == nil {
		return nil
	}
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.SetReadDeadline(time.Now())
	}
	s.conns = nil
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// track registers a connection so that Close can cut its read short; it
// reports false once the server is closing.
func (s *Server) track(c net.Conn, on bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		return false
	}
	if on {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	return true
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Go(func() { s.handle(c.(*net.UnixConn)) })
	}
}

func (s *Server) handle(c *net.UnixConn) {
	defer func() { _ = c.Close() }()
	if !s.track(c, true) {
		return
	}
	defer s.track(c, false)
	// The command line must come at once; running it (a reload) may take
	// longer.
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_ = c.SetWriteDeadline(time.Now().Add(2 * time.Minute))
	if err := checkPeer(c); err != nil {
		s.log.Warn("control socket peer refused", "err", err)
		_ = json.NewEncoder(c).Encode(Reply{Error: "permission denied"})
		return
	}
	line, err := bufio.NewReader(&limited{c, 4096}).ReadString('\n')
	if err != nil && line == "" {
		return
	}
	fields := strings.Fields(line)
	var rep Reply
	switch h, ok := s.handlers[first(fields)]; {
	case len(fields) == 0 || !ok:
		rep.Error = fmt.Sprintf("unknown command %q", first(fields))
	default:
		msg, err := h(context.Background(), fields[1:])
		if err != nil {
			rep.Error = err.Error()
		} else {
			rep.OK, rep.Message = true, msg
		}
	}
	_ = json.NewEncoder(c).Encode(rep)
}

func first(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// checkPeer admits root and the daemon's own user.
func checkPeer(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return credErr
	}
	return allowed(int(cred.Uid), os.Geteuid())
}

// allowed admits root and the daemon's own user.
func allowed(peer, self int) error {
	if peer != 0 && peer != self {
		return fmt.Errorf("uid %d is neither root nor the daemon's user", peer)
	}
	return nil
}

type limited struct {
	c net.Conn
	n int
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("command too long")
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.c.Read(p)
	l.n -= n
	return n, err
}

// Call sends one command to the daemon of dataDir and returns its reply.
func Call(ctx context.Context, dataDir string, command ...string) (Reply, error) {
	var d net.Dialer
	path := filepath.Join(dataDir, SocketName)
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return Reply{}, fmt.Errorf("no pbxgate running on data directory %s: %w", dataDir, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	if _, err := fmt.Fprintln(c, strings.Join(command, " ")); err != nil {
		return Reply{}, err
	}
	var rep Reply
	if err := json.NewDecoder(c).Decode(&rep); err != nil {
		return Reply{}, fmt.Errorf("read reply: %w", err)
	}
	return rep, nil
}
