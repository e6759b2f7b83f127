-- 0002_domains: the domain tree. Keep in step with sqlite/0002_domains.sql.
-- Names use the "C" collation so that they sort by bytes, as in SQLite.

-- domains: the tree pbxgate chooses certificates from. parent is NULL only
-- for a root (the master domain); the foreign key keeps every other parent
-- an existing row. revision is the value of domains_revision.revision at the
-- row's last write: it grows on every write and is never reused.
CREATE TABLE domains (
    name               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    parent             TEXT COLLATE "C" REFERENCES domains (name),
    certificate_pem    TEXT             NOT NULL,
    acme_enabled       BOOLEAN          NOT NULL,
    acme_account_email TEXT             NOT NULL,
    created            TIMESTAMPTZ      NOT NULL,
    updated            TIMESTAMPTZ      NOT NULL,
    revision           BIGINT           NOT NULL CHECK (revision > 0),
    CHECK (parent <> name)
);

CREATE INDEX domains_parent ON domains (parent);

-- domains_revision: one row, one counter, incremented by every write to
-- domains in the same transaction. Nodes poll it to learn that the tree
-- changed; its row lock also serialises writes to the tree across nodes.
CREATE TABLE domains_revision (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    revision BIGINT  NOT NULL CHECK (revision >= 0)
);

INSERT INTO domains_revision (id, revision) VALUES (1, 0);
