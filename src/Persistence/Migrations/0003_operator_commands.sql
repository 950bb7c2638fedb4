-- 0003: an operator's cancel request on a batch. The steps honour it: the uploader and submitter stop
-- before creating anything more, and a batch already submitted is cancelled remotely and recorded by
-- the poller as usual. (0002 is the sources work, applied in order whatever order they land in.)
alter table orchestrator.batch add column cancel_requested_at timestamptz;
