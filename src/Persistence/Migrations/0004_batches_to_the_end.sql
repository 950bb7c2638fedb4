-- 0004: everything after upload: error classes and attempts for retries, the watchdog's
-- flags, follow-up scheduling and outcomes per job reference, the PostgreSQL follow-up sink, and one
-- view that tells each file version's story for the dashboard.

-- Retries. error_class is set whenever a version fails: Transient | Throttled | Auth | Permanent.
-- process_attempts counts the batches that ended with an outcome for it (the per-source MaxAttempts
-- limit reads it); the older "attempts" column counts upload attempts.
alter table orchestrator.file_version
    add column error_class text,
    add column process_attempts int not null default 0;
create index file_version_failed on orchestrator.file_version (source_name, id) where state = 'Failed';

-- stuck_since: set once by the watchdog when the batch stays open longer than Watchdog:StuckAfter.
-- follow_up_next_at: when this batch's job references are next looked at; null once none is pending.
alter table orchestrator.batch
    add column stuck_since timestamptz,
    add column follow_up_next_at timestamptz,
    add column follow_up_checks int not null default 0;
create index batch_follow_up_due on orchestrator.batch (follow_up_next_at) where follow_up_next_at is not null;
create index batch_open_by_age on orchestrator.batch (created_at) where state <> 'ResultsRecorded' and stuck_since is null;

-- Per job reference: what the recording decided (outcome, error_class), then the follow-up's view of
-- the product job (remote_job_status), its attempts and last error, and the watchdog's flag.
alter table orchestrator.batch_result
    add column outcome text,
    add column error_class text,
    add column remote_job_status text,
    add column follow_up_attempts int not null default 0,
    add column follow_up_error text,
    add column followed_up_at timestamptz,
    add column stuck_since timestamptz;
create index batch_result_pending_follow_up on orchestrator.batch_result (batch_id) where follow_up_state = 'Recorded';
create index batch_result_pending_by_age on orchestrator.batch_result (recorded_at) where follow_up_state = 'Recorded' and stuck_since is null;

-- The PostgreSQL follow-up sink: the fetched result of each job reference. markdown and text for
-- parse, result for every kind (parse: the job's metadata; extract: extract_result; classify: the
-- classification). Rewritten as a whole when a follow-up runs again.
create table orchestrator.follow_up_result (
    file_version_id bigint not null references orchestrator.file_version (id),
    job_id text not null,
    batch_id bigint not null references orchestrator.batch (id),
    source_name text not null,
    relative_path text not null,
    job_type text not null,
    markdown text,
    text text,
    result jsonb,
    fetched_at timestamptz not null,
    primary key (file_version_id, job_id)
);

-- One row per file version with its latest batch result: what an operator asks first.
create view orchestrator.file_story as
select v.id as file_version_id, v.source_name, v.relative_path, v.state, v.error_class, v.error_message,
       v.process_attempts, v.batch_id, v.job_type, v.job_id,
       r.follow_up_state, r.remote_job_status, r.follow_up_attempts, r.follow_up_error, r.followed_up_at,
       r.stuck_since as job_stuck_since, b.stuck_since as batch_stuck_since, v.updated_at
from orchestrator.file_version v
left join lateral (
    select * from orchestrator.batch_result r where r.file_version_id = v.id order by r.id desc limit 1
) r on true
left join orchestrator.batch b on b.id = v.batch_id;
