-- 0006: let a file version's state changes be HOT updates (no index touched).
-- A file version is updated at every step (planned, uploaded, submitted, recorded, followed up). PostgreSQL
-- can update a row in place, without touching any index, only when no indexed column changes (partial-index
-- predicates count) and its page has room. Two predicates named `state`, which changes at every step, so
-- every step rewrote all five indexes. They now name columns the busy steps leave alone, and pages keep
-- half their room for the next version of each row: only an update that finds room on its own page is HOT,
-- and measured on 20,000 rows (PG 15, this machine) fillfactor 70 made 39 % of them HOT and saved nothing,
-- 45-50 made all of them HOT and took the update from ~850 ms to ~120 ms. The table is about twice as large.
drop index orchestrator.file_version_unassigned;
create index file_version_unassigned on orchestrator.file_version (source_name, id) where batch_id is null;
drop index orchestrator.file_version_failed;
create index file_version_retryable on orchestrator.file_version (source_name, id) where error_class in ('Transient', 'Throttled');
alter table orchestrator.file_version set (fillfactor = 50);
