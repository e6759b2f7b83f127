-- 0005_bans: the brute-force guard's bans, shared by the nodes. Keep in step
-- with postgres/0005_bans.sql. Times are INTEGER Unix microseconds, UTC.
-- Text compares by bytes (BINARY).

-- bans: one row per banned address. ip is netip.Addr.String() of the
-- unmapped address without zone, so one host has one spelling and one row.
-- The ban runs from since_time until until_time; count is how many times
-- the address has been banned, this ban included; manual is 1 for a ban an
-- operator made; node is the ID of the node that made it.
CREATE TABLE bans (
    ip         TEXT    NOT NULL PRIMARY KEY CHECK (ip <> ''),
    since_time INTEGER NOT NULL,
    until_time INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    count      INTEGER NOT NULL CHECK (count >= 0),
    manual     INTEGER NOT NULL CHECK (manual IN (0, 1)),
    node       TEXT    NOT NULL,
    CHECK (until_time >= since_time)
) STRICT;

CREATE INDEX bans_until ON bans (until_time);

-- bans_revision: one row, one counter, incremented by every write that
-- changes bans, in the same transaction. Nodes poll it to learn that the
-- bans changed, as domains_revision does for the domain tree.
CREATE TABLE bans_revision (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL CHECK (revision >= 0)
) STRICT;

INSERT INTO bans_revision (id, revision) VALUES (1, 0);
