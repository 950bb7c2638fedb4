-- 0030: a batch's upload and submit steps are bounded (docs/resilience.md). step_attempts counts the runs of
-- the step the batch waits for now (a crash's run too, a paused or rate-limited one not); it starts again at
-- 0 when the batch moves on to its next step. Past Pipeline:MaxStepAttempts the batch is given up: it ends
-- with last_error as its reason and its files go back to the queue or fail.
alter table orchestrator.batch add column step_attempts int not null default 0;
