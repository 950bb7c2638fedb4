-- 0063: a file whose content is already a version under another name (DedupeKey ContentHash, the default) is
-- no longer left out of the record. It is still not uploaded or billed again, but it gets a row here naming the
-- version whose content it shares, its own line in file_story, and that version's result in the sinks under
-- its own name (docs/sources.md, "Dedupe key").

-- A path of a source whose content, when last hashed, was a file version recorded under another path. The
-- delivery of that version's result under this name follows the version's current job: job_id is the job whose
-- result was delivered (or tried) here, so a version retried or reprocessed into a new job is delivered again.
-- follow_up_state, attempts, error and followed_up_at mean what they mean on batch_result.
create table orchestrator.file_copy (
    id bigint generated always as identity primary key,
    source_name text not null,
    relative_path text not null,
    file_version_id bigint not null references orchestrator.file_version (id),
    found_at timestamptz not null default now(),
    job_id text,
    follow_up_state text,
    follow_up_attempts int not null default 0,
    follow_up_error text,
    followed_up_at timestamptz,
    updated_at timestamptz not null default now(),
    unique (source_name, relative_path)
);
create index file_copy_by_version on orchestrator.file_copy (file_version_id);
-- The Batches page and "Needs a person" count deliveries that ran out of attempts, as they do batch results'.
create index file_copy_follow_up_failed on orchestrator.file_copy (file_version_id) where follow_up_state = 'FollowUpFailed';

-- The PostgreSQL sink keeps a row per name: a copy's result is its version's, under the copy's path.
alter table orchestrator.follow_up_result drop constraint follow_up_result_pkey;
alter table orchestrator.follow_up_result add primary key (file_version_id, job_id, relative_path);

-- One row per file version, as before, and now one per copy too: its version's state, job and error, the
-- delivery under its own name (waiting while its version's result is in hand but not yet delivered here), and
-- same_content_as, the path of the version whose content it shares (null on a version's own row).
create or replace view orchestrator.file_story as
select v.id as file_version_id, v.source_name, v.relative_path, v.state, v.error_class, v.error_message,
       v.process_attempts, v.batch_id, v.job_type, v.job_id,
       r.follow_up_state, r.remote_job_status, r.follow_up_attempts, r.follow_up_error, r.followed_up_at,
       r.stuck_since as job_stuck_since, b.stuck_since as batch_stuck_since, v.updated_at,
       null::text as same_content_as
from orchestrator.file_version v
left join lateral (
    select * from orchestrator.batch_result r where r.file_version_id = v.id order by r.id desc limit 1
) r on true
left join orchestrator.batch b on b.id = v.batch_id
union all
select v.id, c.source_name, c.relative_path, v.state, v.error_class, v.error_message,
       v.process_attempts, v.batch_id, v.job_type, v.job_id,
       case when c.job_id = r.job_id then c.follow_up_state
            when r.follow_up_state = 'FollowedUp' then 'Recorded'
            else r.follow_up_state end,
       r.remote_job_status,
       case when c.job_id = r.job_id then c.follow_up_attempts else 0 end,
       case when c.job_id = r.job_id then c.follow_up_error else r.follow_up_error end,
       case when c.job_id = r.job_id then c.followed_up_at end,
       r.stuck_since, b.stuck_since, greatest(v.updated_at, c.updated_at),
       v.relative_path
from orchestrator.file_copy c
join orchestrator.file_version v on v.id = c.file_version_id
left join lateral (
    select * from orchestrator.batch_result r where r.file_version_id = v.id order by r.id desc limit 1
) r on true
left join orchestrator.batch b on b.id = v.batch_id;
