package daemon

import (
	"log/slog"
	"time"

	"github.com/pbxgate/pbxgate/internal/config"
)

// CheckConfig loads path and checks it as a reload would, without binding
// anything or touching the data directory: structure, IP entries, password
// forms, file server roots, upstream URLs and listener certificates. The
// error lists every problem found.
func CheckConfig(path string) (*config.Config, error) {
	cfg, err := loadRaw(path, "")
	if err != nil {
		return nil, err
	}
	d := &Daemon{checkOnly: true, log: slog.New(slog.DiscardHandler), now: time.Now, adminPW: "generated-at-start"}
	b, err := d.build(cfg)
	if err != nil {
		return nil, err
	}
	b.snap.Retire()
	return cfg, nil
}
