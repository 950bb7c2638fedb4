-- What a v1 batch was created over (its directory or its files by id), as planned: the steps after its create (the
-- look for a create that went unanswered, the record's reading of its items) must read it the way it was made, even
-- when the source's V1Scope has been changed since. Null for v2 batches, and for v1 batches planned before this
-- column (those are read with the source's setting, as they were).
alter table orchestrator.batch add column if not exists v1_scope text;
