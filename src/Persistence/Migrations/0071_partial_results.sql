-- 0071: a parse job can COMPLETE with some of its pages failed (docs/llamacloud-api.md §6.2): its result is delivered,
-- without them. The job reference keeps which pages failed and the first error, so "Needs a person" and `status`
-- can list the file until a newer version of it is processed (docs/operations.md, "Needs a person").
alter table orchestrator.batch_result
    add column failed_pages int[],
    add column failed_page_error text;
-- Needs a person looks for them on every overview and `status`: a few rows among all job references.
create index if not exists batch_result_partial on orchestrator.batch_result (batch_id) where failed_pages is not null;
