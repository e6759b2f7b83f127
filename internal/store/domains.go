package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The domain tree (table domains, migration 0002).
//
// Every domain has a unique name and names its parent; a root has parent "".
// The store keeps the rows a forest: a parent always exists (foreign key),
// no change of parent closes a cycle, and a domain with children is deleted
// only together with them. Which root is the master, and what a valid name
// is, is package domains' business, not the store's.
//
// Every write bumps one counter (table domains_revision) first, in its own
// transaction: [DB.DomainsRevision] reads it, so a node polling it learns
// cheaply that the tree changed. The bump also takes the counter row's lock,
// which serialises the writes to the tree on PostgreSQL as SQLite's single
// writer does: the parent and cycle checks that follow it see every earlier
// write and no concurrent one. A domain's Revision is the counter's value at
// its last write, so it grows on every write of the row and is never reused,
// not even by a domain deleted and created again. A failed write rolls the
// bump back: the counter changes exactly when the tree does.

var (
	// ErrParentNotFound is returned, wrapped, by CreateDomain and
	// UpdateDomain when the domain's parent does not exist. It does not wrap
	// ErrNotFound: the domain itself may well exist.
	ErrParentNotFound = errors.New("parent domain not found")
	// ErrCycle is returned, wrapped, by UpdateDomain when the new parent is
	// the domain itself or one of its descendants.
	ErrCycle = errors.New("parent change would make a cycle")
	// ErrHasChildren is returned, wrapped, by DeleteDomain when the domain
	// has children and the delete is not recursive.
	ErrHasChildren = errors.New("domain has children")
)

// Domain is one node of the domain tree.
type Domain struct {
	// Name is the primary key.
	Name string
	// Parent is the name of the parent domain, "" for a root.
	Parent string
	// CertificatePEM is stored as given (text, possibly empty).
	CertificatePEM string
	ACMEEnabled    bool
	// ACMEAccountEmail is stored as given (possibly empty).
	ACMEAccountEmail string
	// Created and Updated are set by the store's clock, in UTC at
	// microsecond precision.
	Created time.Time
	Updated time.Time
	// Revision is the value of DomainsRevision when the row was last
	// written.
	Revision int64
}

// maxCertificatePEMLen bounds certificate_pem: a key and a long chain take
// tens of kilobytes.
const maxCertificatePEMLen = 1 << 20

// domainQueries are the statements of the domain tree, with ? placeholders
// rebound per dialect.
type domainQueries struct {
	bump     string // → new counter value; locks the counter row
	revision string
	get      string
	list     string
	parentOf string
	children string
	insert   string
	update   string
	delete   string
}

const domainColumns = `name, COALESCE(parent, ''), certificate_pem, acme_enabled, acme_account_email, created, updated, revision`

var domainSQL = map[string]domainQueries{
	DialectSQLite:   newDomainQueries(DialectSQLite),
	DialectPostgres: newDomainQueries(DialectPostgres),
}

func newDomainQueries(dialect string) domainQueries {
	q := domainQueries{
		bump:     `UPDATE domains_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision`,
		revision: `SELECT revision FROM domains_revision WHERE id = 1`,
		get:      `SELECT ` + domainColumns + ` FROM domains WHERE name = ?`,
		list:     `SELECT ` + domainColumns + ` FROM domains ORDER BY name`,
		parentOf: `SELECT COALESCE(parent, '') FROM domains WHERE name = ?`,
		children: `SELECT name FROM domains WHERE parent = ? ORDER BY name`,
		insert: `INSERT INTO domains
			(name, parent, certificate_pem, acme_enabled, acme_account_email, created, updated, revision)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO NOTHING
			RETURNING revision`,
		update: `UPDATE domains
			SET parent = ?, certificate_pem = ?, acme_enabled = ?, acme_account_email = ?, updated = ?, revision = ?
			WHERE name = ? AND revision = ?
			RETURNING created`,
		delete: `DELETE FROM domains WHERE name = ?`,
	}
	if dialect == DialectPostgres {
		for _, s := range []*string{&q.bump, &q.revision, &q.get, &q.list, &q.parentOf, &q.children, &q.insert, &q.update, &q.delete} {
			*s = rebind(*s)
		}
	}
	return q
}

func (db *DB) domainQ() *domainQueries {
	q := domainSQL[db.dialect]
	return &q
}

