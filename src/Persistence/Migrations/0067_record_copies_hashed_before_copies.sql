-- 0067: a path hashed before 0063 whose content was already a file version under another name got no row then,
-- and an unchanged file is never hashed again, so it stayed out of the record (file_story, status, the sinks)
-- for good. Each such path is now a copy of that version, as the scan has recorded it since 0063. Only under the
-- ContentHash dedupe key: under ContentHashAndPath every path is a version of its own (its key names its path).
-- As the scan does, a copy whose version's result was delivered already makes that batch's follow-up due now, so
-- the result is delivered under the copy's name too. Run again it finds nothing: every such path has its row.
with missing as (
    select f.source_name, f.relative_path, v.id as version_id
    from orchestrator.source_file f
    join orchestrator.file_version v on v.source_name = f.source_name and v.dedupe_key = encode(f.sha256, 'hex')
    where f.deleted_at is null and f.sha256 is not null and v.relative_path <> f.relative_path
      and not exists (
          select 1 from orchestrator.file_copy c where c.source_name = f.source_name and c.relative_path = f.relative_path)
), copies as (
    insert into orchestrator.file_copy (source_name, relative_path, file_version_id)
    select source_name, relative_path, version_id from missing
    on conflict (source_name, relative_path) do nothing
    returning file_version_id
)
update orchestrator.batch b set follow_up_next_at = now()
from orchestrator.file_version v
join orchestrator.batch_result r on r.file_version_id = v.id and r.batch_id = v.batch_id and r.job_id = v.job_id
where v.id in (select file_version_id from copies) and v.state = 'Succeeded' and r.follow_up_state = 'FollowedUp'
  and b.id = v.batch_id and b.follow_up_next_at is null;
