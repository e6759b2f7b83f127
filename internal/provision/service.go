package provision

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Domains is what the service asks of the domain tree.
type Domains interface {
	// Exists tells whether the domain is in the tree.
	Exists(ctx context.Context, name string) (bool, error)
}

// Options configure a Service.
type Options struct {
	Store   Store
	Domains Domains
	// Master is the master domain: "All (Global)" for templates and IP/DNS
	// mappings, never a device's tenant.
	Master string
	Log    *slog.Logger
	Now    func() time.Time
}

// Service keeps the provisioning model: it validates every write, stores
// it, and keeps the in-memory index the file server answers from.
type Service struct {
	opts Options
	log  *slog.Logger
	idx  *index
	// wmu serialises this process's writes, so that their revisions
	// reach the index in order and each applies alone; only a write of
	// another process (or node) in between makes the index reload.
	wmu sync.Mutex
	// lmu serialises full reloads.
	lmu sync.Mutex
}

// NewService returns the service; it reads nothing until Load.
func NewService(opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{opts: opts, log: opts.Log.With("component", "provisioning"), idx: newIndex(opts.Master)}
}

// Load reads the whole model from the store into the index if the store's
// revision moved since the last load (or always, with force).
func (s *Service) Load(ctx context.Context, force bool) error {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	rev, err := s.opts.Store.Revision(ctx)
	if err != nil {
		return fmt.Errorf("provisioning revision: %w", err)
	}
	if !force && rev == s.idx.revision() {
		return nil
	}
	items, err := s.opts.Store.List(ctx, "")
	if err != nil {
		return fmt.Errorf("load provisioning: %w", err)
	}
	n := newIndex(s.opts.Master)
	for _, it := range items {
		if err := n.load(it); err != nil {
			// One bad row must not take the server down: it is logged and
			// left out.
			s.log.Error("skip unreadable provisioning item", "key", it.Key, "err", err)
		}
	}
	s.idx.replace(n, rev)
	return nil
}

// changed records a local write: the index takes it at once when it is the
// next revision, else reloads in full.
func (s *Service) changed(ctx context.Context, apply func(*index)) error {
	return s.changedFiles(ctx, apply, true)
}

// changedFiles is changed for a write that may (files) or may not change
// what the phones' files hold.
func (s *Service) changedFiles(ctx context.Context, apply func(*index), files bool) error {
	rev, err := s.opts.Store.Bump(ctx)
	if err != nil {
		return fmt.Errorf("bump provisioning revision: %w", err)
	}
	if s.idx.applyIfNext(rev, apply, files) {
		return nil
	}
	return s.Load(ctx, false)
}

// get reads and decodes one item; version 0 when absent.
func (s *Service) get(ctx context.Context, key string, v any) (int64, error) {
	raw, ver, err := s.opts.Store.Get(ctx, key)
	if err != nil || ver == 0 {
		return ver, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return 0, fmt.Errorf("decode %s: %w", key, err)
	}
	return ver, nil
}

// put encodes and writes v at key if it is still at version.
func (s *Service) put(ctx context.Context, key string, version int64, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, ok, err := s.opts.Store.CompareAndSwap(ctx, key, version, raw)
	switch {
	case err != nil:
		return err
	case !ok && version == 0:
		return ErrExists
	case !ok:
		return ErrConflict
	}
	return nil
}

// checkDomain fails unless name is a domain of the tree; tenant also
// refuses the master domain.
func (s *Service) checkDomain(ctx context.Context, errs *FieldErrors, field, name string, tenant bool) {
	if name == "" {
		errs.add(field, "required")
		return
	}
	if tenant && name == s.opts.Master {
		errs.add(field, "%q is the master domain (All (Global)); this belongs to a tenant", name)
		return
	}
	ok, err := s.opts.Domains.Exists(ctx, name)
	if err != nil {
		errs.add(field, "cannot be checked now")
		return
	}
	if !ok {
		errs.add(field, "%q is not a domain of the tree", name)
	}
}

// secretAlphabet has no look-alike characters, for passwords typed on a
// phone's keypad when need be.
const secretAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewSecret returns n random characters of secretAlphabet.
func NewSecret(n int) string {
	// Rejection sampling keeps every character equally likely: bytes at
	// or above the largest multiple of the alphabet's size are drawn again.
	limit := 256 - 256%len(secretAlphabet)
	var sb strings.Builder
	sb.Grow(n)
	buf := make([]byte, 2*n)
	for sb.Len() < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && sb.Len() < n {
				sb.WriteByte(secretAlphabet[int(b)%len(secretAlphabet)])
			}
		}
	}
	return sb.String()
}

// wrapStore marks an error of the store for the API (500, cause logged).
func wrapStore(op string, err error) error {
	if err == nil || errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) || errors.Is(err, ErrConflict) || errors.Is(err, ErrInUse) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