// Domains returns every domain, sorted by the bytes of the name.
func (db *DB) Domains(ctx context.Context) ([]Domain, error) {
	rows, err := db.read.QueryContext(ctx, db.domainQ().list)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	defer rows.Close()
	var ds []Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, fmt.Errorf("list domains: %w", err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	return ds, nil
}

// Domain returns the domain called name, or an error wrapping ErrNotFound.
func (db *DB) Domain(ctx context.Context, name string) (Domain, error) {
	if err := checkText("domain name", name, maxFieldLen, true); err != nil {
		return Domain{}, fmt.Errorf("get domain: %w", err)
	}
	d, err := scanDomain(db.read.QueryRowContext(ctx, db.domainQ().get, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Domain{}, fmt.Errorf("get domain %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return Domain{}, fmt.Errorf("get domain %s: %w", name, err)
	}
	return d, nil
}

// CreateDomain inserts d and returns it as stored. d's Created, Updated and
// Revision are ignored: the store sets them. The error wraps ErrConflict if
// a domain of that name exists, ErrParentNotFound if d.Parent is not "" and
// names no domain.
func (db *DB) CreateDomain(ctx context.Context, d Domain) (Domain, error) {
	if err := checkDomain(d); err != nil {
		return Domain{}, fmt.Errorf("create domain: %w", err)
	}
	q := db.domainQ()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rev, err := bumpDomains(ctx, tx, q)
		if err != nil {
			return err
		}
		if d.Parent != "" {
			if _, err := parentOf(ctx, tx, q, d.Parent); errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: %s", ErrParentNotFound, d.Parent)
			} else if err != nil {
				return err
			}
		}
		now := db.timestamp()
		err = tx.QueryRowContext(ctx, q.insert, d.Name, parentArg(d.Parent), d.CertificatePEM, d.ACMEEnabled,
			d.ACMEAccountEmail, db.timeArg(now), db.timeArg(now), rev).Scan(&d.Revision)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: domain exists", ErrConflict)
		}
		if err != nil {
			return err
		}
		d.Created, d.Updated = now, now
		return nil
	})
	if err != nil {
		return Domain{}, fmt.Errorf("create domain %s: %w", d.Name, err)
	}
	return d, nil
}

// UpdateDomain replaces the parent, certificate, and ACME fields of the
// domain d.Name, only if its stored Revision is revision, and returns it as
// stored; d's Created, Updated and Revision are ignored. The error wraps
// ErrNotFound if the domain does not exist, ErrConflict if its revision is
// not revision (nothing was written), ErrParentNotFound if the new parent
// does not exist, ErrCycle if it is the domain itself or one of its
// descendants. A parent of "" makes the domain a root.
func (db *DB) UpdateDomain(ctx context.Context, d Domain, revision int64) (Domain, error) {
	if err := checkDomain(d); err != nil {
		return Domain{}, fmt.Errorf("update domain: %w", err)
	}
	if revision < 1 {
		return Domain{}, fmt.Errorf("update domain %s: revision %d is not positive", d.Name, revision)
	}
	q := db.domainQ()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rev, err := bumpDomains(ctx, tx, q)
		if err != nil {
			return err
		}
		cur, err := scanDomain(tx.QueryRowContext(ctx, q.get, d.Name))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if cur.Revision != revision {
			return fmt.Errorf("%w: revision is %d, not %d", ErrConflict, cur.Revision, revision)
		}
		if d.Parent != cur.Parent && d.Parent != "" {
			if err := checkNewParent(ctx, tx, q, d.Name, d.Parent); err != nil {
				return err
			}
		}
		now := db.timestamp()
		err = tx.QueryRowContext(ctx, q.update, parentArg(d.Parent), d.CertificatePEM, d.ACMEEnabled,
			d.ACMEAccountEmail, db.timeArg(now), rev, d.Name, revision).Scan(timeScan{&d.Created})
		if errors.Is(err, sql.ErrNoRows) {
			// Unreachable while the counter's lock is held; kept so that
			// the condition lives in the statement, as for every write.
			return ErrConflict
		}
		if err != nil {
			return err
		}
		d.Updated, d.Revision = now, rev
		return nil
	})
	if err != nil {
		return Domain{}, fmt.Errorf("update domain %s at revision %d: %w", d.Name, revision, err)
	}
	return d, nil
}

// checkNewParent returns an error wrapping ErrParentNotFound if parent does
// not exist, ErrCycle if it is name or lies below it. It walks up from
// parent to its root.
func checkNewParent(ctx context.Context, tx *sql.Tx, q *domainQueries, name, parent string) error {
	seen := map[string]bool{}
	for at := parent; at != ""; {
		if at == name {
			return fmt.Errorf("%w: %s is %s or below it", ErrCycle, parent, name)
		}
		if seen[at] {
			return fmt.Errorf("%w: the stored tree already loops at %s", ErrCycle, at)
		}
		seen[at] = true
		up, err := parentOf(ctx, tx, q, at)
		if errors.Is(err, ErrNotFound) {
			if at == parent {
				return fmt.Errorf("%w: %s", ErrParentNotFound, parent)
			}
			return fmt.Errorf("domain %s has a missing parent", at) // the foreign key forbids it
		}
		if err != nil {
			return err
		}
		at = up
	}
	return nil
}

