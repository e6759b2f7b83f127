package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/pbxgate/pbxgate/internal/alarm"
	"github.com/pbxgate/pbxgate/internal/config"
)

// AlarmReloadFailed is the system_state alarm raised while the last reload
// was refused.
const AlarmReloadFailed = "config_reload_failed"

// Reload reads the configuration again and, if every part of it is valid,
// swaps it in. On error the running configuration stays, untouched.
func (d *Daemon) Reload(ctx context.Context) error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	if d.gw == nil {
		return errors.New("reload: the daemon is not started")
	}
	cur := d.cfg.Load()
	err := d.reload(cur)
	source := cur.Source
	if source == "" {
		source = "embedded defaults"
	}
	if err != nil {
		d.metrics.reloads.WithLabelValues("failure").Inc()
		d.metrics.lastReloadOK.Set(0)
		d.alarms.Raise(AlarmReloadFailed, source, err.Error(), alarm.Critical)
		d.log.Error("reload refused; the running configuration stays", "component", "config",
			"source", source, "err", oneLine(err))
		return err
	}
	d.metrics.reloads.WithLabelValues("success").Inc()
	d.metrics.lastReloadOK.Set(1)
	d.alarms.Clear(AlarmReloadFailed, source)
	d.log.Info("configuration reloaded", "component", "config", "source", source, "generation", d.generation.Load())
	return nil
}

func (d *Daemon) reload(cur *config.Config) error {
	next, err := d.loadConfig()
	if err != nil {
		return err
	}
	fixed := immutable(cur, next)
	b, err := d.build(next)
	if err != nil || len(fixed) > 0 {
		if b != nil {
			b.snap.Retire()
		}
		var all config.Errors
		if !errors.As(err, &all) && err != nil {
			return err
		}
		return next.Report(append(fixed, all...))
	}
	d.install(next, b)
	if next.MasterDomain != cur.MasterDomain {
		ctx := context.Background()
		if err := d.useMaster(ctx, next.MasterDomain); err != nil {
			return err
		}
		if err := d.rebuildCertificates(ctx); err != nil {
			return err
		}
	}
	return nil
}

// immutable names the settings that differ between cur and next but cannot
// change while running.
func immutable(cur, next *config.Config) config.Errors {
	var errs config.Errors
	restart := func(path, format string, args ...any) {
		errs = append(errs, next.Errorf(path, format+" cannot change while running; restart pbxgate", args...))
	}
	if cur.DataDir != next.DataDir {
		restart("data_dir", "data_dir")
	}
	if cur.Database != next.Database {
		restart("database", "database")
	}
	if cur.Log.Format != next.Log.Format {
		restart("log.format", "log.format")
	}
	// The http.Server of each listener holds these from start.
	if cur.HTTP.ReadHeaderTimeout != next.HTTP.ReadHeaderTimeout {
		restart("http.read_header_timeout", "http.read_header_timeout")
	}
	if cur.HTTP.IdleTimeout != next.HTTP.IdleTimeout {
		restart("http.idle_timeout", "http.idle_timeout")
	}
	if cur.HTTP.MaxHeaderBytes != next.HTTP.MaxHeaderBytes {
		restart("http.max_header_bytes", "http.max_header_bytes")
	}
	if len(cur.Listeners) != len(next.Listeners) {
		restart("listeners", "the set of listeners")
	} else {
		for i, c := range cur.Listeners {
			n := next.Listeners[i]
			p := fmt.Sprintf("listeners[%d]", i)
			if c.Name != n.Name {
				restart(p+".name", "the listener name")
			}
			if c.Address != n.Address {
				restart(p+".address", "the address of listener %q", c.Name)
			}
			if c.TLS != n.TLS {
				restart(p+".tls", "tls of listener %q", c.Name)
			}
		}
	}
	return errs
}

func (d *Daemon) applyLogLevel(cfg *config.Config) {
	if d.opts.LogLevel == nil {
		return
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(cfg.Log.Level)); err == nil {
		d.opts.LogLevel.Set(l)
	}
}

// oneLine joins a multi-line error for a single log line.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
