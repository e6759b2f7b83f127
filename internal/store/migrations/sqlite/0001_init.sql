-- 0001_init: the foundation tables. Keep in step with postgres/0001_init.sql.
-- Times are INTEGER Unix microseconds, UTC. Text compares by bytes (BINARY).

-- kv: namespaced key/value items with a per-item version for optimistic
-- concurrency (manager key, ACME accounts, settings shared across nodes).
CREATE TABLE kv (
    ns      TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    value   BLOB    NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    updated INTEGER NOT NULL,
    PRIMARY KEY (ns, key)
) STRICT;

-- nodes: cluster membership, one row per pbxgate process, upserted by its
-- heartbeat.
CREATE TABLE nodes (
    id         TEXT    NOT NULL PRIMARY KEY,
    hostname   TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;
