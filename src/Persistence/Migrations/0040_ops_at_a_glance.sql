-- 0040: what an operator needs at a glance (docs/operations.md): the configuration each batch ran
-- under, webhook liveness per batch, and indexes for the overview's windows (last 24 hours, 30 days).

-- The processing settings a batch was created with, in one comparable value. A file version's and a job
-- reference's fingerprint is their batch's (file_version.batch_id, batch_result.batch_id): the row a
-- version was processed in never changes. v1 jobs send no configuration id, so theirs is the job type
-- alone (Core's ConfigurationFingerprint computes the current value the same way; a test holds them equal).
alter table orchestrator.batch add column configuration_fingerprint text generated always as (
    case when job_type like 'v1\_%' then job_type else job_type || ' ' || configuration_id end) stored;
-- The impact preview counts the versions still attached to batches of another fingerprint, batch by batch.
create index batch_by_source_fingerprint on orchestrator.batch (source_name, configuration_fingerprint);

-- Webhook liveness. webhook_expected: the batch was submitted while webhooks were configured, so LlamaCloud
-- should announce its end. webhook_events counts signed deliveries about it; webhook_terminal_at is when the
-- first one announcing an end (success, error, cancelled) arrived. webhook_missed_at is set once, by the
-- sweep, when the batch was recorded as ended and no such delivery came within Webhooks:MissedAfter.
alter table orchestrator.batch
    add column webhook_expected boolean not null default false,
    add column webhook_events int not null default 0,
    add column webhook_terminal_at timestamptz,
    add column webhook_missed_at timestamptz;
create index batch_webhook_unconfirmed on orchestrator.batch (finished_at)
    where webhook_expected and webhook_terminal_at is null and webhook_missed_at is null;

-- The overview reads the last 24 hours and 30 days of runs and of batches by when they ended.
create index run_by_start on orchestrator.run (started_at);
create index batch_by_finish on orchestrator.batch (finished_at) where finished_at is not null;

-- "Needs a person" (the overview) counts failures that wait for an operator and follow-ups that gave up.
-- Predicates on columns the busy steps leave alone (see 0006): error_class is set only when a version fails.
create index file_version_waits_for_person on orchestrator.file_version (source_name) where error_class in ('Permanent', 'Auth');
create index batch_result_follow_up_failed on orchestrator.batch_result (batch_id) where follow_up_state = 'FollowUpFailed';
