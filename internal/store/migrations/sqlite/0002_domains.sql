-- 0002_domains: the domain tree. Keep in step with postgres/0002_domains.sql.
-- Times are INTEGER Unix microseconds, UTC. Text compares by bytes (BINARY).

-- domains: the tree pbxgate chooses certificates from. parent is NULL only
-- for a root (the master domain); the foreign key keeps every other parent
-- an existing row. revision is the value of domains_revision.revision at the
-- row's last write: it grows on every write and is never reused.
CREATE TABLE domains (
    name               TEXT    NOT NULL PRIMARY KEY,
    parent             TEXT    REFERENCES domains (name),
    certificate_pem    TEXT    NOT NULL,
    acme_enabled       INTEGER NOT NULL CHECK (acme_enabled IN (0, 1)),
    acme_account_email TEXT    NOT NULL,
    created            INTEGER NOT NULL,
    updated            INTEGER NOT NULL,
    revision           INTEGER NOT NULL CHECK (revision > 0),
    CHECK (parent <> name)
) STRICT;

CREATE INDEX domains_parent ON domains (parent);

-- domains_revision: one row, one counter, incremented by every write to
-- domains in the same transaction. Nodes poll it to learn that the tree
-- changed; on PostgreSQL its row lock also serialises writes to the tree.
CREATE TABLE domains_revision (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL CHECK (revision >= 0)
) STRICT;

INSERT INTO domains_revision (id, revision) VALUES (1, 0);
