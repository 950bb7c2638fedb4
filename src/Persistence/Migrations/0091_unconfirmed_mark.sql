-- A batch whose submit step gave up without learning whether LlamaCloud made it is marked on its own row until an
-- operator says it was looked for ('retry <source> --failed --unconfirmed <batch-id>'). Its files' class alone could not
-- carry that: a RemoteOnly batch has no file rows, and one whose files were all deleted or changed since dropped out of
-- "Needs a person" while it may still bill at LlamaCloud (docs/costs.md, "Settling").
alter table orchestrator.batch add column if not exists unconfirmed_since timestamptz;

-- Earlier such batches: those "Needs a person" listed until now, with files still waiting as Unconfirmed in the folder
-- (an old version's failure stays behind after the operator's retry sent the rest, so it says nothing alone; a batch
-- whose files all changed since cannot be told from one already retried, and stays unlisted as it was), and a RemoteOnly
-- source's latest batch over its directory given up in the submit step's words (a later one means it was sent again).
update orchestrator.batch b
set unconfirmed_since = coalesce(b.finished_at, b.updated_at)
where b.remote_batch_id is null and b.unconfirmed_since is null
  and (exists (
           select 1 from orchestrator.file_version fv
           where fv.batch_id = b.id and fv.state = 'Failed' and fv.error_class = 'Unconfirmed'
             -- in the folder now: the latest version of a path still there, or a copy's
             and ((not exists (select 1 from orchestrator.file_version nv
                               where nv.source_name = fv.source_name and nv.relative_path = fv.relative_path and nv.id > fv.id)
                   and not exists (select 1 from orchestrator.file_copy ok where ok.source_name = fv.source_name and ok.relative_path = fv.relative_path)
                   and exists (select 1 from orchestrator.source_file sf
                               where sf.source_name = fv.source_name and sf.relative_path = fv.relative_path and sf.deleted_at is null))
                  or exists (select 1 from orchestrator.file_copy k join orchestrator.source_file sf
                               on sf.source_name = k.source_name and sf.relative_path = k.relative_path and sf.deleted_at is null
                             where k.file_version_id = fv.id)))
       or (b.layout = 'RemoteOnly'
           and b.id = (select max(l.id) from orchestrator.batch l
                       where l.source_name = b.source_name and l.layout = 'RemoteOnly' and l.remote_directory_id = b.remote_directory_id)
           and (b.last_error like '%whether an earlier attempt created its batch could not be checked%'
                or b.last_error like '%times to check whether an earlier attempt created its batch%')));

-- "Needs a person" and every run's planning look for them by source.
create index if not exists batch_unconfirmed on orchestrator.batch (source_name) where unconfirmed_since is not null;
