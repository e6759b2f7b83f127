package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// Config configures one file server.
type Config struct {
	// Context is the security context served ("voicemail" or "recording");
	// it names the events and log lines.
	Context string
	// Root is the directory served. It must exist and be a directory.
	Root string
	// Prefix is the URL path the server is mounted at, with a leading and a
	// trailing slash, e.g. "/voicemail/".
	Prefix string
	// Events receives security events; nil drops them.
	Events event.Sink
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
	// Now is the clock stamped on events; nil means time.Now.
	Now func() time.Time
}

// cacheControl is on every answer: voicemail is personal data.
const cacheControl = "private, no-store"

// Server serves one directory tree. It is safe for concurrent use.
type Server struct {
	context string
	prefix  string
	root    *os.Root
	events  event.Sink
	log     *slog.Logger
	now     func() time.Time
}

// New checks cfg and opens its root directory.
func New(cfg Config) (*Server, error) {
	if cfg.Context == "" {
		return nil, errors.New("files: context is empty")
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("files: prefix %q must start and end with a slash", cfg.Prefix)
	}
	if cfg.Root == "" {
		return nil, errors.New("files: root is empty")
	}
	fi, err := os.Stat(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("files: root: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("files: root %q is not a directory", cfg.Root)
	}
	root, err := os.OpenRoot(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("files: open root: %w", err)
	}
	s := &Server{
		context: cfg.Context,
		prefix:  cfg.Prefix,
		root:    root,
		events:  cfg.Events,
		log:     cfg.Log,
		now:     cfg.Now,
	}
	if s.events == nil {
		s.events = event.Discard
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "files", "context", cfg.Context)
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Close releases the root directory. Requests served after Close fail.
func (s *Server) Close() error {
	return s.root.Close()
}

// ServeHTTP answers GET and HEAD for files and folders under the prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	raw := rawPath(r)
	rel, ok := s.relative(raw)
	if !ok {
		s.notFound(w, r, raw)
		return
	}
	name, trailingSlash, err := cleanPath(rel)
	switch {
	case errors.Is(err, errHidden):
		s.notFound(w, r, raw)
		return
	case err != nil:
		s.emit(r, event.Traversal, raw)
		s.log.Debug("path refused", "remote_ip", clientIP(r), "path", truncate(raw))
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.serve(w, r, raw, name, trailingSlash)
}

// rawPath is the request path as the client sent it, still escaped: the
// request target of a server request, else the URL's escaped path.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	return r.URL.EscapedPath()
}

// relative strips the prefix from raw; the prefix without its trailing slash
// names the root.
func (s *Server) relative(raw string) (string, bool) {
	if rest, ok := strings.CutPrefix(raw, s.prefix); ok {
		return rest, true
	}
	if raw == strings.TrimSuffix(s.prefix, "/") {
		return "", true
	}
	return "", false
}

// serve opens name under the root and answers with the file or the listing.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, raw, name string, trailingSlash bool) {
	openName := name
	if openName == "" {
		openName = "."
	}
	// O_NONBLOCK: opening a FIFO must not wait for a writer. It changes
	// nothing for regular files and directories.
	f, err := s.root.OpenFile(openName, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		s.openFailed(w, r, raw, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.openFailed(w, r, raw, err)
		return
	}
	switch {
	case fi.IsDir():
		s.serveDir(w, r, name, f)
	case fi.Mode().IsRegular() && !trailingSlash:
		w.Header().Set("Content-Type", contentType(name))
		http.ServeContent(&noStoreWriter{ResponseWriter: w}, r, path.Base(name), fi.ModTime(), f)
	default:
		s.notFound(w, r, raw)
	}
}

// openFailed maps an error from the root to an answer that does not tell why.
func (s *Server) openFailed(w http.ResponseWriter, r *http.Request, raw string, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ENAMETOOLONG):
		// Ordinary misses: nothing for the operator to see.
	case errors.Is(err, fs.ErrPermission):
		s.log.Warn("file not readable", "remote_ip", clientIP(r), "error", err)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	default:
		// A symbolic link leading out of the root, a loop, an I/O error.
		s.log.Warn("open refused", "remote_ip", clientIP(r), "error", err)
	}
	s.notFound(w, r, raw)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, raw string) {
	s.emit(r, event.NotFound, raw)
	http.Error(w, "not found", http.StatusNotFound)
}

// noStoreWriter sets Cache-Control again just before the status goes out:
// ServeContent deletes it on its error answers (416, 412), and no answer of
// this package may be cached.
type noStoreWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *noStoreWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.Header().Set("Cache-Control", cacheControl)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *noStoreWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps the underlying writer's sendfile path.
func (w *noStoreWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *noStoreWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
