-- 0001_init: the foundation tables. Keep in step with sqlite/0001_init.sql.
-- Text keys use the "C" collation so that they sort and compare by bytes, as
-- SQLite's BINARY collation does; List's prefix ranges depend on it.

-- kv: namespaced key/value items with a per-item version for optimistic
-- concurrency (manager key, ACME accounts, settings shared across nodes).
CREATE TABLE kv (
    ns      TEXT COLLATE "C" NOT NULL,
    key     TEXT COLLATE "C" NOT NULL,
    value   BYTEA            NOT NULL,
    version BIGINT           NOT NULL CHECK (version > 0),
    updated TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (ns, key)
);

-- nodes: cluster membership, one row per pbxgate process, upserted by its
-- heartbeat.
CREATE TABLE nodes (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    hostname   TEXT             NOT NULL,
    version    TEXT             NOT NULL,
    started_at TIMESTAMPTZ      NOT NULL,
    last_seen  TIMESTAMPTZ      NOT NULL
);
