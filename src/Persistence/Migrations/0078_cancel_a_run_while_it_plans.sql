-- An operator's cancel of a run still scanning found no batch to cancel, and the batches its planning made a moment
-- later were sent and billed (docs/operations.md, "Command line"). The cancel is now recorded on the run, and every
-- batch planned for it is born cancel-requested, so its upload or submit step ends it before anything is sent.
alter table orchestrator.run add column if not exists cancel_requested_at timestamptz;

-- One trigger rather than each planning statement (per run, mirror, RemoteOnly): none can forget it. The row lock
-- (FOR SHARE; the foreign key's own KEY SHARE lets an update through) makes a cancel that comes while planning is
-- under way wait for the planned batches to commit, so that it finds and cancels them; one that came first is read here.
create or replace function orchestrator.batch_born_cancel_requested() returns trigger language plpgsql as $$
declare
    asked timestamptz;
begin
    select r.cancel_requested_at into asked from orchestrator.run r where r.id = new.run_id for share;
    new.cancel_requested_at := coalesce(new.cancel_requested_at, asked);
    return new;
end
$$;

drop trigger if exists batch_born_cancel_requested on orchestrator.batch;
create trigger batch_born_cancel_requested before insert on orchestrator.batch
    for each row execute function orchestrator.batch_born_cancel_requested();
