-- 0060: remote hygiene. What LlamaCloud keeps for us after a file's result is stored by every sink (its
-- directory file, the stored file behind it, its parse or extract job, and a run's own directory) only costs
-- storage; these rows let the cleanup delete each of them once, after the retention a source asks for.

-- The stored file behind a version's directory file (the upload answer's file_id), as LlamaCloud named it.
alter table orchestrator.file_version add column stored_file_id text;

-- One row per remote thing to delete. kind is a Core RemoteArtefactKind name; parent_id is the directory
-- of a directory file, or the job type of a job; lookup_stored_file marks a directory file whose stored
-- file the upload answer did not name (it is read from LlamaCloud before the directory file goes). A row is
-- done when deleted_at is set: deleted by us, or found already gone (404). Rows are never removed, so a
-- rerun finds nothing left to delete.
create table orchestrator.remote_artefact (
    id bigint generated always as identity primary key,
    batch_id bigint not null references orchestrator.batch (id),
    run_id bigint not null references orchestrator.run (id),
    kind text not null,
    remote_id text not null,
    parent_id text,
    file_version_id bigint references orchestrator.file_version (id),
    lookup_stored_file boolean not null default false,
    due_at timestamptz not null,
    claimed_until timestamptz,
    attempts int not null default 0,
    last_error text,
    deleted_at timestamptz,
    found_gone boolean not null default false,
    created_at timestamptz not null default now(),
    unique (kind, remote_id)
);
create index remote_artefact_due on orchestrator.remote_artefact (due_at) where deleted_at is null;
create index remote_artefact_by_run on orchestrator.remote_artefact (run_id);
create index remote_artefact_by_batch on orchestrator.remote_artefact (batch_id) where deleted_at is null;

-- When a followed-up job reference's artefacts were put on the list; the partial index finds the ones not
-- yet listed without reading every result ever followed up.
alter table orchestrator.batch_result add column cleanup_listed_at timestamptz;
create index batch_result_cleanup_unlisted on orchestrator.batch_result (id) where follow_up_state = 'FollowedUp' and cleanup_listed_at is null;

-- When a run's own directory was put on the list (once all its files' artefacts were gone).
alter table orchestrator.batch add column directory_cleanup_listed_at timestamptz;
