-- 0065: a job that finished and whose answer reported no usage (every v1 classify job: its results carry none) is
-- settled with its reservation as its charge, so the Costs page counts it under "No usage reported" instead of
-- "Not billed yet" for good (docs/costs.md, "Settling"). The reservation keeps counting against the caps, as before.
-- Follow-ups before this release left such charges unsettled; this settles those whose job a follow-up saw finish.
-- As in 0062, the rule is written out here rather than taken from Core (BilledCharge.Of): a migration must keep
-- meaning what it meant when released. Only unsettled charges without a bill are touched, so running it again
-- changes nothing.
update orchestrator.credit_charge c set settled_at = now()
where c.billed_credits is null and c.settled_at is null
  and exists (
      select 1 from orchestrator.batch_result r
      where r.batch_id = c.batch_id and r.file_version_id = c.file_version_id and r.job_id is not null
        and upper(r.remote_job_status) = 'COMPLETED');
