-- 0061: a batch given up before it was submitted now releases what planning reserved for its files, as every
-- other end of a batch does (docs/costs.md, "Settling"). Batches given up before this release kept their
-- reservations unsettled for good, holding cap room no job ever used; this settles them by the same rule:
-- an ended batch's versions that got no job in it were billed nothing.
update orchestrator.credit_charge c set billed_credits = 0, billed_pages = 0, settled_at = now()
where c.billed_credits is null
  and exists (select 1 from orchestrator.batch b where b.id = c.batch_id and b.finished_at is not null)
  and not exists (
      select 1 from orchestrator.batch_result r
      where r.batch_id = c.batch_id and r.file_version_id = c.file_version_id and r.job_id is not null);
