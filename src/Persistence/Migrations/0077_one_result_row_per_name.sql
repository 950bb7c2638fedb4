-- 0077: the PostgreSQL sink keeps one row per name of a file version, its latest job's result, as the FileSystem sink
-- keeps one .md/.json per path. Keyed by job as well (0063), a version sent again (reprocessed at another
-- configuration, retried, or escalated to its source's fallback, docs/costs.md "Cheap tier first") kept its earlier
-- job's row beside the new one, and a reader of the table found two results for one file. Per version, not per path:
-- a file copied under another name after its job was deleted gets the result kept for its version (docs/remote-hygiene.md).

-- Of the rows one name of a version holds, the latest job's stays: its current job's, else the latest batch's.
delete from orchestrator.follow_up_result r
using (
    select r.ctid as row_id,
           row_number() over (
               partition by r.file_version_id, r.relative_path
               order by (r.job_id = v.job_id) desc nulls last, r.batch_id desc, r.fetched_at desc) as rank
    from orchestrator.follow_up_result r
    join orchestrator.file_version v on v.id = r.file_version_id
) ranked
where r.ctid = ranked.row_id and ranked.rank > 1;

alter table orchestrator.follow_up_result drop constraint follow_up_result_pkey;
alter table orchestrator.follow_up_result add primary key (file_version_id, relative_path);
