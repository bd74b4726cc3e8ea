-- The rows Quartz's JDBC job store locks (SELECT ... FOR UPDATE) for the scheduler the daemon runs
-- (instance name 'certkeeper', see io.certkeeper.schedule.Scheduling). Quartz inserts a missing row
-- at its first lock; on a new PostgreSQL store two daemons of a fleet (or two threads of one)
-- doing that at once collide on the primary key, and the loser's transaction is aborted, so that
-- Quartz has to roll back and wait before it tries again. Made here, they are never missing.
-- Rows Quartz already inserted into an older store are left as they are.
INSERT INTO QRTZ_LOCKS (SCHED_NAME, LOCK_NAME)
  SELECT v.sched_name, v.lock_name
  FROM (VALUES ('certkeeper', 'TRIGGER_ACCESS'), ('certkeeper', 'STATE_ACCESS')) AS v (sched_name, lock_name)
  WHERE NOT EXISTS (
    SELECT 1 FROM QRTZ_LOCKS q WHERE q.SCHED_NAME = v.sched_name AND q.LOCK_NAME = v.lock_name);
