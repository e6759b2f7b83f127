-- 0003_locks: named cross-process locks (DB.TryLock). Keep the number in
-- step with sqlite/0003_locks.sql.
--
-- Nothing to create: on PostgreSQL a lock is a session advisory lock
-- (pg_try_advisory_lock) held on a connection of its own, which the server
-- frees by itself when that connection ends, so no lease table is needed and
-- no expired row can linger. SQLite has no locks that outlive a transaction
-- and span processes, hence its locks table. This migration only keeps the
-- schema versions of both dialects equal.
SELECT 1;
