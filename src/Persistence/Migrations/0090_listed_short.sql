-- When the record step first found a batch's v1 items listed short of their total_size: it reads them again until a
-- while has passed since then, and only then records what was listed (docs/llamacloud-api.md §1.3).
alter table orchestrator.batch add column listed_short_since timestamptz;
