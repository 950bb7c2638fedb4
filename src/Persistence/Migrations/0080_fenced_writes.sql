-- 0080: writes made under a lease are fenced (docs/reliability.md, "Fencing"). A holder stalled past its lease (a long
-- GC pause, a frozen VM) may wake after another instance took the lease over; its writes must then be refused, or both
-- would act on one batch (files uploaded twice, a batch created and billed twice). A fenced write is a batch of statements
-- that starts with this call: it share-locks the lease row if the row still carries the writer's fencing token, and
-- fails the whole batch otherwise (one implicit transaction). The lock makes a takeover, which updates the row, wait
-- until the fenced writes have committed, so the new holder reads them; a procedure, so the call adds no result set.
create or replace procedure orchestrator.hold_lease(lease_name text, token bigint) language plpgsql as $$
begin
    perform 1 from orchestrator.lease where name = lease_name and fencing_token = token for share;
    if not found then
        raise exception 'lease % was taken over: fencing token % is stale', lease_name, token using errcode = 'BOL01';
    end if;
end
$$;
