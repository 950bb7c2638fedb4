-- 0083: a file whose job failed or came back empty goes to its source's fallback (docs/costs.md, "Cheap tier first"):
-- its job reference ends FollowUpFailed and the fallback uploads the file again, overwriting the version's directory
-- file and stored file. Remote hygiene listed only followed-up references, so that first reference's job, directory
-- file, stored file and (per-run) its batch's directory stayed at LlamaCloud for ever. An escalated reference is now
-- listed after the retention like a followed-up one (docs/remote-hygiene.md), from ids kept on the reference itself:
--   escalated_at: when the reference's version was sent to the fallback (null: it was not);
--   stored_file_id: the stored file behind the reference's directory file, as it was when the version escalated.
alter table orchestrator.batch_result
    add column if not exists escalated_at timestamptz,
    add column if not exists stored_file_id text;

-- The escalations an older release made: their follow-up error says the file was sent again, in a batch that was not
-- itself a fallback's (a fallback never escalates). Their stored file is unknown now (the fallback's upload replaced
-- the version's), so it stays null and the cleanup reads it from the directory file before deleting that.
update orchestrator.batch_result r
set escalated_at = coalesce(r.followed_up_at, now())
from orchestrator.batch b
where b.id = r.batch_id and not b.escalation
  and r.escalated_at is null and r.job_id is not null and r.file_version_id is not null
  and r.follow_up_state = 'FollowUpFailed' and r.follow_up_error like '%sent again with %';

-- The cleanup asks for escalated references not yet listed; few rows ever carry one.
create index if not exists batch_result_escalated_unlisted on orchestrator.batch_result (id) where escalated_at is not null and cleanup_listed_at is null;
