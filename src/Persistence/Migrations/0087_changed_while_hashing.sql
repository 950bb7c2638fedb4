-- 0087: a scan that found settled files written to between its walk and their hash asks for a look after the source's
-- settle window, as it does for files still changing; the run kept a count of the latter only, so the look for runs owed
-- and never came (docs/resilience.md) could not see the former. Null for runs before this migration: none owed.
alter table orchestrator.run add column if not exists files_changed_while_hashing int;
