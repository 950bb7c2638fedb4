-- 0062: a job that ended failed or cancelled is now settled at 0 credits even when its answer carries no usage
-- block at all, as one whose usage block had no credits already was (docs/costs.md, "Guesses, in one place").
-- Follow-ups before this release stored nothing for such a job, so its reservation stayed unsettled for good and
-- kept counting against the caps, also after its file was sent again and billed in a new batch; this settles
-- them as a follow-up would now.
-- The rule is repeated here rather than taken from Core (BilledCharge.Of, with JobResults reading the status
-- case-insensitively): a migration runs once and must keep meaning what it meant when released, whatever the code
-- later becomes, and the migrator runs SQL only. A charge a follow-up billed keeps its figure; only one with no bill
-- is touched, so running this again changes nothing. Pages and tier stay unknown: the job reported neither.
update orchestrator.credit_charge c set billed_credits = 0, settled_at = now()
where c.billed_credits is null
  and exists (
      select 1 from orchestrator.batch_result r
      where r.batch_id = c.batch_id and r.file_version_id = c.file_version_id and r.job_id is not null
        and upper(r.remote_job_status) in ('FAILED', 'CANCELLED'));
