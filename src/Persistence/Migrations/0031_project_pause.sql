-- 0031: LlamaCloud projects whose new work is held back, shared by every instance and read by the status
-- verb and the dashboard (docs/resilience.md). One row per project and reason (circuit_open,
-- credits_exhausted, quota_exceeded), written by the instance that saw the cause and deleted when a probe
-- or a request gets an answer again. project is the ProjectScope key (the project id, "default", or
-- "default@<organisation>"); project_id and organization_id are what the probe sends.
create table orchestrator.project_pause (
    project text not null,
    reason text not null,
    project_id text,
    organization_id text,
    since timestamptz not null default now(),
    next_probe_at timestamptz not null,
    last_error text,
    updated_at timestamptz not null default now(),
    primary key (project, reason)
);
