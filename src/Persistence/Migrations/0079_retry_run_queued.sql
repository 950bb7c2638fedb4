-- When an operator's retry of failed files last queued a run of the source. Until a run of it starts after that, the
-- files it queued again wait for that run: a second retry meanwhile has nothing more to queue, and a second run would
-- only find what the first takes (docs/operations.md, "Command line").
alter table orchestrator.source add column if not exists retry_run_queued_at timestamptz;
