package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// The brute-force guard's bans (table bans, migration 0005), shared by the
// nodes: the node that bans an address writes the ban here, the others poll
// BansRevision and read Bans again when it moved.
//
// The revision is a one-row counter (table bans_revision), as
// domains_revision is for the domain tree, rather than the version of a kv
// item: a kv version starts over at 1 when its item is deleted and created
// again, while the counter only grows, and reading it is one primary-key
// lookup. Every write bumps the counter first, in its own transaction, so
// the counter and the rows it counts commit together. A delete or prune that
// finds nothing to delete rolls back, bump included: the counter moves
// exactly when the bans change. Bumping first also takes the counter row's
// lock on PostgreSQL before any ban row's, which serialises the writes to
// bans across nodes (as SQLite's single writer does) and keeps the lock
// order the same in every write, so two writers never deadlock.

// Ban is the ban of one address.
type Ban struct {
	// IP is the banned address. PutBan accepts any form netip.ParseAddr
	// does and stores the canonical one: netip.Addr.String() of the
	// unmapped address without zone ("::FFFF:192.0.2.1" is "192.0.2.1").
	IP string
	// Since is when the ban began and Until when it ends; it is in force
	// while now is before Until. They are returned in UTC at microsecond
	// precision.
	Since, Until time.Time
	// Reason is cut to 256 bytes of valid UTF-8 without NUL, as it may
	// hold what a client sent.
	Reason string
	// Count is how many times IP has been banned, this ban included.
	Count int
	// Manual is true for a ban an operator made, false for the guard's.
	Manual bool
	// Node is the ID of the node that made the ban.
	Node string
}

// maxBanReasonLen bounds Ban.Reason, in bytes; longer reasons are cut.
const maxBanReasonLen = 256

// errUnchanged makes a write that found nothing to change roll back, so
// that it leaves the revision as it was.
var errUnchanged = errors.New("nothing changed")

const banColumns = `ip, since_time, until_time, reason, count, manual, node`

// PutBan stores b, replacing the ban of the same address if there is one,
// and bumps the bans revision.
func (db *DB) PutBan(ctx context.Context, b Ban) error {
	ip, err := banIP(b.IP)
	if err != nil {
		return fmt.Errorf("put ban: %w", err)
	}
	if err := checkBan(b); err != nil {
		return fmt.Errorf("put ban %s: %w", ip, err)
	}
	q := db.bind(`INSERT INTO bans (` + banColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ip) DO UPDATE
		SET since_time = excluded.since_time, until_time = excluded.until_time, reason = excluded.reason,
			count = excluded.count, manual = excluded.manual, node = excluded.node`)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.bumpBans(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, q, ip, db.timeArg(b.Since), db.timeArg(b.Until),
			cut(b.Reason, maxBanReasonLen), b.Count, b.Manual, b.Node)
		return err
	})
	if err != nil {
		return fmt.Errorf("put ban %s: %w", ip, err)
	}
	return nil
}

// DeleteBan deletes the ban of ip, in any form PutBan accepts, and reports
// whether there was one. Only a delete that deletes bumps the revision.
func (db *DB) DeleteBan(ctx context.Context, ip string) (bool, error) {
	addr, err := banIP(ip)
	if err != nil {
		return false, fmt.Errorf("delete ban: %w", err)
	}
	n, err := db.deleteBans(ctx, `DELETE FROM bans WHERE ip = ?`, addr)
	if err != nil {
		return false, fmt.Errorf("delete ban %s: %w", addr, err)
	}
	return n > 0, nil
}

// Bans returns the bans in force at now, those whose Until is after now,
// sorted by address: IPv4 before IPv6, each in numeric order.
func (db *DB) Bans(ctx context.Context, now time.Time) ([]Ban, error) {
	q := db.bind(`SELECT ` + banColumns + ` FROM bans WHERE until_time > ?`)
	rows, err := db.read.QueryContext(ctx, q, db.timeArg(now))
	if err != nil {
		return nil, fmt.Errorf("list bans: %w", err)
	}
	defer rows.Close()
	var (
		bans  []Ban
		addrs = map[string]netip.Addr{}
	)
	for rows.Next() {
		var b Ban
		if err := rows.Scan(&b.IP, timeScan{&b.Since}, timeScan{&b.Until}, &b.Reason, &b.Count, &b.Manual, &b.Node); err != nil {
			return nil, fmt.Errorf("list bans: %w", err)
		}
		a, err := netip.ParseAddr(b.IP)
		if err != nil { // only raw SQL can write one
			return nil, fmt.Errorf("list bans: stored ip: %w", err)
		}
		addrs[b.IP] = a
		bans = append(bans, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list bans: %w", err)
	}
	slices.SortFunc(bans, func(x, y Ban) int { return addrs[x.IP].Compare(addrs[y.IP]) })
	return bans, nil
}

// PruneBans deletes the bans that ended before before, and returns how
// many. It bumps the revision when it deletes any.
func (db *DB) PruneBans(ctx context.Context, before time.Time) (int64, error) {
	n, err := db.deleteBans(ctx, `DELETE FROM bans WHERE until_time < ?`, db.timeArg(before))
	if err != nil {
		return 0, fmt.Errorf("prune bans: %w", err)
	}
	return n, nil
}

// BansRevision returns the bans' revision: a number that grows with every
// committed PutBan, and every DeleteBan and PruneBans that deleted a ban,
// and changes with nothing else. It is one indexed row, cheap enough to
// poll every second. A reader reads it before Bans: if it is unchanged at
// the next poll, so are the bans.
func (db *DB) BansRevision(ctx context.Context) (int64, error) {
	var rev int64
	if err := db.read.QueryRowContext(ctx, `SELECT revision FROM bans_revision WHERE id = 1`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("read bans revision: %w", err)
	}
	return rev, nil
}

// deleteBans runs the delete query after bumping the revision, in one
// transaction that it rolls back when the query deletes no row, and returns
// how many it deleted.
func (db *DB) deleteBans(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.bumpBans(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.bind(query), args...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if n == 0 {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// bumpBans increments the bans revision. It must be the first statement of
// every write to bans: on PostgreSQL it takes the lock that serialises them.
func (db *DB) bumpBans(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE bans_revision SET revision = revision + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump bans revision: %w", err)
	}
	return nil
}

// banIP returns the canonical form of ip: unmapped, without zone (a zone
// names an interface of one node and means nothing to the others).
func banIP(ip string) (string, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", fmt.Errorf("ban ip: %w", err)
	}
	return a.Unmap().WithZone("").String(), nil
}

func checkBan(b Ban) error {
	var errs []error
	for _, t := range []struct {
		field string
		t     time.Time
	}{{"since", b.Since}, {"until", b.Until}} {
		// Years 1 to 9999 fit both PostgreSQL's timestamptz and SQLite's
		// int64 microseconds; the zero time means the field was forgotten.
		if y := t.t.UTC().Year(); t.t.IsZero() || y < 1 || y > 9999 {
			errs = append(errs, fmt.Errorf("ban %s %v is zero or outside years 1 to 9999", t.field, t.t))
		}
	}
	if b.Until.Before(b.Since) {
		errs = append(errs, fmt.Errorf("ban until %v is before since %v", b.Until, b.Since))
	}
	if b.Count < 0 {
		errs = append(errs, fmt.Errorf("ban count %d is negative", b.Count))
	}
	errs = append(errs, checkText("ban node", b.Node, maxFieldLen, false))
	return errors.Join(errs...)
}
