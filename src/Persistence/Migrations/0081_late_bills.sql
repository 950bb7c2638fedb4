-- 0081: a job that ended (finished, or failed) before LlamaCloud recorded its bill (`usage.credits` "Null until billing
-- has recorded it", docs/llamacloud-api.md §1.7) was settled for good at its estimate, so a bill higher than the
-- estimate never reached the caps or the drift check. Such a charge now stays open, counting at its estimate, and the
-- batch's follow-up looks at its job again a few times over FollowUp:LateBillWindow (docs/costs.md, "Late bills").
--   unbilled_since: when a look first found the job ended without a bill (the window starts there);
--   bill_looks: looks made since for the bill; bill_look_at: when the next is due (null: no bill is owed);
--   bill_never_came_at: the window passed without a bill, and the estimate was kept as the charge.
alter table orchestrator.credit_charge
    add column if not exists unbilled_since timestamptz,
    add column if not exists bill_looks int not null default 0,
    add column if not exists bill_look_at timestamptz,
    add column if not exists bill_never_came_at timestamptz;

-- The follow-up asks per batch for the charges whose look is due; few rows ever carry one.
create index if not exists credit_charge_bill_look on orchestrator.credit_charge (batch_id, bill_look_at) where bill_look_at is not null;
