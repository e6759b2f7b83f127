-- 0003_locks: named cross-process locks (DB.TryLock), held as leases. Keep
-- the number in step with postgres/0003_locks.sql, which creates nothing.
-- Times are INTEGER Unix microseconds, UTC. Text compares by bytes (BINARY).

-- locks: one row per lease. holder is a random token drawn by the TryLock
-- call that wrote the row; only that holder deletes it (unlock). The row
-- holds the lock until expires; from then on any TryLock may overwrite it,
-- which is how the lease of a process that crashed comes free.
CREATE TABLE locks (
    name    TEXT    NOT NULL PRIMARY KEY,
    holder  TEXT    NOT NULL,
    expires INTEGER NOT NULL
) STRICT;
