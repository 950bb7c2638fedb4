-- 0020: cost in the ledger (docs/architecture.md decision 12; docs/costs.md).

-- Pages of each file version, counted during the scan that hashed it (or estimated, with why).
alter table orchestrator.file_version
    add column pages int,
    add column pages_basis text,
    add column pages_estimated boolean,
    -- A cap held it back (state Held): which cap, why, in which run's planning, and an operator's approval past the caps.
    add column held_cap text,
    add column held_reason text,
    add column held_run_id bigint,
    add column held_at timestamptz,
    add column cap_approved_at timestamptz,
    -- Its job failed or came back empty and the source's fallback configuration takes it (at most once).
    add column escalated_at timestamptz;
create index file_version_held on orchestrator.file_version (held_run_id) where held_run_id is not null;

-- What a batch was planned to cost: the tier its configuration resolved to, and whether it carries escalations.
alter table orchestrator.batch
    add column tier text,
    add column escalation boolean not null default false;

alter table orchestrator.run add column files_held int;

-- One row per file version per batch it was planned into: the credits reserved at planning (pages x the
-- tier's credits per page), replaced by what LlamaCloud billed once a follow-up reads it, or by zero
-- when the attempt ended without a job. A cap's use in a window is the sum over its rows: billed where
-- known, reserved otherwise, dated by when the reservation was made.
create table orchestrator.credit_charge (
    file_version_id bigint not null references orchestrator.file_version (id),
    batch_id bigint not null references orchestrator.batch (id),
    run_id bigint not null references orchestrator.run (id),
    source_name text not null,
    configuration_id text not null,
    tier text not null,
    pages int not null,
    reserved_credits numeric not null,
    reserved_at timestamptz not null default now(),
    escalation boolean not null default false,
    approved boolean not null default false,
    billed_credits numeric,
    billed_pages int,
    billed_tier text,
    settled_at timestamptz,
    -- Why the billed figure looks wrong (above DriftFactor x the estimate, or another tier); null when it does not.
    drift text,
    primary key (file_version_id, batch_id)
);
create index credit_charge_by_time on orchestrator.credit_charge (reserved_at);
create index credit_charge_by_source_time on orchestrator.credit_charge (source_name, reserved_at);
create index credit_charge_by_run on orchestrator.credit_charge (run_id);
create index credit_charge_by_batch on orchestrator.credit_charge (batch_id);

-- Saved configurations' tiers as read from the API, per project, with the configuration's version.
create table orchestrator.configuration_tier (
    project_key text not null,
    configuration_id text not null,
    job_type text not null,
    tier text not null,
    parse_tier text,
    known boolean not null,
    version text,
    fetched_at timestamptz not null,
    primary key (project_key, configuration_id)
);
