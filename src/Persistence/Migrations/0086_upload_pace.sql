-- 0086: the upload limit (50 per 5 s) is a LlamaCloud project's, and each instance paced its uploads on its own, so two
-- instances uploading into one project sent twice it and met 429s. The slots are now shared (docs/sources.md, "Pacing"):
-- one row per project, the moment its next free upload slot begins; an instance reserves a few slots at a time by moving
-- it on under the row's lock.
create table if not exists orchestrator.upload_pace (
    project text primary key,
    next_at timestamptz not null
);
