-- 0010: the LlamaCloud project (and organisation) a batch was planned for. Every later step of the batch
-- (upload, submit, poll, record, follow-up, cancel) acts in this project, whatever the configuration says
-- by then: the batch's directory, files and jobs live there and nowhere else. Null means the API key's own
-- project, which is where every batch planned before this column existed went.
alter table orchestrator.batch add column project_id text, add column organization_id text;
