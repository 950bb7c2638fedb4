-- 0070: when an operator cancelled a job reference's job at LlamaCloud (the 'cancel jobs' verb, for jobs the watchdog
-- found stuck). The follow-up that then reads the job CANCELLED sends its file again, as the operator asked, rather
-- than skipping it as after a cancelled batch (docs/operations.md, "A job that never ends").
alter table orchestrator.batch_result add column if not exists cancel_requested_at timestamptz;
