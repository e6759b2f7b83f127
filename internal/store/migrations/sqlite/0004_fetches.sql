-- 0004_fetches: the audit trail of provisioning fetches. Keep in step with
-- postgres/0004_fetches.sql. Times are INTEGER Unix microseconds, UTC.

-- fetches: one row per request for a device file, answered or not. mac is
-- the twelve lowercase hex digits the request named (known device or not);
-- hash is the SHA-256 of the body served, "" when nothing was served.
CREATE TABLE fetches (
    id         INTEGER NOT NULL PRIMARY KEY,
    mac        TEXT    NOT NULL,
    time       INTEGER NOT NULL,
    ip         TEXT    NOT NULL,
    user_agent TEXT    NOT NULL,
    file       TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    hash       TEXT    NOT NULL
) STRICT;

CREATE INDEX fetches_mac_time ON fetches (mac, time);
CREATE INDEX fetches_time ON fetches (time);
