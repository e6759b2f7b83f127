package files

import (
	"encoding/json"
	"net/http"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// listing is the JSON answer for a directory.
type listing struct {
	// Path is the directory relative to the prefix, with a leading and a
	// trailing slash ("/" for the root).
	Path    string  `json:"path"`
	Entries []entry `json:"entries"`
}

type entry struct {
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	Modified string `json:"modified"`
	Dir      bool   `json:"dir"`
	Type     string `json:"type"`
}

// serveDir lists the directory f, opened as name under the root.
func (s *Server) serveDir(w http.ResponseWriter, r *http.Request, name string, f *os.File) {
	des, err := f.ReadDir(-1)
	if err != nil {
		s.log.Warn("read directory", "remote_ip", clientIP(r), "error", err)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	l := listing{Path: "/", Entries: make([]entry, 0, len(des))}
	if name != "" {
		l.Path = "/" + name + "/"
	}
	for _, de := range des {
		n := de.Name()
		if strings.HasPrefix(n, ".") || !servableName(n) {
			continue
		}
		// Stat through the root follows links that stay inside it and
		// fails for those that leave it: they are not listed.
		fi, err := s.root.Stat(path.Join(name, n))
		if err != nil {
			continue
		}
		e := entry{Name: n, Modified: fi.ModTime().UTC().Format(time.RFC3339)}
		switch {
		case fi.IsDir():
			e.Dir, e.Type = true, dirType
		case fi.Mode().IsRegular():
			e.Size, e.Type = fi.Size(), contentType(n)
		default:
			continue
		}
		l.Entries = append(l.Entries, e)
	}
	slices.SortFunc(l.Entries, func(a, b entry) int { return strings.Compare(a.Name, b.Name) })
	body, err := json.Marshal(l)
	if err != nil {
		s.log.Error("encode listing", "error", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
