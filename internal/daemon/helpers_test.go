package daemon

import (
	"log/slog"
	"time"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func nowFunc() func() time.Time { return time.Now }
