-- 0072: the PostgreSQL sink's row of a result delivered without pages LlamaCloud failed (0071) says so, as the .json
-- sidecar's 'partial' does: a consumer reading orchestrator.follow_up_result can tell it from a whole document, and a
-- copy delivered later from the kept row is partial too (docs/pipeline.md). Null when no page failed.
-- (If not exists: run again over its own result, as its test does, the whole migration changes nothing.)
alter table orchestrator.follow_up_result
    add column if not exists failed_pages int[],
    add column if not exists failed_page_error text;

-- Rows written since 0071 for results it recorded as partial say so too, a copy's row as its version's. A few rows:
-- the partial index of 0071 finds the job references.
update orchestrator.follow_up_result r
set failed_pages = br.failed_pages, failed_page_error = br.failed_page_error
from orchestrator.batch_result br
where br.failed_pages is not null and br.file_version_id = r.file_version_id and br.job_id = r.job_id and r.failed_pages is null;
