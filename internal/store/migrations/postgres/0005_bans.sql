-- 0005_bans: the brute-force guard's bans, shared by the nodes. Keep in step
-- with sqlite/0005_bans.sql. Addresses use the "C" collation so that they
-- compare by bytes, as in SQLite.

-- bans: one row per banned address. ip is netip.Addr.String() of the
-- unmapped address without zone, so one host has one spelling and one row.
-- The ban runs from since_time until until_time; count is how many times
-- the address has been banned, this ban included; manual is true for a ban
-- an operator made; node is the ID of the node that made it.
CREATE TABLE bans (
    ip         TEXT COLLATE "C" NOT NULL PRIMARY KEY CHECK (ip <> ''),
    since_time TIMESTAMPTZ      NOT NULL,
    until_time TIMESTAMPTZ      NOT NULL,
    reason     TEXT             NOT NULL,
    count      BIGINT           NOT NULL CHECK (count >= 0),
    manual     BOOLEAN          NOT NULL,
    node       TEXT             NOT NULL,
    CHECK (until_time >= since_time)
);

CREATE INDEX bans_until ON bans (until_time);

-- bans_revision: one row, one counter, incremented by every write that
-- changes bans, in the same transaction. Nodes poll it to learn that the
-- bans changed; its row lock also serialises the writes to bans.
CREATE TABLE bans_revision (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    revision BIGINT  NOT NULL CHECK (revision >= 0)
);

INSERT INTO bans_revision (id, revision) VALUES (1, 0);
