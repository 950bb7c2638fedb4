-- The look for runs owed to files an operator queued reads the versions so queued and still in no batch, a few rows, not
-- every unassigned version of a source (Held, Skipped and new ones among them).
create index if not exists file_version_operator_queued on orchestrator.file_version (source_name) where operator_queued_at is not null and batch_id is null;
