-- 0002: scans that scale, a recorded reason for every odd file, remote layouts.

-- Paths in byte order (UTF-8), whatever the database's default collation: a scan walks the folder in
-- that order and merge-joins it with the stored looks read in primary-key order, sending PostgreSQL
-- only the differences. Rebuilds the primary key with the new collation.
alter table orchestrator.source_file alter column relative_path type text collate "C";

-- Files a scan found but could not take (or took with a caveat), each with a reason an operator can
-- act on. Every scan replaces the rows of its source: a fixed file's row goes away, and first_seen_at
-- tells how long a problem has been there. Kind is a Core ScanProblemKind name.
create table orchestrator.source_file_problem (
    source_name text not null,
    relative_path text collate "C" not null,
    kind text not null,
    reason text not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    primary key (source_name, relative_path)
);

alter table orchestrator.run add column files_with_problems int;

-- Remote layouts. PerRun batches each own a directory (unique, as before); Mirror batches of a source
-- share its one long-lived directory, and RemoteOnly batches share a directory that is not ours, so
-- the uniqueness only holds within the PerRun layout.
alter table orchestrator.batch add column layout text not null default 'PerRun';
alter table orchestrator.batch drop constraint batch_directory_name_key;
alter table orchestrator.batch drop constraint batch_remote_directory_id_key;
create unique index batch_per_run_directory_name on orchestrator.batch (directory_name) where layout = 'PerRun';
create unique index batch_per_run_remote_directory on orchestrator.batch (remote_directory_id) where layout = 'PerRun';
create index batch_by_remote_directory on orchestrator.batch (remote_directory_id);
-- The remote batches the directory already had just before our first POST. A mirror's or a remote-only
-- source's directory holds batches that are not this row's, so a resubmission after a crash adopts only a
-- batch that is neither in this snapshot nor recorded by any of our rows.
alter table orchestrator.batch add column preexisting_remote_batch_ids text[];

-- Upload intent per chunk instead of per file: the files of a batch with id <= upload_intent_through
-- may have been sent, so a rerun looks them up by unique_id before sending them again. One row
-- written per chunk of files, where an intent per file cost a second row update per upload.
alter table orchestrator.batch add column upload_intent_through bigint;

-- Where a version's remote copy lives, and when a mirror removed it (its file was deleted or replaced).
alter table orchestrator.file_version add column remote_directory_id text;
alter table orchestrator.file_version add column remote_deleted_at timestamptz;
