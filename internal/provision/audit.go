package provision

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// The audit trail is written in batches off the request path: a request
// only queues its row. A full queue drops rows (and counts them) rather
// than slow the phones down.
const (
	auditQueue     = 8192
	auditBatch     = 512
	auditFlush     = 250 * time.Millisecond
	auditKeep      = 90 * 24 * time.Hour
	auditPruneEach = time.Hour
)

type auditor struct {
	store   Store
	log     *slog.Logger
	queue   chan StoredFetch
	dropped atomic.Int64
}

func newAuditor(st Store, log *slog.Logger) *auditor {
	return &auditor{store: st, log: log, queue: make(chan StoredFetch, auditQueue)}
}

func (a *auditor) record(f StoredFetch) {
	select {
	case a.queue <- f:
	default:
		a.dropped.Add(1)
	}
}

// run writes batches until ctx ends, then what is queued.
func (a *auditor) run(ctx context.Context) {
	t := time.NewTicker(auditFlush)
	defer t.Stop()
	var batch []StoredFetch
	lastPrune := time.Time{}
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		if err := a.store.RecordFetches(ctx, batch); err != nil {
			a.log.Warn("write provisioning audit", "rows", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case f := <-a.queue:
			batch = append(batch, f)
			if len(batch) >= auditBatch {
				flush(ctx)
			}
		case <-t.C:
			flush(ctx)
			if n := a.dropped.Swap(0); n > 0 {
				a.log.Warn("provisioning audit rows dropped: queue full", "rows", n)
			}
			if time.Since(lastPrune) > auditPruneEach {
				lastPrune = time.Now()
				if err := a.store.PruneFetches(ctx, lastPrune.Add(-auditKeep)); err != nil && ctx.Err() == nil {
					a.log.Warn("prune provisioning audit", "err", err)
				}
			}
		case <-ctx.Done():
			for {
				select {
				case f := <-a.queue:
					batch = append(batch, f)
				default:
					flush(context.WithoutCancel(ctx))
					return
				}
			}
		}
	}
}
