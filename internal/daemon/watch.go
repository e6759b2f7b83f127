package daemon

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watch reloads when the configuration file or its security.xml changes.
// It watches their directories, since editors and config managers replace
// files by renaming; bursts of events within debounce are one reload.
func (d *Daemon) watch(ctx context.Context) (io.Closer, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch configuration: %w", err)
	}
	files := map[string]bool{}
	add := func(path string) error {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		files[abs] = true
		return w.Add(filepath.Dir(abs))
	}
	for _, f := range append([]string{d.opts.ConfigPath}, d.cfg.Load().Files()...) {
		if err := add(f); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("watch configuration: %w", err)
		}
	}
	const debounce = 300 * time.Millisecond
	d.wg.Go(func() {
		var timer <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if files[ev.Name] && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
					timer = time.After(debounce)
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				d.log.Warn("watch configuration", "component", "config", "err", err)
			case <-timer:
				timer = nil
				_ = d.Reload(ctx)
			}
		}
	})
	return w, nil
}
