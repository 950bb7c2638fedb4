-- When an operator's cancel of a batch was taken by LlamaCloud. A cancel is recorded (cancel_requested_at) before it is
-- sent, and the send can be lost (the process killed between the two, the dashboard's request cut off): the poller
-- sends a cancel that was asked for a minute ago and never taken, once. A batch LlamaCloud is cancelling reports
-- RUNNING until its processing stops, so the request alone cannot say whether the cancel reached it.
alter table orchestrator.batch add column if not exists cancel_sent_at timestamptz;
