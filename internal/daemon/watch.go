package daemon

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/config"
)

// watcher reloads when the configuration file, its security.xml, or a
// listener's certificate files (certdir, keystore) change, so that a
// renewed certificate is served by the next handshake.
// It watches their directories, since editors and config managers replace
// files by renaming; a Kubernetes-style "..data" symlink swap in such a
// directory counts as a change of its files; bursts of events within the
// debounce are one reload; a lost-events overflow reloads too. After each
// reload the list of files is taken again, so a new security_xml path is
// watched from then on.
type watcher struct {
	d *Daemon
	w *fsnotify.Watcher

	mu    sync.Mutex
	files map[string]bool
	dirs  map[string]bool
}

const debounce = 300 * time.Millisecond

func (d *Daemon) watch(ctx context.Context) (io.Closer, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch configuration: %w", err)
	}
	w := &watcher{d: d, w: fw}
	if err := w.arm(); err != nil {
		_ = fw.Close()
		return nil, fmt.Errorf("watch configuration: %w", err)
	}
	d.wg.Go(func() { w.run(ctx) })
	return fw, nil
}

// arm watches the directories of the configuration's files.
func (w *watcher) arm() error {
	files := map[string]bool{}
	dirs := map[string]bool{}
	for _, f := range watchedFiles(w.d.opts.ConfigPath, w.d.cfg.Load()) {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		files[abs] = true
		dir := filepath.Dir(abs)
		if !dirs[dir] {
			if err := w.w.Add(dir); err != nil {
				return err
			}
			dirs[dir] = true
		}
	}
	w.mu.Lock()
	w.files, w.dirs = files, dirs
	w.mu.Unlock()
	return nil
}

// relevant reports whether an event may change the configuration.
func (w *watcher) relevant(ev fsnotify.Event) bool {
	if ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) == 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.files[ev.Name] || strings.HasPrefix(filepath.Base(ev.Name), "..") && w.dirs[filepath.Dir(ev.Name)]
}

func (w *watcher) run(ctx context.Context) {
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			if w.relevant(ev) {
				timer = time.After(debounce)
			}
		case err, ok := <-w.w.Errors:
			if !ok {
				return
			}
			w.d.log.Warn("watch configuration; reloading in case a change was missed", "component", "config", "err", err)
			timer = time.After(debounce)
		case <-timer:
			timer = nil
			if err := w.d.Reload(ctx); err == nil {
				if err := w.arm(); err != nil {
					w.d.log.Warn("watch configuration", "component", "config", "err", err)
				}
			}
		}
	}
}

// watchedFiles lists the files whose change reloads the configuration.
func watchedFiles(configPath string, cfg *config.Config) []string {
	files := append([]string{configPath}, cfg.Files()...)
	for _, l := range cfg.Listeners {
		switch {
		case l.CertDir != "":
			files = append(files, filepath.Join(l.CertDir, certs.KeyFile), filepath.Join(l.CertDir, certs.CertFile))
		case l.Keystore.File != "":
			files = append(files, l.Keystore.File)
		}
	}
	return files
}
