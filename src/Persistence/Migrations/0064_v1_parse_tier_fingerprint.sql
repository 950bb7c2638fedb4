-- 0064: a v1_parse source's tier is part of its configuration fingerprint (docs/operations.md, "Reprocessing
-- after a configuration change"). v1 jobs send no configuration id, so 0040 gave them the job type alone, and a
-- v1_parse source whose V1ParseTier was raised from fast to agentic_plus showed no file under an older
-- configuration: reprocessing had nothing to send again at the new tier.

-- The tier a v1_parse batch asks for (Sources:N:V1ParseTier), written when it is planned and sent with its job;
-- null when it asks for none (the service's default) and for every other job type. It is not batch.tier, which
-- is what the batch was priced at: 'unknown' for a v1_parse batch asking for none, 'default' for every v1 batch
-- planned before v1_parse asked for a tier, null for a RemoteOnly batch, and for a v2 batch its configuration's.
-- (If not exists: run again over its own result, as its test does, the whole migration changes nothing.)
alter table orchestrator.batch add column if not exists v1_parse_tier text;

-- Batches planned before now did not record the tier they asked for, but their price says it: a v1_parse batch
-- priced at a parse tier's name was planned for a source asking for that tier. One asking for none was priced
-- 'unknown', and one planned before a tier could be asked for 'default'; both stay null, the service's default,
-- which is what they asked for. So a source whose tier is unchanged sees nothing to reprocess after this
-- migration, and one that names a tier now sees its batches of no tier as older configuration.
update orchestrator.batch set v1_parse_tier = tier
where job_type = 'v1_parse' and tier in ('fast', 'cost_effective', 'agentic', 'agentic_plus');

-- The fingerprint again, with the tier (Core's ConfigurationFingerprint computes the current value the same way;
-- a test holds them equal). A v1_parse batch asking for none keeps 'v1_parse' alone: no tier's name is empty, so
-- it stays apart from every named tier, and it is the value such batches already had. A generated column's
-- expression cannot be altered before PostgreSQL 17, so it is dropped (its index with it) and added again.
alter table orchestrator.batch drop column configuration_fingerprint;
alter table orchestrator.batch add column configuration_fingerprint text generated always as (
    case
        when job_type = 'v1_parse' and v1_parse_tier is not null then job_type || ' ' || v1_parse_tier
        when job_type like 'v1\_%' then job_type
        else job_type || ' ' || configuration_id
    end) stored;
create index batch_by_source_fingerprint on orchestrator.batch (source_name, configuration_fingerprint);
