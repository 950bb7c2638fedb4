-- 0085: files sent back to the queue, or left unsettled by a scan, get a run asked for right after that state commits, in
-- a second write: a process killed between the two left them to the source's next scheduled run. The poll tick now looks
-- for such files and asks for their run (docs/resilience.md, "Runs that were owed and never came"); when it last asked
-- for one is kept on the source's row, so that of several instances looking at once only one asks, and once.
alter table orchestrator.source add column if not exists owed_run_asked_at timestamptz;

-- 0084 is not used: two commits of 2026-12-06 carried an index on file_version (updated_at, id) under that number, taken
-- out again because it cost every step's update its HOT path (docs/performance.md, "Why no index on `updated_at`"). A
-- database that applied it has 84 recorded and keeps the index; it is dropped here, where every database comes.
drop index if exists orchestrator.file_version_by_update;
