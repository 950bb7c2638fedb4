-- 0084: files sent back to the queue, or left unsettled by a scan, get a run asked for right after that state commits, in
-- a second write: a process killed between the two left them to the source's next scheduled run. The poll tick now looks
-- for such files and asks for their run (docs/resilience.md, "Runs that were owed and never came"); when it last asked
-- for one is kept on the source's row, so that of several instances looking at once only one asks, and once.
alter table orchestrator.source add column if not exists owed_run_asked_at timestamptz;
