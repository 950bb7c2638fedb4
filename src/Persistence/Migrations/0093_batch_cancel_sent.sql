-- When an operator's cancel of a batch was taken by LlamaCloud. A cancel is recorded (cancel_requested_at) before it is
-- sent, and the send can be lost (the process killed between the two, the dashboard's request cut off): the poller
-- sends a cancel that was asked for a minute ago and never taken, until it is taken. A batch LlamaCloud is cancelling reports
-- RUNNING until its processing stops, so the request alone cannot say whether the cancel reached it.
alter table orchestrator.batch add column if not exists cancel_sent_at timestamptz;
-- Before this column every cancel of a batch with a remote id was sent at once: taken as sent, so the poller does not
-- send them all again at the upgrade.
update orchestrator.batch set cancel_sent_at = cancel_requested_at
where cancel_requested_at is not null and remote_batch_id is not null and cancel_sent_at is null;
