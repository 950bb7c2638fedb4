-- 0001: the pipeline's own state. Hangfire keeps its tables in schema "hangfire"; ours live here.
-- States are stored by name (see the Core enums); renaming a member needs a migration.

create schema if not exists orchestrator;

-- One row, made once: names remote directories so that two installations sharing a LlamaCloud
-- project (staging and production, say) can never adopt each other's directories or batches.
create table orchestrator.installation (
    id uuid primary key default gen_random_uuid(),
    created_at timestamptz not null default now()
);
insert into orchestrator.installation default values;

create table orchestrator.source (
    name text primary key,
    rerun_requested_at timestamptz,
    created_at timestamptz not null default now()
);

-- The last look at every path of a source. first_seen_at is when the current (size, mtime) was
-- first seen: the settle clock. sha256 is the content hash for exactly that (size, mtime).
create table orchestrator.source_file (
    source_name text not null,
    relative_path text not null,
    size bigint not null,
    mtime_ticks bigint not null,
    first_seen_at timestamptz not null,
    sha256 bytea,
    deleted_at timestamptz,
    primary key (source_name, relative_path)
);
create index source_file_to_hash on orchestrator.source_file (source_name, first_seen_at)
    where sha256 is null and deleted_at is null;

create table orchestrator.run (
    id bigint generated always as identity primary key,
    source_name text not null,
    trigger text not null,
    state text not null,
    started_at timestamptz not null default now(),
    scanned_at timestamptz,
    finished_at timestamptz,
    files_seen int,
    files_new_or_changed int,
    files_unsettled int,
    new_versions int,
    batch_count int,
    error text
);
create index run_by_source on orchestrator.run (source_name, id desc);

create table orchestrator.batch (
    id bigint generated always as identity primary key,
    run_id bigint not null references orchestrator.run (id),
    source_name text not null,
    state text not null,
    job_type text not null,
    configuration_id text not null,
    directory_name text not null unique,
    remote_directory_id text unique,
    remote_batch_id text unique,
    remote_status text,
    file_count int not null,
    poll_count int not null default 0,
    next_poll_at timestamptz,
    last_polled_at timestamptz,
    last_error text,
    created_at timestamptz not null default now(),
    -- Last progress of any kind; the stalled-step sweep reads it.
    updated_at timestamptz not null default now(),
    submitted_at timestamptz,
    finished_at timestamptz
);
create index batch_due on orchestrator.batch (next_poll_at) where state in ('Pending', 'Throttled', 'Running');
create index batch_open_steps on orchestrator.batch (updated_at) where state in ('Planned', 'Creating', 'Completed', 'Failed', 'Cancelled');
create index batch_by_run on orchestrator.batch (run_id);

-- A distinct content (or content and path) of a source: the unit that is uploaded and billed once.
create table orchestrator.file_version (
    id bigint generated always as identity primary key,
    source_name text not null,
    relative_path text not null,
    size bigint not null,
    mtime_ticks bigint not null,
    sha256 bytea not null,
    dedupe_key text not null,
    state text not null,
    run_id bigint references orchestrator.run (id),
    batch_id bigint references orchestrator.batch (id),
    unique_id text,
    upload_started_at timestamptz,
    remote_file_id text,
    job_type text,
    job_id text,
    error_message text,
    attempts int not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (source_name, dedupe_key)
);
create index file_version_by_batch on orchestrator.file_version (batch_id);
create index file_version_unassigned on orchestrator.file_version (source_name, id) where state = 'Discovered' and batch_id is null;
create index file_version_by_path on orchestrator.file_version (source_name, relative_path);

-- What each batch said about each of its files: a job reference, or an error. Kept per batch, so a
-- file version retried in a later batch keeps its whole history.
create table orchestrator.batch_result (
    id bigint generated always as identity primary key,
    batch_id bigint not null references orchestrator.batch (id),
    file_version_id bigint references orchestrator.file_version (id),
    source_directory_file_id text not null,
    job_type text,
    job_id text,
    error_message text,
    -- Recorded -> FollowedUp | FollowUpFailed, for results that have a job; null otherwise.
    follow_up_state text,
    recorded_at timestamptz not null default now(),
    unique (batch_id, source_directory_file_id)
);
create index batch_result_by_file_version on orchestrator.batch_result (file_version_id);

-- Leases of our own (docs/architecture.md decision 8). Rows are never deleted, so fencing tokens only grow.
create table orchestrator.lease (
    name text primary key,
    owner text not null,
    fencing_token bigint not null,
    expires_at timestamptz not null
);
