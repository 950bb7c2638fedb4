-- What a v1 batch is created over (its directory or its files by id), as planned: the submit step (its snapshot of the
-- directory, the create, and the look for a create that went unanswered) must read it the way it was planned, even
-- when the source's V1Scope has been changed since. Null for v2 batches, and for v1 batches planned before this
-- column (those are read with the source's setting, as they were).
alter table orchestrator.batch add column if not exists v1_scope text;
