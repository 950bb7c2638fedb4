-- 0068: the Costs section (its fingerprint) each source's held files were last planned under, so that a restart with
-- a changed section plans them again at once (the Worker's HeldFilesOnStart; docs/costs.md, "Held files go on"),
-- and a restart with the same section starts no run. Null until a start records it: the first start after this
-- migration plans held files once.
alter table orchestrator.source add column if not exists costs_seen text;
