-- When an operator last put the version in the queue (approved past a spending cap, reprocessed under a new configuration,
-- retried): each of those commits the files, then asks Hangfire for a run in a second write. Lost between the two (the
-- process killed, Hangfire's storage refusing the enqueue), the run never came and the files waited for the schedule, while
-- asking again found nothing left to queue. The poll tick's look for owed runs reads this to ask for that run itself.
alter table orchestrator.file_version add column if not exists operator_queued_at timestamptz;
