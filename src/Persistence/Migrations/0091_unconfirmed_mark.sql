-- A batch whose submit step gave up without learning whether LlamaCloud made it is marked on its own row until an
-- operator says it was looked for ('retry <source> --failed --unconfirmed <batch-id>'). Its files' class alone could not
-- carry that: a RemoteOnly batch has no file rows, and one whose files were all deleted or changed since dropped out of
-- "Needs a person" while it may still bill at LlamaCloud (docs/costs.md, "Settling").
alter table orchestrator.batch add column if not exists unconfirmed_since timestamptz;

-- Earlier such batches: those whose files still wait as Unconfirmed, and a RemoteOnly source's latest batch given up in
-- the submit step's words (a later batch over the directory means it was sent again already).
update orchestrator.batch b
set unconfirmed_since = coalesce(b.finished_at, b.updated_at)
where b.remote_batch_id is null and b.unconfirmed_since is null
  and (exists (select 1 from orchestrator.file_version v where v.batch_id = b.id and v.state = 'Failed' and v.error_class = 'Unconfirmed')
       or (b.layout = 'RemoteOnly'
           and b.id = (select max(l.id) from orchestrator.batch l where l.source_name = b.source_name and l.layout = 'RemoteOnly')
           and (b.last_error like '%whether an earlier attempt created its batch could not be checked%'
                or b.last_error like '%times to check whether an earlier attempt created its batch%')));

-- "Needs a person" and every run's planning look for them by source.
create index if not exists batch_unconfirmed on orchestrator.batch (source_name) where unconfirmed_since is not null;
