-- 0088: instances sharing a project's upload slots (0086) took turns a reservation at a time, first come: a small run of a
-- high-priority source on one instance got half the project beside a backfill on another, where on one instance it gets
-- its weight's share. Each reservation now claims the project for the priority of the source uploading, for a few
-- seconds, and an instance whose claim weighs less than another's live one reserves its share of the slots by weight
-- (docs/sources.md, "Pacing"). A row per project and process; expired rows are removed by later reservations.
create table if not exists orchestrator.upload_pace_claim (
    project text not null,
    instance uuid not null,
    weight int not null,
    until timestamptz not null,
    primary key (project, instance)
);