// DeleteDomain deletes the domain called name and, if recursive, every
// domain below it, and returns the deleted names sorted. The error wraps
// ErrNotFound if the domain does not exist, ErrHasChildren if it has
// children and recursive is false; then nothing was deleted.
func (db *DB) DeleteDomain(ctx context.Context, name string, recursive bool) ([]string, error) {
	if err := checkText("domain name", name, maxFieldLen, true); err != nil {
		return nil, fmt.Errorf("delete domain: %w", err)
	}
	q := db.domainQ()
	var deleted []string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		deleted = nil
		if _, err := bumpDomains(ctx, tx, q); err != nil {
			return err
		}
		if _, err := parentOf(ctx, tx, q, name); err != nil {
			return err
		}
		// Breadth first: every name comes after its parent.
		order := []string{name}
		for i := 0; i < len(order); i++ {
			kids, err := children(ctx, tx, q, order[i])
			if err != nil {
				return err
			}
			if len(kids) > 0 && !recursive {
				return fmt.Errorf("%w: %d children, such as %s", ErrHasChildren, len(kids), kids[0])
			}
			order = append(order, kids...)
		}
		// Children before parents, so that no foreign key breaks.
		for _, n := range slices.Backward(order) {
			if _, err := tx.ExecContext(ctx, q.delete, n); err != nil {
				return fmt.Errorf("delete %s: %w", n, err)
			}
		}
		deleted = slices.Sorted(slices.Values(order))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete domain %s: %w", name, err)
	}
	return deleted, nil
}

// DomainsRevision returns the tree's revision: a number that grows with
// every committed create, update or delete of a domain, and changes with
// nothing else. It is one indexed row, cheap enough to poll every second.
// A reader that wants a consistent view reads it before Domains: if it is
// unchanged at the next poll, so is the tree.
func (db *DB) DomainsRevision(ctx context.Context) (int64, error) {
	var rev int64
	if err := db.read.QueryRowContext(ctx, db.domainQ().revision).Scan(&rev); err != nil {
		return 0, fmt.Errorf("read domains revision: %w", err)
	}
	return rev, nil
}

// bumpDomains increments the tree's revision and returns it. It must be the
// first statement of every domain write: on PostgreSQL it takes the row lock
// that serialises them.
func bumpDomains(ctx context.Context, tx *sql.Tx, q *domainQueries) (int64, error) {
	var rev int64
	if err := tx.QueryRowContext(ctx, q.bump).Scan(&rev); err != nil {
		return 0, fmt.Errorf("bump domains revision: %w", err)
	}
	return rev, nil
}

// parentOf returns the parent of name, or an error wrapping ErrNotFound.
func parentOf(ctx context.Context, tx *sql.Tx, q *domainQueries, name string) (string, error) {
	var parent string
	err := tx.QueryRowContext(ctx, q.parentOf, name).Scan(&parent)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return parent, err
}

func children(ctx context.Context, tx *sql.Tx, q *domainQueries, name string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q.children, name)
	if err != nil {
		return nil, fmt.Errorf("children of %s: %w", name, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("children of %s: %w", name, err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("children of %s: %w", name, err)
	}
	return names, nil
}

// scanDomain reads the columns of domainColumns.
func scanDomain(row interface{ Scan(...any) error }) (Domain, error) {
	var d Domain
	err := row.Scan(&d.Name, &d.Parent, &d.CertificatePEM, &d.ACMEEnabled, &d.ACMEAccountEmail,
		timeScan{&d.Created}, timeScan{&d.Updated}, &d.Revision)
	return d, err
}

// parentArg stores a root's parent as NULL, which the foreign key lets by.
func parentArg(parent string) any {
	if parent == "" {
		return nil
	}
	return parent
}

func checkDomain(d Domain) error {
	return errors.Join(
		checkText("domain name", d.Name, maxFieldLen, true),
		checkText("domain parent", d.Parent, maxFieldLen, false),
		checkText("domain certificate_pem", d.CertificatePEM, maxCertificatePEMLen, false),
		checkText("domain acme_account_email", d.ACMEAccountEmail, maxFieldLen, false),
	)
}
