-- What the follow-up made of a file whose job reference it could not deliver (Failed or Skipped: the job failed or was
-- cancelled, or its result was gone from LlamaCloud before it was fetched). The batch's own outcome for the file stays
-- Succeeded (it named a job); this is what its file got from that batch, so every count of a batch's files reads it
-- whatever becomes of the file later (sent again, retried by an operator). Null: no verdict (delivered, or waiting).
alter table orchestrator.batch_result add column if not exists file_verdict text;
