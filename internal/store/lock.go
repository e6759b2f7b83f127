package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Named locks, [DB.TryLock]: the contract is in the package documentation
// ("Lock contract") and the reasons in docs/design/storage.md.

var (
	// ErrTooManyLocks is returned, wrapped, by TryLock when the DB already
	// holds MaxLocks locks.
	ErrTooManyLocks = errors.New("too many locks held")
	// errClosed is returned, wrapped, by TryLock after Close.
	errClosed = errors.New("store is closed")
)

// MaxLocks is the number of locks one DB holds at once. On PostgreSQL each
// held lock keeps one of the pool's eight connections to itself; the cap
// leaves the other half to the queries that lock holders run, which could
// otherwise wait forever for a connection that only an unlock would free.
// SQLite has the same cap so that both backends behave the same.
const MaxLocks = pgMaxOpen / 2

// unlockTimeout bounds an unlock. It runs on a context of its own so that a
// lock is released even after the caller's context is cancelled.
const unlockTimeout = 5 * time.Second

// lockSet is the locks a DB holds, so that TryLock keeps to MaxLocks and
// Close releases what is still held.
type lockSet struct {
	mu     sync.Mutex
	held   map[*heldLock]struct{}
	closed bool
}

// heldLock is one lock taken by TryLock.
type heldLock struct {
	name    string
	once    sync.Once
	release func(ctx context.Context) error
}

// TryLock takes the lock called name if no one (this process or another
// sharing the database) holds it, and returns a function that releases it. ok
// is false, with a nil error, when someone else holds it.
//
// name must be non-empty valid UTF-8 without NUL bytes, at most 1024 bytes
// long; ttl must be at least a microsecond, the store's time precision. ttl
// bounds the lease on SQLite, where the lock of a process that crashed comes
// free when it runs out; on PostgreSQL the lock is held until it is released
// or its connection ends, and ttl is only checked. The package
// documentation ("Lock contract") says more.
//
// unlock may be called more than once and from any goroutine; calls after
// the first do nothing. It works after ctx is cancelled, waits at most a few
// seconds, and logs what it could not do. Close releases the locks still
// held. A DB holds at most [MaxLocks] locks at once; beyond that TryLock
// fails with an error wrapping [ErrTooManyLocks].
func (db *DB) TryLock(ctx context.Context, name string, ttl time.Duration) (unlock func(), ok bool, err error) {
	if err := checkLock(name, ttl); err != nil {
		return nil, false, fmt.Errorf("lock: %w", err)
	}
	if err := db.locks.check(); err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	var release func(context.Context) error
	if db.dialect == DialectPostgres {
		release, ok, err = db.tryAdvisoryLock(ctx, name)
	} else {
		release, ok, err = db.tryLease(ctx, name, ttl)
	}
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		return nil, false, nil
	}
	h := &heldLock{name: name, release: release}
	if err := db.locks.add(h); err != nil {
		// Close ran, or other calls took the last places, while this one
		// was taking the lock: give it back.
		db.unlock(h)
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() { db.unlock(h) }, true, nil
}

// unlock releases h once, on a context of its own.
func (db *DB) unlock(h *heldLock) {
	h.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
		defer cancel()
		if err := h.release(ctx); err != nil {
			db.log.Warn("release lock", "lock", h.name, "err", err)
		}
		db.locks.remove(h)
	})
}

// releaseLocks releases every lock still held and makes later TryLock calls
// fail; Close calls it before closing the connections.
func (db *DB) releaseLocks() {
	for _, h := range db.locks.close() {
		db.unlock(h)
	}
}

// check fails when TryLock would fail in add whatever the database says,
// before the database is asked.
func (s *lockSet) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.full()
}

func (s *lockSet) add(h *heldLock) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.full(); err != nil {
		return err
	}
	if s.held == nil {
		s.held = make(map[*heldLock]struct{})
	}
	s.held[h] = struct{}{}
	return nil
}

// full is called with s.mu held.
func (s *lockSet) full() error {
	switch {
	case s.closed:
		return errClosed
	case len(s.held) >= MaxLocks:
		return fmt.Errorf("%w: this store holds %d, the most it may", ErrTooManyLocks, len(s.held))
	}
	return nil
}

// close marks s closed and returns the locks it held.
func (s *lockSet) close() []*heldLock {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	held := make([]*heldLock, 0, len(s.held))
	for h := range s.held {
		held = append(held, h)
	}
	return held
}

func (s *lockSet) remove(h *heldLock) {
	s.mu.Lock()
	delete(s.held, h)
	s.mu.Unlock()
}

// tryLease takes the SQLite lease on name, in one write transaction.
func (db *DB) tryLease(ctx context.Context, name string, ttl time.Duration) (release func(context.Context) error, ok bool, err error) {
	holder := rand.Text()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		// Read the clock once the transaction holds the write lock, not
		// before waiting for it.
		now := db.timestamp()
		var got string
		return tx.QueryRowContext(ctx, db.q.leaseTake,
			name, holder, db.timeArg(now.Add(ttl)), db.timeArg(now)).Scan(&got)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil // a live lease of another holder
	}
	if err != nil {
		return nil, false, err
	}
	release = func(ctx context.Context) error {
		return db.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, db.q.leaseRelease, name, holder)
			return err
		})
	}
	return release, true, nil
}

// tryAdvisoryLock takes the PostgreSQL advisory lock on name with a
// connection of its own, and keeps that connection until release.
//
// The key is hashtextextended (PostgreSQL's 64-bit text hash, also behind
// hash partitioning) of the connection's schema and name, computed by the
// server: every node asks the same server, so all agree on the key, and the
// server knows the schema the store lives in. The query returns the key, so
// release names the same lock whatever happens to the session in between.
func (db *DB) tryAdvisoryLock(ctx context.Context, name string) (release func(context.Context) error, ok bool, err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	var key int64
	if err := conn.QueryRowContext(ctx, db.q.advisoryTake, name).Scan(&key, &ok); err != nil {
		// The server may have taken the lock before the error (a
		// cancelled context, a lost reply): end the session, which
		// frees it, rather than pool a connection that holds it.
		discard(conn)
		return nil, false, err
	}
	if !ok {
		_ = conn.Close() // back to the pool: it holds no lock
		return nil, false, nil
	}
	release = func(ctx context.Context) error {
		var released bool
		err := conn.QueryRowContext(ctx, db.q.advisoryFree, key).Scan(&released)
		if err == nil && !released {
			err = errors.New("the session no longer held it")
		}
		if err != nil {
			// Never pool a connection that may still hold the lock: a
			// later TryLock on it would take the lock again, since
			// advisory locks stack within a session.
			discard(conn)
			return fmt.Errorf("pg_advisory_unlock: %w (connection closed, which frees the lock)", err)
		}
		return conn.Close()
	}
	return release, true, nil
}

// discard closes conn instead of returning it to the pool. Ending the session
// frees every advisory lock it holds.
func discard(conn *sql.Conn) {
	// A Raw function that returns driver.ErrBadConn makes database/sql
	// close the connection; Close after it only reports ErrConnDone.
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}

func checkLock(name string, ttl time.Duration) error {
	if err := checkText("name", name, maxKeyLen, true); err != nil {
		return err
	}
	switch {
	case ttl <= 0:
		return fmt.Errorf("ttl %v is not positive", ttl)
	case ttl < time.Microsecond:
		return fmt.Errorf("ttl %v is shorter than a microsecond, the store's time precision", ttl)
	}
	return nil
}
