-- 0074: when the submit step last sent a create whose outcome it did not hear (a timeout, a gateway's 5xx, a lease
-- lost mid-call). LlamaCloud may still be working on it: until LlamaCloud:UnansweredCreateWait after this, a rerun of
-- the step looks for the batch it may make rather than create a second one (docs/resilience.md, "A create that was
-- not answered"). Null: no create of this batch was sent, or the last one was answered.
-- (If not exists: run again over its own result, the whole migration changes nothing it has not changed already.)
alter table orchestrator.batch add column if not exists create_sent_at timestamptz;
